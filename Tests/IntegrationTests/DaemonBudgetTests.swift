import AttestationService
import Ethereum
import EthereumRPC
import Foundation
import Postgres
import Registry
import Testing

/// Issue 16, the spending budget: a daily budget that lets anchors through,
/// then holds batches (status, metric and /readyz say so; nothing fails),
/// and across the UTC midnight (the budget's clock offset by
/// CASEATTEST_TEST_CLOCK_OFFSET, test only) the waiting batches anchor and
/// confirm; a stuck anchor replaced while new anchors wait; and
/// --min-anchor-interval spacing anchors.
struct DaemonBudgetTests {
    /// What the first anchor cost, as stored and as the node says.
    struct Anchor {
        let fee: UInt256
        let worstCase: UInt256
    }

    @Test(.timeLimit(.minutes(20)))  // includes the wait for a daemon slot
    func aDailyBudgetHoldsNewAnchorsUntilMidnightAndNothingFails() async throws {
        try await DaemonTestContext.run { context in
            let chainURL = try await context.startDedicatedChain()
            let signer = try await context.makeSigner(rpcURL: chainURL)
            let eth = try context.ethereum(chainURL)
            // A block every second, as on the shared dev chain (confirmations need blocks after the anchor).
            #expect(try await eth.rpc.call("evm_setIntervalMining", [.integer(1)]) == .bool(true))
            // A 50 gwei tip floor makes the anchors' price stable whatever the base fee does.
            var options = DaemonOptions(batchMax: 4, batchWait: 0.3, confirmations: 2)
            options.extra = ["--min-tip-gwei", "50"]

            // One anchor without a budget: its fee is recorded from the receipt.
            try await context.seedCases(4)
            let first = context.daemon(signer, options: options, label: "daemon-unlimited")
            try first.start()
            let anchored = try await context.waitUntil("the first batch confirmed", timeout: .seconds(90)) {
                try await context.confirmedCount() == 4
            }
            try #require(context.check(anchored, "the first batch never confirmed"))
            await first.terminate()
            let calibration = try await context.recordedAnchor(eth)

            // The budget: the first anchor's fee plus 1.25 worst cases. Today one more
            // anchor fits; a third would not, mined or in flight (a fee is >= 0.25 of its worst case).
            let budget = calibration.fee + calibration.worstCase + calibration.worstCase / UInt256(4)
            let now = Date().timeIntervalSince1970
            let secondsToMidnight = 75.0
            let offset = 86_400 - now.truncatingRemainder(dividingBy: 86_400) - secondsToMidnight
            let midnight = now + secondsToMidnight
            context.log("budget \(budget) wei; the budget's midnight in \(secondsToMidnight) s")
            try await context.seedCases(12)
            options.extra += ["--max-spend-per-day", SpendingBudget.formatAmount(budget)]
            options.environment = [TestClockOffset.variable: String(offset)]
            let daemon = context.daemon(signer, options: options)
            try daemon.start()

            let waiting = try await context.waitUntil("new anchors to wait for the budget", timeout: .seconds(50)) {
                daemon.output.contains("the daily spending budget is reached")
            }
            try #require(context.check(waiting, "the daemon never said the budget was reached"))
            let confirmedBefore = try await context.waitUntil("the second batch confirmed", timeout: .seconds(30)) {
                try await context.confirmedCount() == 8
            }
            context.check(confirmedBefore, "the one anchor the budget allowed did not confirm")
            try #require(Date().timeIntervalSince1970 < midnight - 5, "too slow: midnight came before the checks")
            let anchors = try await context.int(
                "SELECT count(*) AS n FROM attestation_transaction WHERE purpose = 'anchor'")
            context.check(anchors == 2, "\(anchors) anchors before midnight, expected 2")
            try await context.checkNothingFailed()
            let held = try await context.int("SELECT count(*) AS n FROM attestation_batch WHERE status = 'batched'")
            context.check(held == 2, "\(held) batches wait, expected 2")

            try await context.checkBudgetShown(signer, daemon: daemon, reached: true, offset: offset)
            // Said once, however many times it looked again meanwhile.
            try await Task.sleep(for: .seconds(max(0, midnight - Date().timeIntervalSince1970 - 3)))
            let saidBefore = daemon.output.components(separatedBy: "the daily spending budget is reached").count - 1
            context.check(saidBefore == 1, "the wait was logged \(saidBefore) times before midnight")
            let signedBefore = try await context.int(
                "SELECT count(*) AS n FROM attestation_transaction WHERE purpose = 'anchor'")
            context.check(signedBefore == 2, "\(signedBefore) anchors signed before the budget's midnight")

            // Past midnight: the waiting batches anchor and confirm.
            let all = try await context.waitUntil("every case confirmed after midnight", timeout: .seconds(120)) {
                try await context.confirmedCount() == 16
            }
            let counts = try await context.attestationCounts()
            context.check(all, "not every case confirmed after midnight: \(counts)")
            context.check(daemon.output.contains("new anchors resume"), "the daemon never said anchors resumed")
            let early = try await context.int(
                """
                SELECT count(*) AS n FROM attestation_transaction
                WHERE purpose = 'anchor' AND id > (SELECT min(id) + 1 FROM attestation_transaction
                    WHERE purpose = 'anchor') AND created_at < \(Date(timeIntervalSince1970: midnight - 0.01))
                """)
            context.check(early == 0, "\(early) held anchors were signed before the budget's midnight")
            try await context.checkNothingFailed()
            try await context.checkBudgetShown(signer, daemon: daemon, reached: false, offset: offset)
            await daemon.terminate()
            try await context.checkSpentAsRecorded(confirmed: 16, signer, eth: eth)
        }
    }

    @Test(.timeLimit(.minutes(20)))  // includes the wait for a daemon slot
    func replacementsGoOnWhileNewAnchorsWait() async throws {
        try await DaemonTestContext.run { context in
            let stuck = try await StuckAnchor.start(context)  // nothing is mined until told
            let (signer, eth) = (stuck.signer, stuck.eth)
            let ceilingGwei: UInt64 = 60
            // The most one anchor can cost: the daemon's gas limit (estimate + 20% + 20,000; 1,000 of slack)
            // at the ceiling. One anchor in flight fits in 1.5 of it; a second does not (each is above 0.75).
            let root = (0..<32).map { _ in UInt8.random(in: 0...255) }
            let estimate = try await eth.estimateGas(
                CallRequest(
                    from: signer.key.address, to: signer.contract,
                    data: try RegistryCalls.anchor(root: root, leafCount: 4)))
            let mostOneAnchor =
                UInt256(estimate + estimate / 5 + 21_000) * UInt256(ceilingGwei) * StuckAnchor.gwei
            let budget = mostOneAnchor + mostOneAnchor / UInt256(2)
            let offset = 86_400 - Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 86_400) - 90
            try await context.seedCases(8)
            var options = DaemonOptions(
                batchMax: 4, batchWait: 0.3, confirmations: 2, replaceAfter: 1, rebroadcastAfter: 1,
                maxFeeGwei: ceilingGwei)
            options.extra = [
                "--min-tip-gwei", "50", "--max-spend-per-day", SpendingBudget.formatAmount(budget),
            ]
            options.environment = [TestClockOffset.variable: String(offset)]
            let daemon = context.daemon(signer, options: options)
            try daemon.start()

            let replacedWhileWaiting = try await context.waitUntil(
                "the first anchor replaced while the second batch waits", timeout: .seconds(45)
            ) {
                let replacements = try await context.int(
                    "SELECT coalesce(sum(replacements), 0)::int AS n FROM attestation_transaction")
                return replacements >= 1 && daemon.output.contains("the daily spending budget is reached")
            }
            try #require(context.check(replacedWhileWaiting, "no replacement while new anchors waited"))
            let anchors = try await context.int(
                "SELECT count(*) AS n FROM attestation_transaction WHERE purpose = 'anchor'")
            context.check(anchors == 1, "\(anchors) anchors signed while the first was in flight")
            let held = try await context.int("SELECT count(*) AS n FROM attestation_batch WHERE status = 'batched'")
            context.check(held == 1, "\(held) batches wait, expected 1")
            try await context.checkNothingFailed()

            // Mining resumes: the replaced anchor confirms, the waiting batch is anchored when the
            // budget has room again (its first anchor mined for less than its worst case, or midnight).
            #expect(try await eth.rpc.call("evm_setIntervalMining", [.integer(1)]) == .bool(true))
            let all = try await context.waitUntil("every case confirmed", timeout: .seconds(150)) {
                try await context.confirmedCount() == 8
            }
            let counts = try await context.attestationCounts()
            context.check(all, "not every case confirmed: \(counts)")
            await daemon.terminate()
            try await context.checkNothingFailed()
            try await context.checkSpentAsRecorded(confirmed: 8, signer, eth: eth)
        }
    }

    @Test(.timeLimit(.minutes(20)))  // includes the wait for a daemon slot
    func theMinimumAnchorIntervalSpacesAnchors() async throws {
        try await DaemonTestContext.run { context in
            let signer = try await context.makeSigner()
            try await context.seedCases(12)
            var options = DaemonOptions(batchMax: 4, batchWait: 0.3, confirmations: 2)
            options.extra = ["--min-anchor-interval", "6s"]
            let daemon = context.daemon(signer, options: options)
            try daemon.start()
            let all = try await context.waitUntil("every case confirmed", timeout: .seconds(120)) {
                try await context.confirmedCount() == 12
            }
            let counts = try await context.attestationCounts()
            context.check(all, "not every case confirmed: \(counts)")
            await daemon.terminate()
            let signedAt = try await context.database.query(
                "SELECT created_at FROM attestation_transaction WHERE purpose = 'anchor' ORDER BY nonce"
            ).rows.map { try $0.decode(Date.self, "created_at").timeIntervalSince1970 }
            context.check(signedAt.count == 3, "\(signedAt.count) anchors for 3 batches")
            for (earlier, later) in zip(signedAt, signedAt.dropFirst()) {
                context.check(later - earlier >= 6, "anchors signed \(later - earlier) s apart, under 6 s")
            }
            context.check(
                daemon.output.contains("new anchors wait for --min-anchor-interval"),
                "the daemon never said anchors wait for the interval")
            try await context.checkNothingFailed()
            try await context.checkEveryCaseConfirmedOnce(expected: 12)
        }
    }
}

/// The test-only clock offset's name (TestClock.swift in the executable).
enum TestClockOffset {
    static let variable = "CASEATTEST_TEST_CLOCK_OFFSET"
}

extension DaemonTestContext {
    /// The end of a budget run: every case confirmed once, every recorded fee
    /// its receipt's, the signer's nonces contiguous.
    func checkSpentAsRecorded(confirmed: Int, _ signer: DaemonSigner, eth: EthereumClient) async throws {
        try await checkEveryCaseConfirmedOnce(expected: confirmed)
        try await checkFeesMatchReceipts(eth)
        try await checkNonces(signer, eth: eth)
    }

    /// The one anchor's recorded fee, checked against its receipt, and its worst case.
    func recordedAnchor(_ eth: EthereumClient) async throws -> DaemonBudgetTests.Anchor {
        let row = try await database.query(
            """
            SELECT mined_hash, gas_used, effective_gas_price::text AS price, gas_limit,
                max_fee_per_gas::text AS max_fee, mined_at FROM attestation_transaction WHERE purpose = 'anchor'
            """
        ).rows[0]
        let hash = try #require(try row.decode(String?.self, "mined_hash"))
        let gasUsed = try #require(try row.decode(Int64?.self, "gas_used"))
        let price = try UInt256(decimal: try #require(try row.decode(String?.self, "price")))
        check(try row.decode(Date?.self, "mined_at") != nil, "the anchor's mined_at is not recorded")
        let receipt = try #require(try await eth.transactionReceipt(Hex.decode(hash)))
        check(
            UInt64(gasUsed) == receipt.gasUsed && price == receipt.effectiveGasPrice,
            """
            recorded \(gasUsed) gas at \(price), the receipt says \(receipt.gasUsed) at \
            \(String(describing: receipt.effectiveGasPrice))
            """)
        let worstCase = SpendingBudget.worstCase(
            gasLimit: UInt64(try row.decode(Int64.self, "gas_limit")),
            maxFeePerGas: try UInt256(decimal: try row.decode(String.self, "max_fee")))
        log("first anchor: fee \(UInt256(UInt64(gasUsed)) * price) wei, worst case \(worstCase) wei")
        return DaemonBudgetTests.Anchor(fee: UInt256(UInt64(gasUsed)) * price, worstCase: worstCase)
    }

    /// Every mined transaction's recorded fee is its receipt's (gas used x effective gas price).
    func checkFeesMatchReceipts(_ eth: EthereumClient) async throws {
        let rows = try await database.query(
            """
            SELECT id, mined_hash, gas_used, effective_gas_price::text AS price FROM attestation_transaction
            WHERE mined_hash IS NOT NULL ORDER BY id
            """
        ).rows
        check(!rows.isEmpty, "no mined transaction")
        for row in rows {
            let id = try row.decode(Int64.self, "id")
            let hash = try row.decode(String.self, "mined_hash")
            let receipt = try await eth.transactionReceipt(try Hex.decode(hash))
            let gasUsed = try row.decode(Int64?.self, "gas_used")
            let price = try row.decode(String?.self, "price").map { try UInt256(decimal: $0) }
            check(
                receipt != nil && gasUsed.map(UInt64.init) == receipt?.gasUsed && price == receipt?.effectiveGasPrice,
                """
                transaction \(id): recorded \(String(describing: gasUsed)) gas at \
                \(String(describing: price)), the receipt says \(String(describing: receipt?.gasUsed)) at \
                \(String(describing: receipt?.effectiveGasPrice))
                """)
        }
    }

    /// Batches wait for the budget; they never fail, and neither does anything else.
    func checkNothingFailed() async throws {
        let failed = try await int(
            """
            SELECT (SELECT count(*) FROM attestation WHERE status = 'failed')
                + (SELECT count(*) FROM attestation_batch WHERE status = 'failed')
                + (SELECT count(*) FROM attestation_transaction WHERE status = 'failed') AS n
            """)
        check(failed == 0, "\(failed) attestations, batches or transactions failed")
    }

    /// `caseattest status`, the metric and /readyz, while the budget holds anchors and after.
    func checkBudgetShown(_ signer: DaemonSigner, daemon: ManagedProcess, reached: Bool, offset: Double) async throws {
        // The heartbeat row (every 10 s) carries the wait to `status`.
        var last = ""
        let shown = try await waitUntil("status to show the budget", timeout: .seconds(25)) {
            let status = try await CLI.run(
                ["status", "--log-level", "warning"],
                environment: [
                    "PATH": "/usr/bin:/bin", "DATABASE_URL": serviceDatabaseURL, "CASEATTEST_RPC_URL": signer.rpcURL,
                    "CASEATTEST_CHAIN_ID": String(TestEnvironment.chainID), TestClockOffset.variable: String(offset),
                ])
            last = status.stdout + status.stderr
            let says = status.stdout.contains("budget REACHED (budget)")
            if says == reached, status.stdout.contains("per UTC day"), status.stdout.contains("last 7 days") {
                log("status:\n\(status.stdout)")
                return true
            }
            return false
        }
        check(shown, "status does not show the budget \(reached ? "reached" : "as open"): \(last)")
        guard let line = daemon.output.split(separator: "\n").first(where: { $0.contains("listening on 127.0.0.1:") }),
            let port = line.split(separator: ":").last.flatMap({ Int($0.prefix { $0.isNumber }) })
        else {
            check(false, "the daemon's API port is not in its log")
            return
        }
        let metrics = try await httpGet("http://127.0.0.1:\(port)/metrics")
        let gauge = metrics.body.split(separator: "\n").first { $0.hasPrefix("caseattest_budget_reached ") }
        check(
            gauge.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) } == (reached ? 1 : 0),
            "metric: \(metrics.body.split(separator: "\n").filter { $0.contains("budget") })")
        let ready = try await httpGet("http://127.0.0.1:\(port)/readyz")
        // A reached budget leaves the API in service: 200, the budget check "degraded".
        check(ready.status == 200, "/readyz answered \(ready.status): \(ready.body)")
        check(
            ready.body.contains("daily spending budget reached") == reached,
            "/readyz does not say the budget is \(reached ? "reached" : "open"): \(ready.body)")
    }

    func httpGet(_ url: String) async throws -> (status: Int, body: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "--max-time", "10", "-w", "\n%{http_code}", url]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let status = text.split(separator: "\n").last.flatMap { Int($0) } ?? 0
        return (status, String(text.dropLast(String(status).count)))
    }
}
