import Ethereum

extension RecordCheck {
    /// The off-chain half for an earlier version of a case: today's rows
    /// describe a later version, so the stored document stands in for them.
    /// It must hash to the stored content hash, whose leaf must lead to the
    /// batch root. nil: consistent, go on to the chain.
    public static func evaluateEarlier(_ stored: StoredAttestation) -> VerificationOutcome? {
        guard let document = stored.attestedDocument else {
            return VerificationOutcome(
                .erased, "the attested document of this version is gone; its fields cannot be checked")
        }
        if ContentHash(canonicalBytes: document) != stored.contentHash {
            return VerificationOutcome(
                .recordChanged,
                "attestation.attested_document of this version no longer hashes to its content_hash",
                changedFields: ["attested_document"])
        }
        return proofOutcome(stored)
    }

    /// The fields that changed from one attested version to the next, named
    /// as `record-changed` names them. The salt differs between any two
    /// versions by design and is left out. nil when either document is gone
    /// or unreadable.
    public static func changesBetween(earlier: [UInt8]?, later: [UInt8]?) -> [String]? {
        guard let earlier, let later,
            let old = try? JSONValue.parse(earlier), let new = try? JSONValue.parse(later)
        else { return nil }
        return DocumentDiff.changedFields(attested: old, current: new).filter { $0 != "salt" }
    }
}
