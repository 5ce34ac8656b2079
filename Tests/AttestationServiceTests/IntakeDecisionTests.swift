import Testing

@testable import AttestationService

/// Erasure sticks at intake: whatever the erased attestation's status, no
/// caller but an operator asking explicitly requests the case again.
struct IntakeDecisionTests {
    typealias Latest = IntakeDecision.Latest

    @Test(arguments: AttestationStatus.allCases)
    func anErasedCaseIsNeverRequestedAgainUnlessAnOperatorAsks(status: AttestationStatus) {
        let erased = Latest(status: status, erased: true)
        // The document is never rebuilt for an erased row: its salt is gone.
        let plain = IntakeDecision.decide(latest: erased, afterErasure: false) {
            Issue.record("an erased row must not be compared with its case")
            return false
        }
        #expect(plain == .erased)
        let asked = IntakeDecision.decide(latest: erased, afterErasure: true) { false }
        #expect(asked == .newVersion)
    }

    @Test func aFailureIsRetriedInPlaceAndARequestCoversTheCase() {
        #expect(
            IntakeDecision.decide(latest: Latest(status: .failed, erased: false), afterErasure: false) { true }
                == .retryInPlace)
        #expect(
            IntakeDecision.decide(latest: Latest(status: .requested, erased: false), afterErasure: false) { false }
                == .existing)
        #expect(IntakeDecision.decide(latest: Latest?.none, afterErasure: false) { true } == .newVersion)
    }

    @Test(arguments: [AttestationStatus.committed, .batched, .signed, .submitted, .mined, .confirmed])
    func aCommittedAttestationCoversTheCaseWhileItsContentIsTheSame(status: AttestationStatus) {
        let latest = Latest(status: status, erased: false)
        #expect(IntakeDecision.decide(latest: latest, afterErasure: false) { true } == .existing)
        #expect(IntakeDecision.decide(latest: latest, afterErasure: false) { false } == .newVersion)
        // --after-erasure on a case that was not erased changes nothing.
        #expect(IntakeDecision.decide(latest: latest, afterErasure: true) { true } == .existing)
    }
}
