import Ethereum
import EthereumRPC
import Foundation
import Testing

/// Issue 6, "Done when" 4: on a dev chain of its own (automine off, blocks
/// mined by the test), the anchor is mined, seen mined by the daemon, then
/// reorged out (evm_revert to a snapshot from before it). The daemon must
/// notice, put the rows back to submitted, send the same bytes again and
/// confirm on the new canonical chain.
struct DaemonReorgTests {
    @Test(.timeLimit(.minutes(20)))  // includes the wait for a daemon slot
    func aReorgedAnchorIsDetectedResentAndConfirmed() async throws {
        try await DaemonTestContext.run { context in
            let (_, signer, eth) = try await context.manualChainWithSigner()
            @Sendable func mine() async throws { _ = try await eth.rpc.call("evm_mine") }
            @Sendable func transactionStatus() async throws -> String? {
                try await context.database.query("SELECT status FROM attestation_transaction WHERE purpose = 'anchor'")
                    .rows.first?.decode(String.self, "status")
            }

            try await context.seedCases(30)
            // Before anything of the daemon's reaches the chain.
            let snapshot = try await eth.rpc.call("evm_snapshot")
            let options = DaemonOptions(batchMax: 256, batchWait: 0.5, confirmations: 3, rebroadcastAfter: 2)
            let daemon = context.daemon(signer, options: options)
            try daemon.start()

            let sent = try await context.waitUntil(
                "the anchor in the pool", timeout: .seconds(30), every: .milliseconds(200)
            ) {
                try await transactionStatus() == "submitted"
            }
            let counts1 = try await context.attestationCounts()
            try #require(context.check(sent, "the daemon never submitted its anchor: \(counts1)"))
            try await mine()
            let seenMined = try await context.waitUntil(
                "the daemon to see the anchor mined", timeout: .seconds(20),
                every: .milliseconds(200)
            ) {
                try await transactionStatus() == "mined"
            }
            try #require(context.check(seenMined, "the daemon did not record the anchor as mined"))
            let feeRecorded = try await context.int(
                "SELECT count(*) AS n FROM attestation_transaction WHERE gas_used IS NOT NULL AND mined_at IS NOT NULL")
            context.check(feeRecorded == 1, "the mined anchor's fee is not recorded (the spending budget counts it)")
            let firstInclusion = try await context.database.query(
                """
                SELECT mined_hash, block_number, block_hash FROM attestation_transaction WHERE purpose = 'anchor'
                """
            ).rows[0]
            let firstBlockHash = try firstInclusion.decode(String.self, "block_hash")
            // Mined is the batch's state: the case rows stay `batched` and
            // show it, with the block, through the view (migration 0011).
            let minedRows = try await context.int(
                """
                SELECT count(*) AS n FROM attestation_state WHERE status = 'mined' AND block_hash = \(firstBlockHash)
                """)
            context.check(minedRows == 30, "\(minedRows) rows mined in the anchor's block, expected 30")
            let rowsWritten = try await context.int("SELECT count(*) AS n FROM attestation WHERE status = 'batched'")
            context.check(rowsWritten == 30, "\(rowsWritten) case rows still batched: mining wrote them")
            context.log(
                "anchor mined in block \(try firstInclusion.decode(Int64.self, "block_number")) \(firstBlockHash)")

            // The reorg: the block with the anchor leaves the canonical chain, its transaction is dropped.
            #expect(try await eth.rpc.call("evm_revert", [snapshot]) == .bool(true))
            let backToSubmitted = try await context.waitUntil(
                "rows back to submitted", timeout: .seconds(20),
                every: .milliseconds(200)
            ) {
                let rows = try await context.int(
                    "SELECT count(*) AS n FROM attestation_state WHERE status = 'submitted' AND block_hash IS NULL")
                return try await transactionStatus() == "submitted" && rows == 30
            }
            context.check(backToSubmitted, "the daemon did not put the rows back to submitted after the reorg")
            let feeKept = try await context.int(
                "SELECT count(*) AS n FROM attestation_transaction WHERE gas_used IS NOT NULL OR mined_at IS NOT NULL")
            context.check(feeKept == 0, "the reorged anchor still has a fee: it is in flight again")
            let reorgLogged = try await context.waitUntil("the reorg in the log", timeout: .seconds(10)) {
                daemon.output.contains("anchor reorged out")
            }
            context.check(reorgLogged, "the daemon logged no reorg")

            // New blocks: the re-sent bytes are mined on the new chain and confirmed.
            let confirmed = try await context.waitUntil(
                "confirmed after the reorg", timeout: .seconds(60), every: .milliseconds(500)
            ) {
                try await mine()
                return try await context.int("SELECT count(*) AS n FROM attestation_state WHERE status = 'confirmed'")
                    == 30
            }
            let counts2 = try await context.attestationCounts()
            context.check(confirmed, "not confirmed after the reorg: \(counts2)")
            await daemon.terminate()

            let final = try await context.database.query(
                """
                SELECT mined_hash, block_hash, replacements FROM attestation_transaction WHERE purpose = 'anchor'
                """
            ).rows[0]
            let finalHash = try final.decode(String.self, "mined_hash")
            context.check(
                try final.decode(String.self, "block_hash") != firstBlockHash, "confirmed in the orphaned block")
            let receipt = try await eth.transactionReceipt(try Hex.decode(finalHash))
            context.check(receipt?.succeeded == true, "no successful receipt for \(finalHash) on the canonical chain")
            if let receipt {
                let canonical = try await eth.block(.number(receipt.blockNumber))
                context.check(canonical?.hash == receipt.blockHash, "the receipt's block is not canonical")
            }
            context.check(
                try await eth.block(hash: try Hex.decode(firstBlockHash)) == nil, "the orphaned block is still served")
            try await context.checkEveryCaseConfirmedOnce(expected: 30)
            let audited = try await context.auditConfirmed(signer, confirmations: options.confirmations, eth: eth)
            context.check(audited == 30, "audited \(audited) rows")
            try await context.checkRootsAnchoredOnce(signer, eth: eth)
            try await context.checkFeesMatchReceipts(eth)
            try await context.checkNonces(signer, eth: eth)
        }
    }
}
