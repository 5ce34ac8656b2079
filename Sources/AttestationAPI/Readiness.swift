import AttestationService
import Ethereum
import EthereumRPC
import Foundation
import Logging
import Postgres

/// What /readyz checks: each check passes by returning and fails by
/// throwing. Checks run concurrently, each bounded by a timeout, so a hung
/// node makes the probe fail quickly instead of hang.
public struct ReadinessProbe: Sendable {
    public struct Check: Sendable {
        public let name: String
        /// A failing non-critical check shows as "degraded": the server still
        /// answers 200, as it still serves requests (e.g. without Redis).
        public let critical: Bool
        public let run: @Sendable () async throws -> Void

        public init(name: String, critical: Bool = true, run: @escaping @Sendable () async throws -> Void) {
            self.name = name
            self.critical = critical
            self.run = run
        }
    }

    /// A failure a check explains itself; its description is shown to
    /// clients. Any other error is shown as "unavailable" and only logged.
    public struct NotReady: Error, CustomStringConvertible, Sendable {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    public struct Result: Sendable {
        public let name: String
        public let critical: Bool
        /// nil when the check passed.
        public let failure: String?
    }

    public let checks: [Check]
    public let timeout: Duration

    public init(checks: [Check], timeout: Duration = .seconds(5)) {
        self.checks = checks
        self.timeout = timeout
    }

    /// The database answers, the node serves `expectedChainID`, and the
    /// signer can pay for gas (`signerFunded`, which `serve` bases on the
    /// signer's balance).
    public static func standard(
        database: PostgresPool, ethereum: EthereumClient, expectedChainID: UInt64,
        signerFunded: @escaping @Sendable () async throws -> Bool,
        extra: [Check] = []
    ) -> ReadinessProbe {
        ReadinessProbe(
            checks: [
                Check(name: "database") {
                    _ = try await database.query("SELECT 1")
                },
                Check(name: "node") {
                    let chainID = try await ethereum.chainID()
                    guard chainID == expectedChainID else {
                        throw NotReady("the node serves chain \(chainID), expected \(expectedChainID)")
                    }
                },
                Check(name: "signer") {
                    guard try await signerFunded() else { throw NotReady("the signer has no balance to pay for gas") }
                },
            ] + extra)
    }

    /// The daily spending budget, non-critical on purpose: a reached budget
    /// is the operator's own limit at work, not a fault. The API still takes
    /// requests (they are stored, committed and batched, and anchored when the
    /// budget allows), so the replica must stay in the load balancer: /readyz
    /// answers 200 and shows the check as "degraded" with when anchors resume.
    public static func budget(_ wait: @escaping @Sendable () -> WorkerMachine.BudgetWait?) -> Check {
        Check(name: "budget", critical: false) {
            guard let wait = wait() else { return }
            let until = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: wait.until))
            throw NotReady("daily spending budget reached (\(wait.reason.rawValue)): new anchors wait until \(until)")
        }
    }

    /// `signerFunded` for `standard`: the address holds more than zero wei.
    public static func balanceIsPositive(
        of address: Address, on ethereum: EthereumClient
    ) -> @Sendable () async throws -> Bool {
        { try await !ethereum.balance(of: address).isZero }
    }

    public func evaluate(logger: Logger) async -> [Result] {
        await withTaskGroup(of: (Int, Result).self) { group in
            for (index, check) in checks.enumerated() {
                group.addTask { (index, await Self.run(check, timeout: timeout, logger: logger)) }
            }
            var results: [(Int, Result)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    private static func run(_ check: Check, timeout: Duration, logger: Logger) async -> Result {
        let failure: String? = await withCheckedContinuation { continuation in
            let once = ResumeOnce(continuation)
            // A check that does not answer in time is reported and left to
            // finish (or fail) on its own; the timer stops once it answers.
            let timer = Task {
                try await Task.sleep(for: timeout)
                once.resume("no answer within \(timeout)")
            }
            Task {
                defer { timer.cancel() }
                do {
                    try await check.run()
                    once.resume(nil)
                } catch let error as NotReady {
                    once.resume(error.description)
                } catch {
                    logger.warning("readiness check failed", metadata: ["check": "\(check.name)", "error": "\(error)"])
                    once.resume("unavailable")
                }
            }
        }
        return Result(name: check.name, critical: check.critical, failure: failure)
    }
}

/// Resumes a continuation exactly once, from whichever side gets there first.
private final class ResumeOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<String?, Never>?

    init(_ continuation: CheckedContinuation<String?, Never>) {
        self.continuation = continuation
    }

    @discardableResult
    func resume(_ value: String?) -> Bool {
        let taken: CheckedContinuation<String?, Never>? = lock.withLock {
            defer { continuation = nil }
            return continuation
        }
        taken?.resume(returning: value)
        return taken != nil
    }
}
