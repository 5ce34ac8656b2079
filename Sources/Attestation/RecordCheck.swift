import Ethereum

/// What an attestation row stored when it was committed and batched.
public struct StoredAttestation: Sendable, Hashable {
    public var contentHash: ContentHash
    /// The canonical bytes that were hashed; nil for rows written before
    /// the column existed (then changed fields cannot be named).
    public var attestedDocument: [UInt8]?
    /// The stored leaf; nil when the row kept none.
    public var leaf: [UInt8]?
    public var proof: [[UInt8]]
    public var root: [UInt8]
    /// The SHA-256 of the stored document when the reader took only that and
    /// left the document unread (a page of many cases: the document itself
    /// is needed only to name the fields of a changed record).
    public var unreadDocumentHash: ContentHash?

    public init(
        contentHash: ContentHash, attestedDocument: [UInt8]?, leaf: [UInt8]?, proof: [[UInt8]], root: [UInt8],
        unreadDocumentHash: ContentHash? = nil
    ) {
        self.contentHash = contentHash
        self.attestedDocument = attestedDocument
        self.leaf = leaf
        self.proof = proof
        self.root = root
        self.unreadDocumentHash = unreadDocumentHash
    }
}

/// What `RecordCheck.judge` concludes.
public enum RecordVerdict: Sendable, Hashable {
    /// nil: record and proof are consistent (go on to the chain).
    case judged(VerificationOutcome?)
    /// The rows changed and the stored document was left unread: read it
    /// (into `attestedDocument`) and judge again, to name the changed fields.
    case needsDocument
}

/// The off-chain half of verification: the document rebuilt from today's rows
/// must hash to the stored content hash, whose leaf must lead to the batch
/// root through the stored proof. Pure; the chain half is `AnchorCheck`.
public enum RecordCheck {
    /// nil when record and proof are consistent (go on to the chain);
    /// otherwise the verdict. `current` is nil when the case row is gone.
    public static func evaluate(_ stored: StoredAttestation, current: CaseDocumentV1?) -> VerificationOutcome? {
        var stored = stored
        stored.unreadDocumentHash = nil
        // `needsDocument` is only answered for an unread document, cleared above.
        guard case .judged(let outcome) = judge(stored, current: current) else { return nil }
        return outcome
    }

    /// `evaluate`, for a stored attestation whose document may be unread
    /// (`unreadDocumentHash`): whether the stored document is intact is told
    /// by its hash; it is asked for only when the rows changed. `proofs`
    /// spares a caller checking many leaves of a batch hashing shared nodes again.
    public static func judge(
        _ stored: StoredAttestation, current: CaseDocumentV1?, proofs: MerkleProofCache? = nil
    ) -> RecordVerdict {
        let storedDocumentIntact =
            stored.attestedDocument.map { ContentHash(canonicalBytes: $0) == stored.contentHash }
            ?? stored.unreadDocumentHash.map { $0 == stored.contentHash }
        guard let current else {
            return .judged(
                VerificationOutcome(
                    .recordChanged, "the case row no longer exists", changedFields: ["case removed"]))
        }
        let currentBytes: [UInt8]
        do {
            currentBytes = try current.canonicalBytes()
        } catch {
            return .judged(
                VerificationOutcome(
                    .recordChanged, "the current rows cannot form a case document: \(error.message)"))
        }
        if ContentHash(canonicalBytes: currentBytes) != stored.contentHash {
            if stored.attestedDocument == nil && stored.unreadDocumentHash != nil { return .needsDocument }
            return .judged(changed(stored, currentBytes: currentBytes, storedDocumentIntact: storedDocumentIntact))
        }
        if storedDocumentIntact == false {
            return .judged(
                VerificationOutcome(
                    .recordChanged,
                    """
                    attestation.attested_document was altered: it no longer hashes to content_hash (the case rows \
                    still match)
                    """,
                    changedFields: ["attested_document"]))
        }
        return .judged(proofOutcome(stored, proofs: proofs))
    }

    /// The stored leaf is the content hash's, and its proof leads to the batch root; nil when so.
    static func proofOutcome(_ stored: StoredAttestation, proofs: MerkleProofCache? = nil) -> VerificationOutcome? {
        let expectedLeaf = MerkleTree.leafHash(stored.contentHash)
        if let leaf = stored.leaf, leaf != expectedLeaf {
            return VerificationOutcome(.proofInvalid, "the stored leaf is not keccak256(keccak256(content_hash))")
        }
        let leadsToRoot =
            proofs?.verify(leaf: expectedLeaf, proof: stored.proof, root: stored.root)
            ?? MerkleTree.verify(leaf: expectedLeaf, proof: stored.proof, root: stored.root)
        if !leadsToRoot {
            return VerificationOutcome(
                .proofInvalid,
                "the stored proof does not lead from the leaf to the batch root \(Hex.encodePrefixed(stored.root))")
        }
        return nil
    }

    private static func changed(
        _ stored: StoredAttestation, currentBytes: [UInt8],
        storedDocumentIntact: Bool?
    ) -> VerificationOutcome {
        guard let attestedBytes = stored.attestedDocument, let intact = storedDocumentIntact else {
            return VerificationOutcome(
                .recordChanged,
                "the rows no longer hash to the attested content hash (no attested document stored to name the fields)")
        }
        let fields: [String]
        do {
            fields = DocumentDiff.changedFields(
                attested: try JSONValue.parse(attestedBytes),
                current: try JSONValue.parse(currentBytes))
        } catch {
            return VerificationOutcome(
                .recordChanged,
                "the rows no longer hash to the attested content hash; the stored attested document is not valid JSON")
        }
        guard intact else {
            return VerificationOutcome(
                .recordChanged,
                """
                the attestation row was altered: attested_document no longer hashes to content_hash, and neither do \
                the rows
                """,
                changedFields: fields)
        }
        let named = fields.isEmpty ? "" : ": " + fields.joined(separator: ", ")
        return VerificationOutcome(
            .recordChanged, "the rows differ from what was attested" + named, changedFields: fields)
    }
}
