import Foundation
import Logging

/// Where one migration stands against the database.
public enum MigrationState: Sendable, Equatable {
    case pending
    case applied(at: PostgresTimestamp)
    /// Applied, but the file's checksum no longer matches the recorded one.
    case changed(appliedAt: PostgresTimestamp)
    /// Recorded as applied, but there is no file for it.
    case missingFile(appliedAt: PostgresTimestamp)
    /// Replaced by a later file this database runs instead; never applied here.
    case retired(by: String)
}

public struct MigrationStatus: Sendable, Equatable {
    public let version: String
    /// The file name, or the recorded name when the file is missing.
    public let name: String
    public let state: MigrationState
}

/// Applies `migrations/NNNN_name.sql` files in order, each in its own
/// transaction, recorded in `schema_migrations` with the file's SHA-256.
///
/// Every run holds a session advisory lock on a dedicated connection, so two
/// migrators started together apply each file once: the second waits, then
/// finds nothing pending. It refuses (applying nothing) when an applied file
/// was edited or deleted. Migration files must not contain BEGIN/COMMIT or
/// statements that cannot run in a transaction (CREATE INDEX CONCURRENTLY).
///
/// The bookkeeping lives in the service's schema (`caseattest.schema_migrations`).
/// Files run with `search_path = public` (the seed's tables are the backend's,
/// in public); files that touch the service's schema name it.
public struct Migrator: Sendable {
    /// The advisory lock key: "CASEATTS" in ASCII, to stay clear of other users' keys.
    public static let lockKey: Int64 = 0x4341_5345_4154_5453

    public let databaseURL: String
    public let directory: String
    public let logger: Logger

    public init(databaseURL: String, directory: String, logger: Logger) {
        self.databaseURL = databaseURL
        self.directory = directory
        self.logger = logger
    }

    public func files() throws -> [MigrationFile] {
        try MigrationFile.load(directory: directory)
    }

    /// Applies every pending file and returns the ones it applied.
    public func migrate() async throws -> [MigrationFile] {
        try await onOwnThread { connection in
            let files = try self.files()
            return try withMigrationLock(connection) {
                try ensureTable(connection)
                let applied = try appliedRecords(connection)
                try verify(files: files, applied: applied)
                let skipped = Self.retired(files: files, applied: Set(applied.keys))
                let pending = files.filter { applied[$0.version] == nil && skipped[$0.version] == nil }
                let newest = applied.keys.compactMap { UInt64($0) }.max() ?? 0
                for file in pending {
                    if file.number < newest {
                        logger.warning(
                            "applying a migration older than the newest applied one",
                            metadata: ["file": "\(file.fileName)"])
                    }
                    try apply(file, on: connection)
                }
                return pending
            }
        }
    }

    /// Every file's state, plus recorded versions whose files are gone.
    public func status() async throws -> [MigrationStatus] {
        try await onOwnThread { connection in
            let files = try self.files()
            let applied =
                try tableExists(connection)
                ? try appliedRecords(connection)
                : try oldTableExists(connection)
                    ? try appliedRecords(connection, table: "public.schema_migrations") : [:]
            let skipped = Self.retired(files: files, applied: Set(applied.keys))
            var result = files.map { file -> MigrationStatus in
                let state: MigrationState
                if let retiring = skipped[file.version] {
                    state = .retired(by: retiring)
                } else if let record = applied[file.version] {
                    state =
                        file.accepts(recordedChecksum: record.checksum)
                        ? .applied(at: record.appliedAt) : .changed(appliedAt: record.appliedAt)
                } else {
                    state = .pending
                }
                return MigrationStatus(version: file.version, name: file.fileName, state: state)
            }
            let known = Set(files.map(\.version))
            for (version, record) in applied where !known.contains(version) {
                result.append(
                    MigrationStatus(
                        version: version, name: record.name, state: .missingFile(appliedAt: record.appliedAt)))
            }
            return result.sorted { (UInt64($0.version) ?? .max, $0.version) < (UInt64($1.version) ?? .max, $1.version) }
        }
    }

    /// Records `version` as applied without running it, for databases whose
    /// tables were created by someone else. Refuses when it is already recorded.
    public func baseline(_ version: String) async throws -> MigrationFile {
        try await onOwnThread { connection in
            let files = try self.files()
            // "1" finds 0001 too; the recorded version is always the file's own spelling.
            let number = UInt64(version)
            guard let file = files.first(where: { $0.version == version || (number != nil && $0.number == number) })
            else {
                throw MigrationError(
                    .unknownVersion, message: "there is no migration file for version \(version) in \(directory)")
            }
            return try withMigrationLock(connection) {
                try ensureTable(connection)
                if try appliedRecords(connection)[file.version] != nil {
                    throw MigrationError(
                        .alreadyRecorded,
                        message: "version \(file.version) is already recorded in schema_migrations; nothing changed")
                }
                try record(file, on: connection)
                logger.info("baselined migration without running it", metadata: ["file": "\(file.fileName)"])
                return file
            }
        }
    }

    /// Retired versions this database skips, each with the file that retires
    /// it: those of a retiring file when the database applied none of them.
    static func retired(files: [MigrationFile], applied: Set<String>) -> [String: String] {
        var skipped: [String: String] = [:]
        for file in files {
            let retired = file.retiredVersions
            guard !retired.isEmpty, retired.allSatisfy({ !applied.contains($0) }) else { continue }
            for version in retired { skipped[version] = file.fileName }
        }
        return skipped
    }

    // MARK: Steps

    private struct AppliedRecord {
        let name: String
        let checksum: String
        let appliedAt: PostgresTimestamp
    }

    /// Runs on a dedicated thread with a connection of its own, because the
    /// advisory lock belongs to the session and libpq blocks.
    private func onOwnThread<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        let url = databaseURL
        let logger = logger
        return try await BlockingExecutor.runOnOwnThread(name: "caseattest.migrator") {
            let connection = try PostgresConnection.connect(url: url, searchPath: .backend, logger: logger)
            defer { connection.close() }
            return try body(connection)
        }
    }

    private func withMigrationLock<T>(_ connection: PostgresConnection, _ body: () throws -> T) throws -> T {
        let acquired = try connection.query("SELECT pg_try_advisory_lock(\(Self.lockKey)) AS acquired")
        if try acquired.first?.decode(Bool.self, "acquired") != true {
            logger.info("another migrator holds the migration lock; waiting for it")
            try connection.query("SELECT pg_advisory_lock(\(Self.lockKey))")
        }
        defer {
            do {
                try connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))")
            } catch {
                // Closing the session releases the lock anyway.
                logger.warning("could not release the migration lock", metadata: ["error": "\(error)"])
            }
        }
        return try body()
    }

    private func tableExists(_ connection: PostgresConnection) throws -> Bool {
        let rows = try connection.query("SELECT to_regclass('caseattest.schema_migrations') IS NOT NULL AS present")
        return try rows.first?.decode(Bool.self, "present") ?? false
    }

    /// Called under the migration lock, so checking first cannot race; it
    /// avoids the server's "already exists, skipping" notice on every run.
    private func oldTableExists(_ connection: PostgresConnection) throws -> Bool {
        let rows = try connection.query("SELECT to_regclass('public.schema_migrations') IS NOT NULL AS present")
        return try rows.first?.decode(Bool.self, "present") ?? false
    }

    /// A database migrated before the service had its own schema keeps its
    /// bookkeeping in public.schema_migrations: it moves, records and all.
    private func ensureTable(_ connection: PostgresConnection) throws {
        guard try !tableExists(connection) else { return }
        try connection.simpleExecute("CREATE SCHEMA IF NOT EXISTS caseattest")
        if try oldTableExists(connection) {
            try connection.simpleExecute("ALTER TABLE public.schema_migrations SET SCHEMA caseattest")
            return
        }
        try connection.simpleExecute(
            """
            CREATE TABLE IF NOT EXISTS caseattest.schema_migrations (
                version    text PRIMARY KEY,
                name       text NOT NULL,
                checksum   text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
    }

    private func appliedRecords(
        _ connection: PostgresConnection,
        table: StaticString = "caseattest.schema_migrations"
    ) throws -> [String: AppliedRecord] {
        let rows = try connection.query("SELECT version, name, checksum, applied_at FROM \(unescaped: table)")
        var records: [String: AppliedRecord] = [:]
        for row in rows {
            records[try row.decode(String.self, "version")] = AppliedRecord(
                name: try row.decode(String.self, "name"),
                checksum: try row.decode(String.self, "checksum"),
                appliedAt: try row.decode(PostgresTimestamp.self, "applied_at")
            )
        }
        return records
    }

    private func verify(files: [MigrationFile], applied: [String: AppliedRecord]) throws {
        let byVersion = Dictionary(files.map { ($0.version, $0) }, uniquingKeysWith: { first, _ in first })
        for (version, record) in applied.sorted(by: { $0.key < $1.key }) {
            guard let file = byVersion[version] else {
                throw MigrationError(
                    .fileMissing,
                    message:
                        """
                        version \(version) (\(record.name)) is recorded as applied but its file is missing from \
                        \(directory); nothing was applied
                        """
                )
            }
            guard file.accepts(recordedChecksum: record.checksum) else {
                throw MigrationError(
                    .checksumChanged,
                    message:
                        """
                        \(file.fileName) was edited after it was applied (its checksum changed); add a new migration \
                        instead; nothing was applied
                        """
                )
            }
        }
    }

    private func apply(_ file: MigrationFile, on connection: PostgresConnection) throws {
        logger.info("applying migration", metadata: ["file": "\(file.fileName)"])
        do {
            try connection.transaction { connection in
                try connection.simpleExecute(file.sql)
                try record(file, on: connection)
            }
        } catch let error as PostgresError {
            throw MigrationError(.migrationFailed, message: "\(file.fileName) failed and was rolled back: \(error)")
        }
    }

    private func record(_ file: MigrationFile, on connection: PostgresConnection) throws {
        try connection.query(
            """
            INSERT INTO caseattest.schema_migrations (version, name, checksum, applied_at)
            VALUES (\(file.version), \(file.fileName), \(file.checksum), now())
            """)
    }
}
