import Testing

@testable import Attestation

struct FinalityTests {
    @Test func parsesTheThreeForms() throws {
        #expect(try Finality(parsing: "blocks:12") == .blocks(12))
        #expect(try Finality(parsing: "safe") == .safe)
        #expect(try Finality(parsing: "finalized") == .finalized)
        #expect(Finality.blocks(3).description == "blocks:3" && Finality.finalized.tag == "finalized")
        #expect(Finality.blocks(3).tag == nil)
    }

    @Test func refusesEverythingElse() {
        for text in ["blocks:0", "blocks:", "blocks:-1", "blocks:x", "12", "Finalized", "latest", ""] {
            #expect(throws: Finality.ParseError.self) { try Finality(parsing: text) }
        }
    }

    @Test func aDepthCountsTheAnchorsBlock() {
        #expect(Finality.blocks(2).confirms(blockNumber: 10, head: 11, taggedBlock: nil))
        #expect(!Finality.blocks(2).confirms(blockNumber: 10, head: 10, taggedBlock: nil))
        #expect(!Finality.blocks(1).confirms(blockNumber: 10, head: 9, taggedBlock: nil))
        #expect(
            Finality.blocks(2).shortfall(blockNumber: 10, head: 10, taggedBlock: nil)
                == "block 10 has 1 of 2 confirmations")
    }

    @Test func aTagNeedsTheBlockAtOrBelowIt() {
        #expect(Finality.finalized.confirms(blockNumber: 10, head: 40, taggedBlock: 10))
        #expect(!Finality.finalized.confirms(blockNumber: 10, head: 40, taggedBlock: 9))
        #expect(!Finality.safe.confirms(blockNumber: 10, head: 40, taggedBlock: nil))
        #expect(
            Finality.safe.shortfall(blockNumber: 10, head: 40, taggedBlock: 9)
                == "block 10 is not safe yet (the node's safe block is block 9)")
    }

    /// One rule for serve, verify and verify-receipt: the flag, an explicit
    /// confirmation count, the chain's profile, blocks:2.
    @Test func theFlagThenConfirmationsThenTheProfileThenTwoBlocks() throws {
        let bsc = try #require(ChainProfiles.builtIn[56])
        #expect(Finality.resolved(explicit: .safe, confirmations: 5, profile: bsc) == .safe)
        #expect(Finality.resolved(explicit: nil, confirmations: 5, profile: bsc) == .blocks(5))
        #expect(Finality.resolved(explicit: nil, confirmations: nil, profile: bsc) == .finalized)
        #expect(Finality.resolved(explicit: nil, confirmations: nil, profile: nil) == .blocks(2))
    }
}
