import ArgumentParser
import Ethereum
import EthereumRPC
import Foundation
import Logging
import Postgres

/// The doctor's checks in order. Later checks reuse what earlier ones
/// established (the pool, the node, the signer's address) and say "not
/// checked" rather than fail twice for one cause.
struct DoctorChecks {
    let doctor: Doctor
    let logger: Logger
    var pool: PostgresPool?
    var ethereum: EthereumClient?
    var signerAddress: Address?
    var registry: Address?

    init(doctor: Doctor, logger: Logger) {
        self.doctor = doctor
        self.logger = logger
    }

    mutating func runAll() async -> [DoctorResult] {
        var results: [DoctorResult] = []
        results.append(await database())
        results.append(await migrations())
        results.append(await roleRights())
        results.append(await node())
        results.append(signerKey())
        results.append(await registryDeployed())
        results.append(await attester())
        results.append(await balance())
        results.append(keyPermissions())
        results.append(pseudonymKey())
        results.append(apiTokens())
        results.append(await redis())
        await pool?.close()
        return results
    }

    /// Runs `body` as the check `name`: a DoctorFailure it throws becomes
    /// that failure, any other error a failure with `fix`.
    func check(_ name: String, fix: String, _ body: () async throws -> String) async -> DoctorResult {
        do {
            return .ok(name, try await body())
        } catch let failure as DoctorFailure {
            return .fail(name, failure.problem, fix: failure.fix)
        } catch {
            return .fail(name, "\(error)", fix: fix)
        }
    }

    /// `body`, or a failure once `doctor.timeout` has passed. A call that
    /// hangs is left behind (the process ends soon anyway).
    func bounded<T: Sendable>(_ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let seconds = doctor.timeout
        let result: Result<T, any Error> = await withCheckedContinuation { continuation in
            let once = OnceBox(continuation)
            let timer = Task {
                try await Task.sleep(for: .seconds(seconds))
                once.resume(
                    .failure(
                        DoctorFailure(
                            problem: "\(what): no answer within \(seconds) s",
                            fix: "check that it runs and that this host can reach it")))
            }
            Task {
                defer { timer.cancel() }
                do { once.resume(.success(try await body())) } catch { once.resume(.failure(error)) }
            }
        }
        return try result.get()
    }

    static func notChecked(_ cause: String) -> DoctorFailure {
        DoctorFailure(problem: "not checked: \(cause)", fix: "fix the failure above first")
    }
}

/// Resumes a continuation once, from whichever side gets there first.
final class OnceBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, Never>?

    init(_ continuation: CheckedContinuation<T, Never>) { self.continuation = continuation }

    func resume(_ value: T) {
        let taken: CheckedContinuation<T, Never>? = lock.withLock {
            defer { continuation = nil }
            return continuation
        }
        taken?.resume(returning: value)
    }
}
