import Ethereum
import EthereumRPC
import Foundation
import Testing

/// Issue 6, "Done when" 3: the daemon talks to the node through a loopback
/// proxy (tests/support/rpc_proxy.py) that goes down for 30 s and then
/// answers errors, garbage and delays at random. Whatever the daemon sees,
/// nothing is confirmed without a receipt on the real node, and the work
/// completes once the node answers again.
struct DaemonNodeFailureTests {
    @Test(.timeLimit(.minutes(20)))  // includes the wait for a daemon slot
    func anUnreachableThenErraticNodeNeverYieldsAFalseConfirmation() async throws {
        try await DaemonTestContext.run { context in
            let signer = try await context.makeSigner()
            let eth = try context.ethereum()
            let (_, proxyURL) = try await context.startPython(
                label: "rpc-proxy", script: "tests/support/rpc_proxy.py",
                arguments: ["--upstream", context.environment.rpcURL, "--port", "0"], marker: "rpc proxy listening on")
            let proxy = try context.ethereum(proxyURL, attempts: 1)
            @Sendable func setMode(_ mode: String) async throws {
                let answer = try await proxy.rpc.call("proxy_setMode", [.string(mode)])
                guard answer == .string(mode) else { throw HarnessError("proxy answered \(answer) to \(mode)") }
            }
            // Every confirmed row so far is backed by the real node.
            @Sendable func audit(_ phase: String) async throws -> Int {
                let audited = try await context.auditConfirmed(signer, confirmations: 2, eth: eth)
                context.log("\(phase): \(audited) confirmed rows audited; \(try await context.attestationCounts())")
                return audited
            }

            try await context.seedCases(600, status: "in_progress")
            let options = DaemonOptions(
                batchMax: 30, batchWait: 0.3, confirmations: 2, rebroadcastAfter: 3, sweepInterval: 2)
            let daemon = context.daemon(signer, rpcURL: proxyURL, options: options)
            try daemon.start()

            try await context.resolveCases(150)
            let firstDone = try await context.waitUntil("150 confirmed through the proxy", timeout: .seconds(40)) {
                try await context.int("SELECT count(*) AS n FROM attestation_state WHERE status = 'confirmed'") >= 150
            }
            context.check(firstDone, "the first 150 cases did not confirm through a passing proxy")
            _ = try await audit("pass")

            // The node disappears for 30 s while new work arrives.
            try await setMode("down")
            try await context.resolveCases(150)
            let downStart = ContinuousClock.now
            var confirmedWhenDown = try await context.int(
                "SELECT count(*) AS n FROM attestation_state WHERE status = 'confirmed'")
            while ContinuousClock.now - downStart < .seconds(30) {
                try await Task.sleep(for: .seconds(5))
                _ = try await audit("down")
                // A moment after it went down nothing new can be confirmed: there is no node to ask.
                if ContinuousClock.now - downStart < .seconds(6) {
                    confirmedWhenDown = try await context.int(
                        "SELECT count(*) AS n FROM attestation_state WHERE status = 'confirmed'")
                }
            }
            let confirmedAfterDown = try await context.int(
                "SELECT count(*) AS n FROM attestation_state WHERE status = 'confirmed'")
            context.check(
                confirmedAfterDown == confirmedWhenDown,
                "\(confirmedAfterDown - confirmedWhenDown) rows were confirmed while the node was unreachable")
            context.check(daemon.isRunning, "the daemon exited while the node was down")

            // Then a node that fails at random.
            try await setMode("chaos")
            try await context.resolveCases(150)
            for _ in 0..<5 {
                try await Task.sleep(for: .seconds(5))
                _ = try await audit("chaos")
            }
            context.check(daemon.isRunning, "the daemon exited under a chaotic node")
            let stats = try await proxy.rpc.call("proxy_stats")
            context.log("proxy stats: \(stats)")

            // The node answers again: everything completes.
            try await setMode("pass")
            try await context.resolveCases(150)
            let done = try await context.waitUntil(
                "600 confirmed after the node returned", timeout: .seconds(90), every: .seconds(1)
            ) {
                try await context.int("SELECT count(*) AS n FROM attestation_state WHERE status = 'confirmed'") >= 600
            }
            let counts = try await context.attestationCounts()
            context.check(done, "work did not complete after the node returned: \(counts)")
            await daemon.terminate()

            try await context.checkEveryCaseConfirmedOnce(expected: 600)
            let audited = try await audit("final")
            context.check(audited == 600, "audited \(audited) confirmed rows")
            try await context.checkRootsAnchoredOnce(signer, eth: eth)
            try await context.checkNonces(signer, eth: eth)
            let warnings = daemon.output.components(separatedBy: "worker step failed").count - 1
            context.log("the daemon logged \(warnings) failed worker steps")
            context.check(warnings > 0, "the daemon never noticed the node was down (no failed worker step logged)")
        }
    }
}
