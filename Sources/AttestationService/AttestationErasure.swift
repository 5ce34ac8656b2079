import Postgres

/// `caseattest forget`: destroys the salts (and the attested documents that
/// contain them) of every attestation of a case, with the content hash, leaf,
/// leaf index and proof that pointed at its exact leaf. What stays is a
/// tombstone (case, version, batch, status when erased, erased_at), so the
/// batch's leaf count still reconciles. The on-chain root stays, but nothing
/// links it to the case any more; other leaves of the batch still verify,
/// since their proofs never needed this case's document.
///
/// Whatever the status: the pipeline never writes an erased row again
/// (`PipelineStore.notErased`), and only an operator's explicit request
/// (`IntakeDecision`, `afterErasure`) attests the case again, as a new version.
public struct AttestationErasure: Sendable {
    let database: PostgresPool

    public init(database: PostgresPool) {
        self.database = database
    }

    public struct Result: Sendable, Hashable {
        /// Attestations whose salt was destroyed now.
        public let erased: Int
        /// Attestations of the case that were erased before.
        public let alreadyErased: Int
    }

    /// nil when the case does not exist.
    @discardableResult
    public func forget(caseID: Int64) async throws -> Result? {
        try await database.transaction { connection -> Result? in
            try CaseLock.lock(caseID, on: connection)
            guard try !connection.query("SELECT 1 FROM cases WHERE id = \(caseID)").rows.isEmpty else { return nil }
            let erased =
                try connection.query(
                    """
                    UPDATE attestation
                    SET salt = NULL, attested_document = NULL, content_hash = NULL, leaf = NULL, leaf_index = NULL,
                        proof = NULL, source_fingerprint = NULL, retry_at = NULL, erased_at = now(), updated_at = now()
                    WHERE case_id = \(caseID) AND erased_at IS NULL
                    """
                ).affectedRows ?? 0
            try SeedRecord.withdraw(erasedOf: caseID, on: connection)
            let before =
                try connection.query(
                    """
                    SELECT count(*)::bigint AS n FROM attestation WHERE case_id = \(caseID) AND erased_at IS NOT NULL
                    """
                ).rows.first.map { try $0.decode(Int64.self, "n") } ?? 0
            return Result(erased: erased, alreadyErased: Int(before) - erased)
        }
    }
}
