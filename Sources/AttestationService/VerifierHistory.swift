import Attestation
import Foundation
import Postgres

/// One version of a case: its own verdict (an earlier version is checked
/// against its stored document and its anchor) and what changed since the
/// version before it.
public struct VersionVerification: Sendable, Hashable {
    public let result: CaseVerification
    public let attestedAt: Date?
    /// Fields changed from the previous version (named as `record-changed`
    /// names them); nil for the first version, or when a document is gone.
    public let changedFromPrevious: [String]?

    public var json: JSONValue {
        guard case .object(var members) = result.json else { return result.json }
        members.removeAll { $0.key == "case_id" }
        members.append(("attested_at", attestedAt.map { .string(Verifier.iso($0)) } ?? .null))
        members.append(("changed_from_previous", changedFromPrevious.map { .array($0.map(JSONValue.string)) } ?? .null))
        return .object(members)
    }
}

/// Every version of one case, oldest first.
public struct CaseHistory: Sendable, Hashable {
    public let caseID: Int64
    public let versions: [VersionVerification]

    /// Attested (anchored) once, and attested again since: the record was
    /// re-opened and rewritten after its first attestation.
    public var amended: Bool {
        versions.count > 1 && versions.dropLast().contains { $0.result.txHash != nil }
    }

    public var json: JSONValue { .array(versions.map(\.json)) }
}

/// `verify --history`: per case, every version.
public struct HistoryReport: Sendable {
    public let cases: [Int64: CaseHistory]

    public var amendedCount: Int { cases.values.count { $0.amended } }
    /// A case's `verify --json` object with its "history" and "amended" added.
    public func annotate(_ caseJSON: JSONValue, caseID: Int64) -> JSONValue {
        guard case .object(var members) = caseJSON else { return caseJSON }
        members.append(("amended", .bool(cases[caseID]?.amended ?? false)))
        members.append(("history", cases[caseID]?.json ?? .array([])))
        return .object(members)
    }

    /// Earlier versions whose own verdict is not `verified`.
    public var earlierProblems: Int {
        cases.values.reduce(0) { $0 + $1.versions.dropLast().count { $0.result.verdict != .verified } }
    }
}

extension Verifier {
    /// Every version of the selected cases. The latest version's verdict is
    /// the one `latest` gave; earlier versions are judged here, their anchors
    /// asked of the chain in the same batched way.
    public func history(_ selection: VerificationSelection, latest: VerificationReport) async throws -> HistoryReport {
        let (caseID, since, counsellor) = (selection.caseID, selection.resolvedSince, selection.counsellorID)
        let rows = try await database.withConnection { connection in
            try connection.query(
                """
                SELECT a.*, b.root AS batch_root FROM (
                    SELECT \(unescaped: AttestationRecord.columns) FROM \(unescaped: AttestationRecord.view)
                    WHERE case_id IN (
                        SELECT id FROM cases
                        WHERE (\(caseID)::bigint IS NULL OR id = \(caseID))
                          AND (\(since)::timestamptz IS NULL OR resolved_at >= \(since))
                          AND (\(counsellor)::bigint IS NULL OR counsellor_id = \(counsellor)))) a
                LEFT JOIN attestation_batch b ON b.id = a.batch_id
                ORDER BY a.case_id, a.version
                """
            ).rows.map { row in
                VerifierRow(
                    record: try AttestationRecord(row: row), batchRoot: try row.decode(String?.self, "batch_root"))
            }
        }
        let latestByCase = Dictionary(
            latest.results.compactMap { result in result.attestationID.map { (result.caseID, ($0, result)) } },
            uniquingKeysWith: { first, _ in first })

        var outcomes: [Int64: CaseVerification] = [:]  // by attestation id
        var waiting: [(row: VerifierRow, claim: AnchorClaim)] = []
        for row in rows {
            if let known = latestByCase[row.record.caseID], known.0 == row.record.id {
                outcomes[row.record.id] = known.1
                continue
            }
            switch localJudgement(row, snapshot: nil, earlier: true) {
            case .done(let outcome): outcomes[row.record.id] = result(row, outcome)
            case .chain(let claim): waiting.append((row, claim))
            case .needsDocument: continue  // only for a page's unread document; these rows carry theirs
            }
        }
        if !waiting.isEmpty {
            let keys = Array(Set(waiting.map { AnchorKey(root: $0.claim.root, txHash: $0.claim.txHash) }))
            let answers = try await chain.fetch(keys)
            guard answers.chainID == configuration.chainID else {
                throw VerifierError(
                    .chainMismatch, "the node serves chain \(answers.chainID), expected \(configuration.chainID)")
            }
            for (row, claim) in waiting {
                guard let evidence = answers.evidence[AnchorKey(root: claim.root, txHash: claim.txHash)] else {
                    continue
                }
                outcomes[row.record.id] = result(
                    row,
                    AnchorCheck.evaluate(
                        claim, evidence: evidence,
                        expected: configuration.expectation))
            }
        }

        var cases: [Int64: CaseHistory] = [:]
        for group in Dictionary(grouping: rows, by: \.record.caseID) {
            let ordered = group.value.sorted { $0.record.version < $1.record.version }
            var versions: [VersionVerification] = []
            for (index, row) in ordered.enumerated() {
                guard let outcome = outcomes[row.record.id] else { continue }
                let changes =
                    index == 0
                    ? nil
                    : RecordCheck.changesBetween(
                        earlier: ordered[index - 1].record.attestedDocument, later: row.record.attestedDocument)
                versions.append(
                    VersionVerification(
                        result: outcome, attestedAt: row.record.attestedAt, changedFromPrevious: changes))
            }
            cases[group.key] = CaseHistory(caseID: group.key, versions: versions)
        }
        return HistoryReport(cases: cases)
    }
}
