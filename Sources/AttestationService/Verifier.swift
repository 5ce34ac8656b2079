import Attestation
import Ethereum
import EthereumRPC
import Foundation
import Logging
import Postgres
import Registry

/// What the verifier trusts: its own configuration, never what a row says.
public struct VerifierConfiguration: Sendable {
    public var registry: Address
    public var chainID: UInt64
    public var confirmations: UInt64
    /// The daemon's finality; `blocks:confirmations` unless set.
    public var finality: Finality?
    public var pseudonymKey: PseudonymKey

    public init(
        registry: Address, chainID: UInt64, confirmations: UInt64, pseudonymKey: PseudonymKey,
        finality: Finality? = nil
    ) {
        self.registry = registry
        self.chainID = chainID
        self.confirmations = confirmations
        self.pseudonymKey = pseudonymKey
        self.finality = finality
    }

    var expectation: AnchorExpectation {
        AnchorExpectation(
            registry: registry, chainID: chainID, confirmations: confirmations,
            anchoredTopic: RegistryEvents.anchored.topic, finality: finality)
    }
}

/// `caseattest verify`: rows in bulk, the record checks per case, the chain
/// once per batch root, verdicts per case.
public struct Verifier: Sendable {
    let database: PostgresPool
    let chain: VerifierChain
    let configuration: VerifierConfiguration
    let logger: Logger
    /// Cases read and judged at a time.
    let pageSize: Int
    public static let defaultPageSize = 5_000

    public init(
        database: PostgresPool, rpc: JSONRPCClient, configuration: VerifierConfiguration, logger: Logger,
        pageSize: Int = Verifier.defaultPageSize
    ) {
        self.database = database
        var chain = VerifierChain(rpc: rpc, registry: configuration.registry)
        chain.finalityTag = configuration.finality?.blockTag
        self.chain = chain
        self.configuration = configuration
        self.logger = logger
        self.pageSize = max(1, pageSize)
    }

    /// `progress(done, total)` is called as cases are judged (the total is
    /// counted only for it). Cases are read and judged a page at a time, and
    /// each batch root is asked of the chain once, when its first page needs
    /// it: memory grows with the results kept, not with the rows.
    /// `keepVerified: false` keeps only the problems (the summary still counts
    /// every case), for `verify --problems-only`.
    public func verify(
        _ selection: VerificationSelection, keepVerified: Bool = true,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async throws -> VerificationReport {
        let started = ContinuousClock.now
        // Many cases are planned from the statistics; one case (the API's
        // path, per request) looks up by key whatever they say.
        if selection.caseID == nil { await StatisticsFreshness.refreshIfStale(database, logger: logger) }
        // The count (for progress only; a full scan at a million cases) and
        // the first pages, side by side.
        async let counted = progress == nil ? 0 : database.withConnection { try VerifierRows.count(selection, on: $0) }
        var kept: [CaseVerification] = []
        var summary = VerdictSummary()
        var evidence: [AnchorKey: AnchorEvidence] = [:]
        // Pages ahead: PostgreSQL reads the next two pages while this one is
        // judged. Only a page's case ids are read in turn (keyset); its rows
        // load in a task of their own. With one page ahead, a core idled
        // about a fifth of the time: at 1,000,000 cases two pages ahead took
        // 39.0 and 39.9 s, one 47.6 and 46.9 s, three 38.6 s (runs in turns).
        // At most three pages are held: memory stays bounded by the page size.
        var loading: [Task<VerifierRows, Error>] = []
        defer { for task in loading { task.cancel() } }
        var after: Int64?
        var more = true
        func loadAhead() async throws {
            while more && loading.count < Self.pagesAhead {
                let cases = try await pageCases(selection, after: after)
                // One page holds the one case of `--case`.
                more = selection.caseID == nil && !cases.isEmpty
                guard let last = cases.last else { return }
                after = last.id
                loading.append(Task { [self] in try await pageRows(of: cases, selection) })
            }
        }
        try await loadAhead()
        let total = try await counted
        while !loading.isEmpty {
            let rows = try await loading.removeFirst().value
            try await loadAhead()
            kept += try await judge(rows, keepVerified: keepVerified, summary: &summary, evidence: &evidence)
            progress?(summary.total, max(total, summary.total))
        }
        logger.debug(
            "verified",
            metadata: [
                "cases": "\(summary.total)", "anchors": "\(evidence.count)",
                "elapsed": "\(ContinuousClock.now - started)",
            ])
        return VerificationReport(results: kept, summary: summary)
    }

    /// Pages loading while one is judged, each on a connection of the pool.
    static let pagesAhead = 2

    /// The ids of the page of cases after `after`.
    private func pageCases(
        _ selection: VerificationSelection, after: Int64?
    ) async throws
        -> [VerifierRows.PageCase]
    {
        try await database.withConnection { [pageSize] in
            try VerifierRows.pageCases(selection, after: after, limit: pageSize, on: $0)
        }
    }

    /// The rows of a page's cases.
    private func pageRows(
        of page: [VerifierRows.PageCase], _ selection: VerificationSelection
    ) async throws
        -> VerifierRows
    {
        try await database.withConnection { try VerifierRows.load(selection, page: page, on: $0) }
    }

    /// One page: records and proofs here, then the chain for the roots no
    /// earlier page asked about. Every verdict is counted in `summary`; the
    /// results kept (all, or only the problems) are returned in case order.
    private func judge(
        _ page: VerifierRows, keepVerified: Bool, summary: inout VerdictSummary,
        evidence: inout [AnchorKey: AnchorEvidence]
    ) async throws
        -> [CaseVerification]
    {
        var rows = page
        // The chain is asked about the page's new anchors while the page is
        // judged here: its answers no longer wait for the judging to end.
        let newAnchors = Self.anchorKeys(page).filter { evidence[$0] == nil }
        async let prefetched = prefetch(newAnchors)
        var judgements = await localJudgements(rows)
        try await readDocuments(&rows, &judgements)
        // By index into `rows.attested` (in case order): a row is a large
        // value, not copied per case, and no dictionary is built per page.
        var results = [CaseVerification?](repeating: nil, count: rows.attested.count)
        // A verified case not kept is only counted: no result is built for it.
        func settle(_ row: VerifierRow, at index: Int, _ outcome: VerificationOutcome) {
            summary.add(outcome.verdict)
            if keepVerified || outcome.verdict != .verified { results[index] = result(row, outcome) }
        }
        var waiting: [(index: Int, claim: AnchorClaim)] = []
        // Rows are read through the buffer: an array's subscript copies the row.
        rows.attested.withUnsafeBufferPointer { attested in
            for (index, judgement) in judgements.enumerated() {
                switch judgement {
                case .done(let outcome): settle(attested[index], at: index, outcome)
                case .chain(let claim): waiting.append((index, claim))
                case .needsDocument: continue  // none is left after readDocuments
                }
            }
        }
        var unattested: [CaseVerification] = []
        for caseID in rows.missing {
            unattested.append(
                CaseVerification(
                    caseID: caseID, attestationID: nil, version: nil,
                    outcome: VerificationOutcome(.missing, "the case is resolved but has no attestation"),
                    contentHash: nil, root: nil, txHash: nil, blockNumber: nil))
        }
        for caseID in rows.unresolved {
            unattested.append(
                CaseVerification(
                    caseID: caseID, attestationID: nil, version: nil,
                    outcome: VerificationOutcome(.pending, "the case is not resolved; nothing is attested yet"),
                    contentHash: nil, root: nil, txHash: nil, blockNumber: nil))
        }
        for result in unattested { summary.add(result.verdict) }
        if let answers = try await prefetched { try merge(answers, into: &evidence) }
        // Any claim the rows did not foretell (none, unless a row is odd) is asked now.
        let unknown = Array(
            Set(waiting.map { AnchorKey(root: $0.claim.root, txHash: $0.claim.txHash) })
                .filter { evidence[$0] == nil })
        if let answers = try await prefetch(unknown) { try merge(answers, into: &evidence) }
        // Built once per page: the expectation hashes the event's signature.
        let expected = configuration.expectation
        rows.attested.withUnsafeBufferPointer { attested in
            // A batch's cases are neighbours and share their anchor: it is
            // looked up again only when it changes.
            var last: (key: AnchorKey, evidence: AnchorEvidence)?
            for (index, claim) in waiting {
                let found: AnchorEvidence
                if let last, last.key.root == claim.root, last.key.txHash == claim.txHash {
                    found = last.evidence
                } else {
                    let key = AnchorKey(root: claim.root, txHash: claim.txHash)
                    guard let stored = evidence[key] else { continue }
                    (found, last) = (stored, (key, stored))
                }
                var outcome = AnchorCheck.evaluate(claim, evidence: found, expected: expected)
                // Only an attestation that verifies is held to its published copy:
                // a worse verdict says more.
                if outcome.verdict == .verified,
                    let copy = PublishedRecordCheck.evaluate(
                        attested[index].record, published: attested[index].published)
                {
                    outcome = copy
                }
                settle(attested[index], at: index, outcome)
            }
        }
        return Self.inCaseOrder(results.compactMap { $0 }, unattested)
    }

    /// The chain's answers about `keys`; nil when there are none to ask about.
    private func prefetch(_ keys: [AnchorKey]) async throws -> VerifierChain.Answers? {
        keys.isEmpty ? nil : try await chain.fetch(keys)
    }

    private func merge(_ answers: VerifierChain.Answers, into evidence: inout [AnchorKey: AnchorEvidence]) throws {
        guard answers.chainID == configuration.chainID else {
            throw VerifierError(
                .chainMismatch, "the node serves chain \(answers.chainID), expected \(configuration.chainID)")
        }
        evidence.merge(answers.evidence) { _, new in new }
    }

    /// The anchors the page's rows name (batch root and transaction), each
    /// once, for rows that may reach the chain: not legacy, not erased, with
    /// a transaction. A malformed hash is left to the row's own judgement.
    static func anchorKeys(_ rows: VerifierRows) -> [AnchorKey] {
        // A batch's rows are neighbours: the memo parses each anchor once.
        let memo = JudgingMemo()
        var keys = Set<AnchorKey>()
        var last: AnchorKey?
        rows.attested.withUnsafeBufferPointer { attested in
            for row in attested {
                guard !row.record.legacy, row.record.erasedAt == nil, let rootText = row.batchRoot,
                    let txText = row.record.txHash, let root = memo.root(rootText),
                    let txHash = memo.transaction(txText)
                else { continue }
                let key = AnchorKey(root: root, txHash: txHash)
                guard key != last else { continue }
                keys.insert(key)
                last = key
            }
        }
        return Array(keys)
    }

    /// Two lists each in case order, of different cases, merged into one in case order.
    static func inCaseOrder(_ first: [CaseVerification], _ second: [CaseVerification]) -> [CaseVerification] {
        var merged: [CaseVerification] = []
        merged.reserveCapacity(first.count + second.count)
        var (i, j) = (0, 0)
        while i < first.count || j < second.count {
            if j == second.count || (i < first.count && first[i].caseID < second[j].caseID) {
                merged.append(first[i])
                i += 1
            } else {
                merged.append(second[j])
                j += 1
            }
        }
        return merged
    }

    /// The few rows whose case changed since it was attested: their stored
    /// documents are read (a page leaves them unread) and they are judged again.
    private func readDocuments(_ rows: inout VerifierRows, _ judgements: inout [Judgement]) async throws {
        let wanted = judgements.indices.filter { if case .needsDocument = judgements[$0] { true } else { false } }
        guard !wanted.isEmpty else { return }
        let ids = wanted.map { rows.attested[$0].record.id }
        let documents = try await database.withConnection { try VerifierRows.documents(ids: ids, on: $0) }
        for index in wanted {
            // A document gone since the page was read is judged as one never stored.
            rows.attested[index].record.attestedDocument = documents[rows.attested[index].record.id]
            rows.attested[index].unreadDocumentHash = nil
            let row = rows.attested[index]
            judgements[index] = localJudgement(row, snapshot: rows.snapshots[row.record.caseID])
        }
    }

    /// `localJudgement` of each attested row, in row order. A large page is
    /// split into contiguous chunks judged side by side, one per core: the
    /// rebuilding, hashing and proofs are pure and independent per case.
    private func localJudgements(_ rows: VerifierRows) async -> [Judgement] {
        let attested = rows.attested
        let chunkCount = min(Self.judgingTasks, attested.count / Self.smallestChunk)
        guard chunkCount > 1 else {
            let memo = JudgingMemo()
            return attested.map { localJudgement($0, snapshot: rows.snapshots[$0.record.caseID], memo: memo) }
        }
        let chunkSize = (attested.count + chunkCount - 1) / chunkCount
        return await withTaskGroup(of: (chunk: Int, judgements: [Judgement]).self) { group in
            for chunk in 0..<chunkCount {
                let range = chunk * chunkSize..<min(attested.count, (chunk + 1) * chunkSize)
                group.addTask {
                    let memo = JudgingMemo()
                    // Through the buffer: an array's subscript copies the row.
                    let judgements = attested.withUnsafeBufferPointer { attested in
                        range.map {
                            localJudgement(
                                attested[$0], snapshot: rows.snapshots[attested[$0].record.caseID], memo: memo)
                        }
                    }
                    return (chunk, judgements)
                }
            }
            var chunks = [[Judgement]](repeating: [], count: chunkCount)
            for await done in group { chunks[done.chunk] = done.judgements }
            return chunks.flatMap { $0 }
        }
    }

    /// One task per core; chunks smaller than this are not worth a task.
    static let judgingTasks = max(1, ProcessInfo.processInfo.activeProcessorCount)
    static let smallestChunk = 500

    enum Judgement: Sendable {
        case done(VerificationOutcome)
        case chain(AnchorClaim)
        /// The record changed and its stored document was not read: read it, judge again.
        case needsDocument
    }

    /// Everything that needs no chain: status, erasure, record and proof.
    /// `earlier`: a version before the latest, checked against its own stored document.
    /// `memo`: shared by the rows one task judges, whose proofs share nodes
    /// and whose anchors are spelled alike.
    func localJudgement(
        _ row: VerifierRow, snapshot: CaseSnapshot?, earlier: Bool = false, memo: JudgingMemo = JudgingMemo()
    ) -> Judgement {
        let record = row.record
        if record.legacy {
            return .done(
                VerificationOutcome(
                    .legacy,
                    """
                    version \(record.version) was written by the backend before this service existed: no salt, \
                    document or anchor, nothing can be verified
                    """
                ))
        }
        if let erasedAt = record.erasedAt {
            return .done(
                VerificationOutcome(
                    .erased,
                    """
                    the salt was destroyed at \(Self.iso(erasedAt)); the anchored root can no longer be linked to this \
                    case
                    """
                ))
        }
        switch record.status {
        case .requested, .committed, .batched, .signed, .submitted:
            return .done(
                VerificationOutcome(.pending, "attestation version \(record.version) is \(record.status.rawValue)"))
        case .failed where record.txHash == nil:
            return .done(
                VerificationOutcome(
                    .pending,
                    """
                    attestation version \(record.version) failed (\(record.lastError ?? "no reason recorded")); it is \
                    tried again on the retry schedule, when the case's rows change, or when an operator asks
                    """
                ))
        case .mined, .confirmed, .failed:
            break
        }
        guard let saltBytes = record.salt, let salt = try? Salt(bytes: saltBytes) else {
            return .done(
                VerificationOutcome(.erased, "the salt is gone; the anchored root can no longer be linked to this case")
            )
        }
        guard let hashText = record.contentHash, let contentHash = try? ContentHash(hex: hashText) else {
            return .done(VerificationOutcome(.proofInvalid, "the stored content_hash is missing or malformed"))
        }
        guard let rootText = row.batchRoot, let root = memo.root(rootText) else {
            return .done(VerificationOutcome(.proofInvalid, "the attestation has no batch root"))
        }
        let proof: [[UInt8]]
        let leaf: [UInt8]?
        do {
            proof = try record.proofHashes()
            leaf = try record.leaf.map { try ContentHash(hex: $0).bytes }
        } catch {
            return .done(VerificationOutcome(.proofInvalid, "the stored leaf or proof is malformed"))
        }
        let stored = StoredAttestation(
            contentHash: contentHash, attestedDocument: record.attestedDocument,
            leaf: leaf, proof: proof, root: root, unreadDocumentHash: row.unreadDocumentHash)
        if earlier {
            // Today's rows describe a later version: the stored document stands in.
            if let outcome = RecordCheck.evaluateEarlier(stored) { return .done(outcome) }
        } else {
            // Rebuilt as it was committed: a v1 row stays v1 after the upgrade.
            guard let schema = CaseDocument.Schema(stored: record.schemaVersion) else {
                return .done(
                    VerificationOutcome(
                        .recordChanged,
                        "the stored schema_version is not one this verifier knows"))
            }
            let current = snapshot?.document(pseudonymKey: configuration.pseudonymKey, salt: salt, schema: schema)
            switch RecordCheck.judge(stored, current: current, proofs: memo.proofs) {
            case .judged(let outcome?): return .done(outcome)
            case .judged(nil): break
            case .needsDocument: return .needsDocument
            }
        }

        guard let txText = record.txHash, let txHash = memo.transaction(txText) else {
            return .done(VerificationOutcome(.pending, "no anchoring transaction is recorded yet"))
        }
        guard let chainID = record.chainID, chainID >= 0 else {
            return .done(VerificationOutcome(.wrongContract, "the attestation records no chain id"))
        }
        guard let contractText = record.contractAddress, let contract = memo.contract(contractText) else {
            return .done(VerificationOutcome(.wrongContract, "the attestation records no valid contract address"))
        }
        let blockHash = record.blockHash.flatMap(memo.block)
        return .chain(
            AnchorClaim(
                root: root, txHash: txHash, chainID: UInt64(chainID), contract: contract,
                blockNumber: record.blockNumber.flatMap { $0 >= 0 ? UInt64($0) : nil }, blockHash: blockHash,
                attestedAt: record.attestedAt.map { Int64($0.timeIntervalSince1970.rounded()) },
                leafIndex: record.leafIndex, proofLength: proof.count))
    }

    func result(_ row: VerifierRow, _ outcome: VerificationOutcome) -> CaseVerification {
        CaseVerification(
            caseID: row.record.caseID, attestationID: row.record.id, version: row.record.version,
            outcome: outcome, contentHash: row.record.contentHash, root: row.batchRoot,
            txHash: row.record.txHash, blockNumber: row.record.blockNumber)
    }

    static func iso(_ date: Date) -> String {
        Timestamp(microsecondsSinceEpoch: Int64((date.timeIntervalSince1970 * 1_000_000).rounded())).description
    }
}
