import AttestationService
import Ethereum
import EthereumRPC
import Foundation
import Postgres
import Testing

/// Issue 11: no single fault stops attesting. Each test injects one fault
/// into a real daemon on PostgreSQL and the dev chain.
struct DaemonFaultTests {
    /// 1,000 resolved cases, 5 of which no document can carry: 995 confirmed,
    /// 5 failed alone with a reason.
    @Test(.timeLimit(.minutes(20)))  // includes the wait for a daemon slot
    func fiveUnattestableCasesFailAloneAndTheOthersAreConfirmed() async throws {
        try await DaemonTestContext.run { context in
            let signer = try await context.makeSigner()
            let eth = try context.ethereum()
            let ids = try await context.seedCases(999)
            let bad = try await context.makeUnattestable(ids)
            let daemon = context.daemon(signer, options: DaemonOptions(batchMax: 256, batchWait: 0.5))
            try daemon.start()
            let settled = try await context.waitUntil(
                "995 confirmed and 5 failed", timeout: .seconds(150), every: .seconds(1)
            ) {
                let counts = try await context.attestationCounts()
                return counts["confirmed"] == 995 && counts["failed"] == 5
            }
            let counts = try await context.attestationCounts()
            context.check(settled, "expected 995 confirmed and 5 failed: \(counts)")
            await daemon.terminate()
            let failed = try await context.database.query(
                """
                SELECT case_id, last_error FROM attestation WHERE status = 'failed' ORDER BY case_id
                """
            ).rows.map { (try $0.decode(Int64.self, "case_id"), try $0.decode(String?.self, "last_error")) }
            context.check(Set(failed.map(\.0)) == Set(bad), "failed cases \(failed.map(\.0)), expected \(bad.sorted())")
            for (caseID, reason) in failed {
                context.check(
                    reason?.contains("document") == true, "case \(caseID) failed without a reason: \(reason ?? "nil")")
            }
            let audited = try await context.auditConfirmed(signer, confirmations: 2, eth: eth)
            context.check(audited == 995, "audited \(audited) confirmed rows, expected 995")
            try await context.checkRootsAnchoredOnce(signer, eth: eth)
            context.check(
                daemon.output.contains("attestation failed alone"), "the daemon did not say which cases failed")
        }
    }

    /// The node refuses the first send of every transaction because its fee
    /// cap is below the base fee (risen between signing and sending): the
    /// daemon re-prices at the same nonce until the node takes it.
    @Test(.timeLimit(.minutes(20)))  // includes the wait for a daemon slot
    func aFirstSendRefusedForItsFeeIsRepricedAndConfirmed() async throws {
        try await DaemonTestContext.run { context in
            let signer = try await context.makeSigner()
            let eth = try context.ethereum()
            let (_, proxyURL) = try await context.startPython(
                label: "rpc-proxy", script: "tests/support/rpc_proxy.py", arguments: ["--upstream", signer.rpcURL],
                marker: "rpc proxy listening on")
            let proxy = try context.ethereum(proxyURL)
            // What the daemon would offer now, and a floor 40% above it.
            let history = try await eth.feeHistory(blockCount: 5, rewardPercentiles: [50])
            let offered = try FeePolicy(ceiling: UInt256(500_000_000_000)).fees(from: history).maxFeePerGas
            let floor = offered + offered / UInt256(10) * UInt256(4)
            _ = try await proxy.rpc.call("proxy_setMode", [.string("refuse-below"), .string(floor.description)])
            try await context.seedCases(20)
            let daemon = context.daemon(signer, rpcURL: proxyURL, options: DaemonOptions(batchWait: 0.5))
            try daemon.start()
            let confirmed = try await context.waitUntil("20 confirmed", timeout: .seconds(90), every: .seconds(1)) {
                try await context.int("SELECT count(*) AS n FROM attestation_state WHERE status = 'confirmed'") == 20
            }
            let counts = try await context.attestationCounts()
            context.check(confirmed, "not confirmed through the refusing node: \(counts)")
            await daemon.terminate()
            let stats = try await proxy.rpc.call("proxy_stats")
            context.log("proxy: \(stats)")
            var refusedSends: Int64 = 0
            if case .integer(let count)? = stats["refused-send"] { refusedSends = count }
            context.check(refusedSends >= 1, "the proxy refused nothing: \(stats)")
            let replaced = try await context.int(
                "SELECT coalesce(sum(replacements), 0)::int AS n FROM attestation_transaction")
            context.check(replaced >= 1, "no transaction was re-priced")
            let mined = try await context.database.query(
                """
                SELECT max_fee_per_gas::text AS fee FROM attestation_transaction WHERE purpose = 'anchor'
                """
            ).rows.map { try UInt256(decimal: try $0.decode(String.self, "fee")) }
            context.check(mined.allSatisfy { $0 >= floor }, "an anchor confirmed below the node's floor")
            context.check(daemon.output.contains("node refused the transaction"), "the refusal was not logged")
            try await context.checkNonces(signer, eth: eth)
        }
    }

    /// A fee ceiling below the market stops new signing only: the anchor in
    /// flight is still followed and confirmed, the new batch waits, and the
    /// stall is reported with its reason.
    @Test(.timeLimit(.minutes(20)))  // includes the wait for a daemon slot
    func aCeilingBelowTheMarketStopsOnlyNewSigning() async throws {
        try await DaemonTestContext.run { context in
            let (chainURL, signer, eth) = try await context.manualChainWithSigner()
            try await context.seedCases(10)
            let first = context.daemon(signer, options: DaemonOptions(batchWait: 0.3), label: "daemon-normal")
            try first.start()
            let sent = try await context.waitUntil(
                "the first anchor sent", timeout: .seconds(30), every: .milliseconds(200)
            ) {
                try await context.int("SELECT count(*) AS n FROM attestation_transaction WHERE status = 'submitted'")
                    == 1
            }
            try #require(context.check(sent, "the first anchor was never sent"))
            await first.terminate()
            // 1 gwei is below base fee + the minimum tip: nothing new can be priced.
            try await context.seedCases(10)
            let capped = context.daemon(
                signer, options: DaemonOptions(batchWait: 0.3, maxFeeGwei: 1, stallAfter: 3),
                label: "daemon-capped")
            try capped.start()
            let blocked = try await context.waitUntil("signing blocked", timeout: .seconds(30)) {
                capped.output.contains("fees are above the ceiling")
            }
            context.check(blocked, "the capped daemon did not say the ceiling blocks signing")
            let confirmed = try await context.waitUntil("the in-flight anchor confirmed", timeout: .seconds(60)) {
                _ = try await eth.rpc.call("evm_mine")
                return try await context.int("SELECT count(*) AS n FROM attestation_state WHERE status = 'confirmed'")
                    == 10
            }
            let counts = try await context.attestationCounts()
            context.check(confirmed, "the in-flight anchor was not followed to confirmation: \(counts)")
            context.check(counts["batched"] == 10, "the new batch should wait unsigned: \(counts)")
            let stalled = try await context.waitUntil("the stall reported", timeout: .seconds(40)) {
                let status = try await context.runBinary(["status"], signer: signer, rpcURL: chainURL)
                return status.contains("STALLED") && status.contains("fee_ceiling")
            }
            context.check(stalled, "caseattest status did not report the stall and its reason")
            await capped.terminate()
        }
    }

    /// A reorg deeper than --confirmations after an anchor was confirmed:
    /// detected (the anchor is watched until the final depth), the rows go
    /// back to submitted, and the same bytes are anchored again.
    @Test(.timeLimit(.minutes(20)))  // includes the wait for a daemon slot
    func aReorgDeeperThanTheConfirmationsIsDetectedAndReanchored() async throws {
        try await DaemonTestContext.run { context in
            let (_, signer, eth) = try await context.manualChainWithSigner()
            @Sendable func mine() async throws { _ = try await eth.rpc.call("evm_mine") }
            try await context.seedCases(12)
            let snapshot = try await eth.rpc.call("evm_snapshot")
            let options = DaemonOptions(batchWait: 0.3, confirmations: 2, rebroadcastAfter: 2, finalDepth: 30)
            let daemon = context.daemon(signer, options: options)
            try daemon.start()
            let sent = try await context.waitUntil("the anchor sent", timeout: .seconds(30), every: .milliseconds(200))
            {
                try await context.int("SELECT count(*) AS n FROM attestation_transaction WHERE status = 'submitted'")
                    == 1
            }
            try #require(context.check(sent, "the anchor was never sent"))
            let confirmed = try await context.waitUntil("confirmed", timeout: .seconds(30), every: .milliseconds(300)) {
                try await mine()
                return try await context.int("SELECT count(*) AS n FROM attestation_state WHERE status = 'confirmed'")
                    == 12
            }
            try #require(context.check(confirmed, "not confirmed before the reorg"))
            // Two more blocks: the anchor is 4+ deep, twice the confirmations.
            try await mine()
            try await mine()
            let before = try await context.database.query(
                """
                SELECT block_hash, attested_at FROM attestation_state LIMIT 1
                """
            ).rows[0]
            let firstBlockHash = try before.decode(String.self, "block_hash")
            #expect(try await eth.rpc.call("evm_revert", [snapshot]) == .bool(true))
            for _ in 0..<3 { try await mine() }
            let reorged = try await context.waitUntil(
                "the deep reorg noticed", timeout: .seconds(20), every: .milliseconds(300)
            ) {
                daemon.output.contains("anchor reorged out")
            }
            context.check(reorged, "a reorg deeper than the confirmations went unnoticed")
            let again = try await context.waitUntil("confirmed again", timeout: .seconds(60), every: .milliseconds(400))
            {
                try await mine()
                let rows = try await context.database.query(
                    """
                    SELECT count(*) FILTER (WHERE status = 'confirmed' AND block_hash <> \(firstBlockHash)) AS n FROM \
                    attestation_state
                    """
                ).rows[0].decode(Int.self, "n")
                return rows == 12
            }
            let counts = try await context.attestationCounts()
            context.check(again, "not re-anchored after the deep reorg: \(counts)")
            await daemon.terminate()
            let audited = try await context.auditConfirmed(signer, confirmations: 2, eth: eth)
            context.check(audited == 12, "audited \(audited) rows on the new chain")
            try await context.checkRootsAnchoredOnce(signer, eth: eth)
        }
    }

    /// Notices lost twice: the listener's connection is killed while cases
    /// are re-resolved, and the daemon is killed while others are. The
    /// reconnect sweep and the start-up sweep request every new version.
    @Test(.timeLimit(.minutes(20)))  // includes the wait for a daemon slot
    func reResolvedCasesWhoseNoticesWereLostAreAllAttested() async throws {
        try await DaemonTestContext.run { context in
            let signer = try await context.makeSigner()
            let ids = try await context.seedCases(20)
            // A sweep only at start and after a LISTEN reconnect.
            let options = DaemonOptions(batchWait: 0.3, sweepInterval: 3600)
            let daemon = context.daemon(signer, options: options)
            try daemon.start()
            let first = try await context.waitUntil("20 confirmed", timeout: .seconds(60), every: .seconds(1)) {
                try await context.int("SELECT count(*) AS n FROM attestation_state WHERE status = 'confirmed'") == 20
            }
            try #require(context.check(first, "the first versions were not confirmed"))

            let listeners = try await context.database.transaction { connection -> Int in
                let killed = try connection.query(
                    """
                    SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
                    WHERE datname = current_database() AND query ILIKE 'LISTEN%'
                    """
                ).rows[0].decode(Int.self, "n")
                try context.reResolve(Array(ids.prefix(10)), on: connection)
                return killed
            }
            context.log("terminated \(listeners) LISTEN connections while re-resolving 10 cases")
            context.check(listeners >= 1, "no LISTEN connection found to cut")
            await daemon.kill()
            try await context.database.transaction { try context.reResolve(Array(ids.suffix(10)), on: $0) }
            try daemon.start()
            let second = try await context.waitUntil(
                "20 second versions confirmed", timeout: .seconds(90), every: .seconds(1)
            ) {
                try await context.int(
                    "SELECT count(*) AS n FROM attestation_state WHERE version = 2 AND status = 'confirmed'") == 20
            }
            let counts = try await context.attestationCounts()
            context.check(second, "re-resolved cases whose notices were lost were not all attested: \(counts)")
            await daemon.terminate()
        }
    }
}

extension DaemonTestContext {
    /// Makes 4 of `ids` unattestable and resolved, and adds a fifth resolved
    /// case whose id is beyond 2^53; returns the 5 case ids.
    func makeUnattestable(_ ids: [Int64]) async throws -> [Int64] {
        let (a, b, c, d, model) = (ids[0], ids[1], ids[2], ids[3], ids[4])
        return try await database.transaction { connection in
            try connection.query(
                """
                UPDATE cases SET status = 'resolved', resolved_at = coalesce(resolved_at, now())
                WHERE id IN (\(a), \(c), \(d), \(model))
                """)
            try connection.query("UPDATE appointments SET scheduled_at = 'infinity' WHERE case_id = \(a)")
            try connection.query("UPDATE cases SET status = 'resolved', resolved_at = 'infinity' WHERE id = \(b)")
            try connection.query("UPDATE cases SET created_at = '-infinity' WHERE id = \(c)")
            try connection.query(
                "UPDATE appointments SET scheduled_at = '10000-01-01 00:00:00+00' WHERE case_id = \(d)")
            let huge: Int64 = 9_007_199_254_740_993
            try connection.query(
                """
                INSERT INTO cases (id, user_id, counsellor_id, status, risk_level_at_creation, created_at, resolved_at)
                SELECT \(huge), user_id, counsellor_id, 'resolved', 1, created_at, resolved_at FROM cases WHERE id = \
                \(model)
                """)
            return [a, b, c, d, huge]
        }
    }

    /// Re-opens the cases, changes an appointment of each and resolves them again.
    func reResolve(_ ids: [Int64], on connection: PostgresConnection) throws {
        let idArray = "{" + ids.map(String.init).joined(separator: ",") + "}"
        try connection.query(
            "UPDATE cases SET status = 'in_progress', resolved_at = NULL WHERE id = ANY(\(idArray)::bigint[])")
        try connection.query(
            """
            UPDATE appointments SET status = 'cancelled' WHERE case_id = ANY(\(idArray)::bigint[])
            """)
        try connection.query(
            """
            UPDATE cases SET status = 'resolved', resolved_at = now() WHERE id = ANY(\(idArray)::bigint[])
            """)
    }

    /// Runs the caseattest binary against this test's database; returns its output.
    func runBinary(_ arguments: [String], signer: DaemonSigner, rpcURL: String? = nil) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: environment.binary)
        process.arguments = arguments
        var variables = ProcessInfo.processInfo.environment
        variables["DATABASE_URL"] = databaseURL
        variables["CASEATTEST_RPC_URL"] = rpcURL ?? signer.rpcURL
        variables["CASEATTEST_CONTRACT"] = signer.contract.checksummed
        process.environment = variables
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
