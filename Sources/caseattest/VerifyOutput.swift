import Attestation
import AttestationService
import Foundation

/// The human form of `verify`: one row per case, then the counts.
enum VerifyTable {
    static func render(_ report: VerificationReport) -> String {
        var lines = [pad("CASE", 8) + " " + pad("VER", 4) + " " + pad("VERDICT", 15) + " REASON"]
        for result in report.results {
            var reason = result.outcome.reason
            if reason.count > 160 { reason = String(reason.prefix(157)) + "..." }
            lines.append(
                pad(String(result.caseID), 8) + " " + pad(result.version.map(String.init) ?? "-", 4) + " "
                    + pad(result.verdict.rawValue, 15) + " " + reason)
        }
        lines.append("")
        lines.append(summaryLine(report.summary))
        return lines.joined(separator: "\n") + "\n"
    }

    /// `verify --history`: every version of each case, oldest first.
    static func render(_ history: HistoryReport, of report: VerificationReport) -> String {
        var lines = ["", "HISTORY"]
        for result in report.results {
            guard let versions = history.cases[result.caseID]?.versions, !versions.isEmpty else { continue }
            lines.append("case \(result.caseID)" + (history.cases[result.caseID]?.amended == true ? " (amended)" : ""))
            for version in versions {
                var line =
                    "  v\(version.result.version.map(String.init) ?? "-") " + pad(version.result.verdict.rawValue, 15)
                if let root = version.result.root { line += " root " + root }
                if let block = version.result.blockNumber { line += " block \(block)" }
                if let changes = version.changedFromPrevious {
                    line += " changed: " + (changes.isEmpty ? "nothing" : changes.joined(separator: ", "))
                }
                lines.append(line)
            }
        }
        lines.append("")
        lines.append(
            """
            \(history.amendedCount) \(history.amendedCount == 1 ? "case" : "cases") amended after the first \
            attestation
            """
                + (history.earlierProblems == 0 ? "" : "; \(history.earlierProblems) earlier versions not verified"))
        return lines.joined(separator: "\n") + "\n"
    }

    static func summaryLine(_ summary: VerdictSummary) -> String {
        let parts = Verdict.allCases.compactMap { verdict -> String? in
            let count = summary.count(verdict)
            return count == 0 ? nil : "\(count) \(verdict.rawValue)"
        }
        let noun = summary.total == 1 ? "case" : "cases"
        return "\(summary.total) \(noun)" + (parts.isEmpty ? "" : ": " + parts.joined(separator: ", "))
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}

/// `verify --json`: {"cases": [...], "summary": {...}, "reconciliation": {...}};
/// the summary counts reconciliation findings beside the verdicts.
enum VerifyJSON {
    /// With `explorer`, each case anchored by a transaction gets `explorer_tx`, its explorer page.
    static func document(
        _ report: VerificationReport?, _ reconciliation: ReconciliationReport?,
        _ history: HistoryReport? = nil, explorer: ChainProfile? = nil
    ) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = []
        var summary: [(key: String, value: JSONValue)] = []
        if let report {
            members.append(
                (
                    "cases",
                    .array(
                        report.results.map { result in
                            result.withExplorerLink(
                                history?.annotate(result.json, caseID: result.caseID) ?? result.json,
                                profile: explorer)
                        })
                ))
            if case .object(let counts) = report.summary.json { summary = counts }
            if let history {
                summary.append(("amended", .number(Double(history.amendedCount))))
                summary.append(("earlier_versions_not_verified", .number(Double(history.earlierProblems))))
            }
        }
        if let reconciliation {
            summary.append(("findings", .number(Double(reconciliation.findings.count))))
            members.append(("reconciliation", reconciliation.json))
        }
        members.append(("summary", .object(summary)))
        return .object(members)
    }
}

/// A one-line progress bar on stderr, redrawn in place; only on a terminal.
final class ProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    private var drawn = false
    private let minimumTotal: Int

    init(minimumTotal: Int = 500) {
        self.minimumTotal = minimumTotal
    }

    /// `update` as a callback, or nil when nothing is drawn (stderr is not a
    /// terminal): then nobody needs the totals, and they are not counted.
    var updates: (@Sendable (Int, Int) -> Void)? {
        guard Terminal.standardErrorIsTTY else { return nil }
        return { [self] done, total in update(done: done, total: total) }
    }

    func update(done: Int, total: Int) {
        guard total >= minimumTotal, Terminal.standardErrorIsTTY else { return }
        lock.withLock {
            let width = 40
            let filled = total == 0 ? width : min(width, done * width / total)
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total) cases".utf8))
            drawn = true
        }
    }

    func finish() {
        lock.withLock {
            if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            drawn = false
        }
    }
}
