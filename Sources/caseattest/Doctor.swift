import ArgumentParser
import Foundation
import Logging

/// `caseattest doctor`: checks a deployment's configuration end to end before
/// it goes live, one line per check with ok or FAIL and, for a failure, the
/// fix. Exit 0 only when every check passes. Prints paths, addresses and
/// counts, never a secret.
struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the configuration end to end (database, node, registry, signer, key files, tokens, Redis).",
        discussion: "Exit status 0 when every check passes, 1 otherwise.")

    @OptionGroup var service: ServiceOptions
    @OptionGroup var contract: ContractOptions
    @OptionGroup var signer: SignerOptions
    @OptionGroup var pseudonym: PseudonymOptions
    @OptionGroup(title: "HTTP API") var api: APIOptions

    @Option(
        name: .customLong("max-fee-gwei"), help: "The daemon's fee ceiling, in gwei per gas, to count anchors left at.")
    var maxFeeGwei: UInt64 = 500

    @Option(name: .customLong("min-anchors"), help: "Fewest anchors the signer's balance must pay for at the ceiling.")
    var minAnchors: UInt64 = 100

    @Option(name: .customLong("timeout"), help: "Seconds each network check may take.")
    var timeout: Double = 10

    func run() async throws {
        // Library logs would interleave with the report; only errors show.
        LoggingBootstrap.bootstrap(format: service.logFormat, level: .critical)
        let logger = Logger(label: "caseattest.doctor")
        var checks = DoctorChecks(doctor: self, logger: logger)
        let results = await checks.runAll()
        let width = results.map(\.name.count).max() ?? 0
        for result in results {
            let name = result.name.padding(toLength: width, withPad: " ", startingAt: 0)
            switch result.outcome {
            case .ok(let detail):
                print("ok    \(name)  \(detail)")
            case .fail(let problem, let fix):
                print("FAIL  \(name)  \(problem)")
                print("      \(String(repeating: " ", count: width))  fix: \(fix)")
            }
        }
        let failed = results.filter { if case .fail = $0.outcome { return true } else { return false } }
        print(
            failed.isEmpty ? "all \(results.count) checks passed" : "\(failed.count) of \(results.count) checks failed")
        if !failed.isEmpty { throw ExitCode(1) }
    }
}

/// One check's verdict.
struct DoctorResult: Sendable {
    enum Outcome: Sendable {
        case ok(String)
        case fail(String, fix: String)
    }

    let name: String
    let outcome: Outcome

    static func ok(_ name: String, _ detail: String) -> DoctorResult { DoctorResult(name: name, outcome: .ok(detail)) }
    static func fail(_ name: String, _ problem: String, fix: String) -> DoctorResult {
        DoctorResult(name: name, outcome: .fail(problem, fix: fix))
    }
}

/// A check failed with this problem and fix (thrown inside a check).
struct DoctorFailure: Error {
    let problem: String
    let fix: String
}
