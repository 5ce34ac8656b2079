import Ethereum
import EthereumRPC
import Foundation
import Postgres
import Testing

/// Issue 11, the bounded chaos run: a few thousand cases resolved in waves
/// while the daemon is SIGKILLed, PostgreSQL (a cluster of the test's own) is
/// restarted, the node's answers go bad or away, and unattestable rows sit
/// among the good ones. Every good case is confirmed exactly once, every bad
/// one failed with a reason, nonces are contiguous, no root is anchored twice.
struct DaemonChaosTests {
    @Test(.timeLimit(.minutes(20)))  // includes the wait for a daemon slot
    func killsRestartsNodeFaultsAndBadRowsLoseAndDoubleNothing() async throws {
        try await DaemonTestContext.run(ownPostgres: true) { context in
            let signer = try await context.makeSigner()
            let eth = try context.ethereum()
            let (_, proxyURL) = try await context.startPython(
                label: "rpc-proxy", script: "tests/support/rpc_proxy.py",
                arguments: ["--upstream", signer.rpcURL, "--seed", "11"],
                marker: "rpc proxy listening on")
            let proxy = try context.ethereum(proxyURL)
            @Sendable func mode(_ name: String) async throws {
                _ = try await proxy.rpc.call("proxy_setMode", [.string(name)])
            }
            let total = 2_500
            let ids = try await context.seedCases(total - 1, status: "in_progress")
            let bad = try await context.makeUnattestable(ids)
            let options = DaemonOptions(
                batchMax: 64, batchWait: 0.3, confirmations: 2, replaceAfter: 20, rebroadcastAfter: 3,
                sweepInterval: 3)
            let daemon = context.daemon(signer, rpcURL: proxyURL, options: options)
            try daemon.start()

            var generator = SystemRandomNumberGenerator()
            var events: [String] = []
            for round in 1...24 {
                _ = try await context.retrying { try await context.resolveCases(110) }
                try await Task.sleep(for: .milliseconds(Int.random(in: 300...1_800, using: &generator)))
                switch round {
                case 3, 8, 12, 17, 21:
                    await daemon.kill()
                    if Bool.random(using: &generator) {
                        try await Task.sleep(for: .milliseconds(Int.random(in: 0...600, using: &generator)))
                    }
                    try daemon.start()
                    events.append("SIGKILL")
                case 6, 15:
                    try await context.postgres?.restart()
                    _ = try await context.retrying { try await context.int("SELECT 1 AS n") }
                    events.append("PostgreSQL restart")
                case 4, 13, 19:
                    try await mode("chaos")
                    events.append("node chaos")
                case 5, 14, 20:
                    try await mode("pass")
                case 10:
                    try await mode("down")
                    events.append("node down")
                case 11:
                    try await mode("pass")
                default:
                    break
                }
            }
            try await mode("pass")
            context.log("events: \(events)")
            let good = total - bad.count
            let settled = try await context.waitUntil("every case settled", timeout: .seconds(180), every: .seconds(1))
            {
                let counts = try await context.retrying { try await context.attestationCounts() }
                return counts["confirmed"] == good && counts["failed"] == bad.count
            }
            let counts = try await context.attestationCounts()
            context.check(settled, "expected \(good) confirmed and \(bad.count) failed: \(counts)")
            try await Task.sleep(for: .seconds(2))
            await daemon.terminate()

            let rows = try await context.int("SELECT count(*) AS n FROM attestation")
            let distinct = try await context.int("SELECT count(DISTINCT case_id) AS n FROM attestation")
            context.check(
                rows == total && distinct == total,
                "\(rows) attestation rows for \(distinct) cases, expected \(total) each")
            let failed = Set(
                try await context.database.query(
                    """
                    SELECT case_id FROM attestation WHERE status = 'failed' AND last_error LIKE '%document%'
                    """
                ).rows.map { try $0.decode(Int64.self, "case_id") })
            context.check(failed == Set(bad), "failed with a reason: \(failed.sorted()), expected \(bad.sorted())")
            let audited = try await context.auditConfirmed(signer, confirmations: options.confirmations, eth: eth)
            context.check(audited == good, "audited \(audited) confirmed rows, expected \(good)")
            try await context.checkRootsAnchoredOnce(signer, eth: eth)
            try await context.checkNonces(signer, eth: eth)
            let stats = try await proxy.rpc.call("proxy_stats")
            context.log("daemon started \(daemon.starts) times; proxy \(stats)")
        }
    }
}

extension DaemonTestContext {
    /// Retries `body` for a while: the test's own connections break when it restarts PostgreSQL.
    func retrying<T>(_ body: () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await body()
            } catch {
                attempt += 1
                if attempt >= 40 { throw error }
                try await Task.sleep(for: .milliseconds(250))
            }
        }
    }
}
