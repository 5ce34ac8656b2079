import Ethereum
import Foundation
import Logging
import Postgres
import Testing

@testable import AttestationService

/// Issue 11, fencing: the signer lease's holder whose connection is cut
/// while another process takes over writes nothing after the takeover.
struct DaemonLeaseTests {
    @Test(.timeLimit(.minutes(20)))  // includes the wait for a daemon slot
    func aHolderCutOffWritesNothingAfterTheTakeover() async throws {
        try await DaemonTestContext.run { context in
            let signer = try PrivateKey(bytes: (0..<32).map { _ in UInt8.random(in: 1...200) })
            let chainID = TestEnvironment.chainID
            let old = SignerLease(
                url: context.databaseURL, chainID: chainID, signer: signer.address, holder: "old",
                logger: DaemonTestContext.quietLogger)
            let new = SignerLease(
                url: context.databaseURL, chainID: chainID, signer: signer.address, holder: "new",
                logger: DaemonTestContext.quietLogger)
            let oldFence = try #require(await old.check(), "the first process could not take a free lease")
            #expect(await new.check() == nil, "two processes held the lease at once")

            // The old holder's lease connection is cut (a half-open TCP
            // connection the server gave up on); it does not know yet.
            let cut = try await context.database.query(
                """
                SELECT count(pg_terminate_backend(l.pid)) AS n FROM pg_locks l
                JOIN pg_database d ON d.oid = l.database
                WHERE l.locktype = 'advisory' AND d.datname = current_database()
                """
            ).rows[0].decode(Int.self, "n")
            context.check(cut == 1, "expected to cut one lease connection, cut \(cut)")
            var newFence: SignerFence?
            let tookOver = try await context.waitUntil("the takeover", timeout: .seconds(20), every: .milliseconds(100))
            {
                newFence = await new.check()
                return newFence != nil
            }
            try #require(context.check(tookOver, "the second process never took the lease"))
            let fence = try #require(newFence)
            context.check(
                fence.epoch > oldFence.epoch,
                "the takeover did not raise the epoch: \(oldFence.epoch) -> \(fence.epoch)")

            // The old holder still believes it holds the lease: every write
            // it makes on the signer's path is refused, and changes nothing.
            let signerText = Hex.encodePrefixed(signer.address.bytes)
            do {
                _ = try await context.database.fenced(oldFence) { connection in
                    try connection.query(
                        """
                        UPDATE attestation_signer SET next_nonce = 999, last_block = 999
                        WHERE chain_id = \(Int64(chainID)) AND signer = \(signerText)
                        """)
                }
                context.check(false, "a write under the old epoch went through")
            } catch is LeaseLost {
                context.log("the old holder's write was refused by the fence")
            }
            let row = try await context.database.query(
                """
                SELECT next_nonce, last_block, lease_holder FROM attestation_signer
                WHERE chain_id = \(Int64(chainID)) AND signer = \(signerText)
                """
            ).rows[0]
            context.check(try row.decode(Int64.self, "next_nonce") != 999, "the old holder's nonce write landed")
            context.check(try row.decode(Int64?.self, "last_block") == nil, "the old holder's block write landed")
            context.check(
                try row.decode(String?.self, "lease_holder") == "new", "the lease row does not name the new holder")
            // The new holder writes normally, and the old one cannot take the lease back.
            _ = try await context.database.fenced(fence) { connection in
                try connection.query(
                    """
                    UPDATE attestation_signer SET last_block = 1 WHERE chain_id = \(Int64(chainID)) AND signer = \
                    \(signerText)
                    """)
            }
            #expect(await old.check() == nil, "the cut-off holder took the lease back while the new one holds it")
            await new.release()
            await old.release()
        }
    }
}
