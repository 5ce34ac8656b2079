import Attestation
import Foundation

/// `caseattest verify --metrics-file PATH`: the run's outcome in Prometheus's
/// text format, for node_exporter's textfile collector, so a scheduled verify
/// (a systemd timer, cron) can raise an alert when it finds a problem or stops
/// running. Written to a temporary file and renamed, so the collector never
/// reads half a file.
enum VerifyMetricsFile {
    static let problems = "caseattest_verify_problems"
    static let cases = "caseattest_verify_cases"
    static let lastRun = "caseattest_verify_last_run_timestamp_seconds"
    static let success = "caseattest_verify_last_run_success"

    /// `summary` is nil when the run could not check (exit 2).
    /// `findings`: reconciliation findings and problems of earlier versions,
    /// counted among the problems (they fail the run as a bad verdict does).
    static func render(_ summary: VerdictSummary?, findings: Int = 0, at time: Date) -> String {
        var text = """
            # HELP \(lastRun) Unix time the last `caseattest verify` ended.
            # TYPE \(lastRun) gauge
            \(lastRun) \(Int64(time.timeIntervalSince1970))
            # HELP \(success) 1 when the last run could check (exit 0 or 1), 0 on a usage or infrastructure error.
            # TYPE \(success) gauge
            \(success) \(summary == nil ? 0 : 1)

            """
        guard let summary else { return text }
        text += """
            # HELP \(problems) Cases of the last run whose verdict is not verified, plus chain findings and earlier \
            versions' problems.
            # TYPE \(problems) gauge
            \(problems) \(summary.total - summary.count(.verified) + findings)
            # HELP \(cases) Cases of the last run, by verdict.
            # TYPE \(cases) gauge

            """
        for verdict in Verdict.allCases {
            text += "\(cases){verdict=\"\(verdict.rawValue)\"} \(summary.count(verdict))\n"
        }
        return text
    }

    static func write(_ summary: VerdictSummary?, findings: Int = 0, to path: String, at time: Date = Date()) throws {
        let target = URL(fileURLWithPath: path)
        let temporary = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        do {
            try Data(render(summary, findings: findings, at: time).utf8).write(to: temporary)
        } catch {
            throw CommandFailure(2, "cannot write the metrics file \(path): \(error.localizedDescription)")
        }
        guard rename(temporary.path, target.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CommandFailure(2, "cannot write the metrics file \(path): \(reason)")
        }
    }
}
