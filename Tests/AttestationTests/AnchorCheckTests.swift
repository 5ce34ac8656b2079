import Attestation
import Ethereum
import Testing

struct AnchorCheckTests {
    static let registry = try! Address(hex: "0x" + String(repeating: "11", count: 20))
    static let other = try! Address(hex: "0x" + String(repeating: "22", count: 20))
    static let topic = Keccak256.hash(Array("Anchored(bytes32,address,uint32,uint64)".utf8))
    static let root = Keccak256.hash([1])
    static let tx = Keccak256.hash([2])
    static let blockHash = Keccak256.hash([3])
    static let expected = AnchorExpectation(registry: registry, chainID: 1337, confirmations: 2, anchoredTopic: topic)

    static func claim() -> AnchorClaim {
        AnchorClaim(
            root: root, txHash: tx, chainID: 1337, contract: registry, blockNumber: 10, blockHash: blockHash,
            attestedAt: 1_700_000_000, leafIndex: 1, proofLength: 2)
    }

    static func evidence(
        logFrom emitter: Address = registry, status: UInt64 = 1, to: Address? = registry,
        canonicalHash: [UInt8] = blockHash, head: UInt64 = 11, anchored: Bool = true
    ) -> AnchorEvidence {
        let log = AnchorEvidence.Log(address: emitter, topics: [topic, root, Keccak256.hash([4])])
        return AnchorEvidence(
            anchored: anchored ? .init(blockNumber: 10, leafCount: 4) : nil,
            receipt: .init(status: status, to: to, blockNumber: 10, blockHash: blockHash, logs: [log]),
            canonicalBlock: .init(hash: canonicalHash, timestamp: 1_700_000_000), head: head)
    }

    func verdict(_ claim: AnchorClaim, _ evidence: AnchorEvidence) -> Verdict {
        AnchorCheck.evaluate(claim, evidence: evidence, expected: Self.expected).verdict
    }

    func verdict(_ evidence: AnchorEvidence) -> Verdict {
        verdict(Self.claim(), evidence)
    }

    @Test func aConfirmedAnchorFromTheRegistryIsVerified() {
        #expect(verdict(Self.evidence()) == .verified)
    }

    @Test func tooFewConfirmationsIsUnconfirmed() {
        #expect(verdict(Self.evidence(head: 10)) == .unconfirmed)
    }

    @Test func aFinalizedExpectationWaitsForTheNodesFinalizedBlockHoweverDeep() {
        var expected = Self.expected
        expected.finality = .finalized
        var evidence = Self.evidence(head: 40)
        evidence.taggedBlock = 9
        let early = AnchorCheck.evaluate(Self.claim(), evidence: evidence, expected: expected)
        #expect(early.verdict == .unconfirmed)
        #expect(early.reason == "block 10 is not finalized yet (the node's finalized block is block 9)")
        evidence.taggedBlock = nil
        #expect(AnchorCheck.evaluate(Self.claim(), evidence: evidence, expected: expected).verdict == .unconfirmed)
        evidence.taggedBlock = 10
        #expect(AnchorCheck.evaluate(Self.claim(), evidence: evidence, expected: expected).verdict == .verified)
        #expect(Self.expected.finality == .blocks(2))
    }

    @Test func aLookAlikeEventFromAnotherContractIsWrongContract() {
        let outcome = AnchorCheck.evaluate(
            Self.claim(), evidence: Self.evidence(logFrom: Self.other), expected: Self.expected)
        #expect(outcome.verdict == .wrongContract)
        #expect(outcome.reason.contains(Self.other.lowercased))
    }

    @Test func aTransactionToAnotherAddressIsWrongContract() {
        #expect(verdict(Self.evidence(to: Self.other)) == .wrongContract)
    }

    @Test func aClaimOfAnotherContractOrChainIsWrongContract() {
        var claim = Self.claim()
        claim.contract = Self.other
        #expect(verdict(claim, Self.evidence()) == .wrongContract)
        claim = Self.claim()
        claim.chainID = 1
        #expect(verdict(claim, Self.evidence()) == .wrongContract)
    }

    @Test func aRevertedTransactionIsTxFailed() {
        #expect(verdict(Self.evidence(status: 0)) == .txFailed)
    }

    @Test func noReceiptIsNotAnchored() {
        var evidence = Self.evidence()
        evidence.receipt = nil
        #expect(verdict(evidence) == .notAnchored)
    }

    @Test func aNonCanonicalBlockIsNotAnchored() {
        #expect(verdict(Self.evidence(canonicalHash: Keccak256.hash([9]))) == .notAnchored)
    }

    @Test func aRootTheRegistryDoesNotKnowIsNotAnchored() {
        #expect(verdict(Self.evidence(anchored: false)) == .notAnchored)
    }

    @Test func claimedBlockFieldsMustMatch() {
        var claim = Self.claim()
        claim.blockNumber = 11
        #expect(
            AnchorCheck.evaluate(claim, evidence: Self.evidence(), expected: Self.expected).reason.hasPrefix(
                "blockNumber"))
        claim = Self.claim()
        claim.blockHash = Keccak256.hash([8])
        #expect(
            AnchorCheck.evaluate(claim, evidence: Self.evidence(), expected: Self.expected).reason.hasPrefix(
                "blockHash"))
        claim = Self.claim()
        claim.attestedAt = 1_700_000_001
        #expect(
            AnchorCheck.evaluate(claim, evidence: Self.evidence(), expected: Self.expected).reason.hasPrefix(
                "attestedAt"))
        claim = Self.claim()
        claim.leafIndex = 4
        #expect(verdict(claim, Self.evidence()) == .proofInvalid)
    }
}

struct VerdictSummaryTests {
    @Test func countsEachVerdictAndKnowsWhenAllAreVerified() {
        var summary = VerdictSummary([.verified, .verified, .recordChanged])
        #expect(summary.total == 3)
        #expect(summary.count(.verified) == 2)
        #expect(!summary.allVerified)
        summary = VerdictSummary([.verified])
        #expect(summary.allVerified)
        #expect(summary.json["verified"] == 1)
        #expect(summary.json["missing"] == 0)
    }

    @Test func rawValuesAreTheIssuesNames() {
        #expect(
            Verdict.allCases.map(\.rawValue) == [
                "verified", "record-changed", "proof-invalid", "not-anchored", "tx-failed", "wrong-contract",
                "unconfirmed", "pending", "erased", "missing", "legacy",
            ])
    }
}
