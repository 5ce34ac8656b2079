import Attestation
import Testing

@testable import AttestationService

/// A page's results are the attested cases and the unattested ones, each
/// list in case order; `judge` merges them instead of sorting a dictionary.
struct VerifierCaseOrderTests {
    private static func result(_ caseID: Int64, _ verdict: Verdict) -> CaseVerification {
        CaseVerification(
            caseID: caseID, attestationID: nil, version: nil, outcome: VerificationOutcome(verdict, "case \(caseID)"),
            contentHash: nil, root: nil, txHash: nil, blockNumber: nil)
    }

    @Test func mergingIsSortingTheCasesOfBothLists() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            // Distinct ids split at random between the two lists.
            let ids = Array(Set((0..<Int.random(in: 0...40, using: &generator)).map { _ in Int64.random(in: 1...200) }))
            var attested: [CaseVerification] = []
            var unattested: [CaseVerification] = []
            for id in ids.sorted() {
                if Bool.random(using: &generator) {
                    attested.append(Self.result(id, .verified))
                } else {
                    unattested.append(Self.result(id, .missing))
                }
            }
            let merged = Verifier.inCaseOrder(attested, unattested)
            #expect(merged.map(\.caseID) == ids.sorted())
            #expect(Set(merged) == Set(attested + unattested))
        }
        #expect(Verifier.inCaseOrder([], []).isEmpty)
    }
}
