import Foundation
import Testing

@testable import Postgres

/// A temporary migrations folder, seeded with the repository's seed schema
/// (0001) only: these tests are about the migrator, and add their own later
/// files; the full set is applied by the integration tests.
private final class MigrationsFolder {
    let path: String

    static var repositoryMigrations: String {
        // Tests/PostgresTests/MigratorTests.swift -> repository root.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("migrations").path
    }

    init(copyingRepository: Bool = true) throws {
        path =
            FileManager.default.temporaryDirectory.appendingPathComponent("caseattest-migrations-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        if copyingRepository {
            let seed = "0001_seed_schema.sql"
            try FileManager.default.copyItem(atPath: Self.repositoryMigrations + "/" + seed, toPath: path + "/" + seed)
        }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func write(_ name: String, _ sql: String) throws {
        try Data(sql.utf8).write(to: URL(fileURLWithPath: path + "/" + name))
    }

    func append(_ name: String, _ sql: String) throws {
        let existing = FileManager.default.contents(atPath: path + "/" + name) ?? Data()
        try (existing + Data(sql.utf8)).write(to: URL(fileURLWithPath: path + "/" + name))
    }

    func remove(_ name: String) throws {
        try FileManager.default.removeItem(atPath: path + "/" + name)
    }
}

private func recordedVersions(_ url: String) async throws -> [String] {
    try await LiveServer.admin(url) { connection in
        try connection.query("SELECT version FROM schema_migrations ORDER BY version").map {
            try $0.decode(String.self, "version")
        }
    }
}

private func tableNames(_ url: String) async throws -> Set<String> {
    try await LiveServer.admin(url) { connection in
        Set(
            try connection.query(
                "SELECT table_name::text AS t FROM information_schema.tables WHERE table_schema = 'public'"
            )
            .map { try $0.decode(String.self, "t") })
    }
}

private func isMigrationError(_ code: MigrationError.Code) -> @Sendable (any Error) -> Bool {
    { ($0 as? MigrationError)?.code == code }
}

struct MigrationFileTests {
    @Test func filesLoadInVersionOrderWithChecksums() throws {
        let folder = try MigrationsFolder(copyingRepository: false)
        try folder.write("0010_later.sql", "abc")
        try folder.write("0002_earlier.sql", "SELECT 1;")
        try folder.write("README.md", "not a migration")
        let files = try MigrationFile.load(directory: folder.path)
        #expect(files.map(\.fileName) == ["0002_earlier.sql", "0010_later.sql"])
        #expect(files.map(\.version) == ["0002", "0010"])
        #expect(files[1].checksum == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func aFileMayDeclareTheChecksumsOfItsEarlierWordings() throws {
        let folder = try MigrationsFolder(copyingRepository: false)
        let earlier = String(repeating: "ab", count: 32)
        try folder.write(
            "0002_amended.sql",
            """
            -- caseattest:supersedes-checksum \(earlier)
            -- caseattest:supersedes-checksum NOT-HEX
            SELECT 1;
            """)
        let file = try #require(try MigrationFile.load(directory: folder.path).first)
        #expect(file.supersededChecksums == [earlier])
        #expect(file.accepts(recordedChecksum: earlier))
        #expect(file.accepts(recordedChecksum: file.checksum))
        #expect(!file.accepts(recordedChecksum: String(repeating: "0", count: 64)))
    }

    @Test(arguments: ["1_short.sql", "0001-dash.sql", "0001_.sql", "abcd_name.sql", "0001_bad name.sql"])
    func badlyNamedSQLFilesAreRefused(name: String) throws {
        let folder = try MigrationsFolder(copyingRepository: false)
        try folder.write(name, "SELECT 1;")
        #expect(throws: MigrationError.self) { try MigrationFile.load(directory: folder.path) }
    }

    @Test func duplicateVersionsAreRefused() throws {
        let folder = try MigrationsFolder(copyingRepository: false)
        try folder.write("0001_a.sql", "SELECT 1;")
        try folder.write("00001_b.sql", "SELECT 2;")
        #expect(
            performing: { try MigrationFile.load(directory: folder.path) }, throws: isMigrationError(.duplicateVersion))
    }

    @Test func retiredFilesAreSkippedOnlyWhereNoneOfThemRan() throws {
        func file(_ version: String, _ sql: String) -> MigrationFile {
            MigrationFile(version: version, name: "f", fileName: version + "_f.sql", sql: sql, checksum: "")
        }
        let files = [
            file("0001", ""), file("0002", ""), file("0003", ""),
            file("0004", "-- x\n-- caseattest:retires 0002 0003 bogus\nSELECT 1;"),
        ]
        #expect(files[3].retiredVersions == ["0002", "0003"])
        #expect(files[0].retiredVersions.isEmpty)
        // A fresh database (or one baselined at 0001) skips them for 0004.
        #expect(Migrator.retired(files: files, applied: []) == ["0002": "0004_f.sql", "0003": "0004_f.sql"])
        #expect(Migrator.retired(files: files, applied: ["0001"]).keys.sorted() == ["0002", "0003"])
        // One that ran some finishes the old path first.
        #expect(Migrator.retired(files: files, applied: ["0001", "0002"]).isEmpty)
    }

    @Test func aMissingDirectoryIsAnError() {
        #expect(
            performing: { try MigrationFile.load(directory: "/nonexistent/caseattest/migrations") },
            throws: isMigrationError(.directoryUnreadable))
    }
}

struct MigratorTests {
    private static let seedTables: Set<String> = [
        "users", "conversations", "messages", "conversationriskassessment", "screeningprofile",
        "cases", "appointments", "caseattestation", "userinterventionplan",
    ]

    @Test func migrateAppliesStatusReportsAndReRunIsIdempotent() async throws {
        try await LiveServer.withFreshDatabase { url in
            let folder = try MigrationsFolder()
            let migrator = Migrator(databaseURL: url, directory: folder.path, logger: LiveServer.quietLogger)
            #expect(try await migrator.status().map(\.state) == [.pending])

            let applied = try await migrator.migrate()
            #expect(applied.map(\.fileName) == ["0001_seed_schema.sql"])
            #expect(try await tableNames(url) == Self.seedTables)
            #expect(try await recordedVersions(url) == ["0001"])
            let status = try await migrator.status()
            #expect(status.count == 1)
            guard case .applied = status.first?.state else {
                Issue.record("0001 should be applied, got \(String(describing: status.first?.state))")
                return
            }

            #expect(try await migrator.migrate().isEmpty)

            try folder.write(
                "0002_add_notes.sql",
                "CREATE TABLE notes (id bigint PRIMARY KEY);\nCREATE INDEX notes_id_idx ON notes (id);\n")
            #expect(try await migrator.status().map(\.state).last == .pending)
            #expect(try await migrator.migrate().map(\.version) == ["0002"])
            #expect(try await recordedVersions(url) == ["0001", "0002"])
        }
    }

    @Test func theSeedSchemaEnforcesItsConstraints() async throws {
        try await LiveServer.withFreshDatabase { url in
            let folder = try MigrationsFolder()
            _ = try await Migrator(databaseURL: url, directory: folder.path, logger: LiveServer.quietLogger).migrate()
            try await LiveServer.admin(url) { connection in
                let userID = try connection.query(
                    """
                    INSERT INTO users (email, hashed_password, role) VALUES (\("a@example.org"), \("x"), \
                    \("counsellor")) RETURNING id
                    """)[0].decode(Int64.self, "id")
                func violation(_ query: PostgresQuery) -> String? {
                    do {
                        try connection.query(query)
                        return nil
                    } catch {
                        return (error as? PostgresError)?.sqlState
                    }
                }
                #expect(
                    violation(
                        """
                        INSERT INTO users (email, hashed_password, role) VALUES (\("b@example.org"), \("x"), \
                        \("superuser"))
                        """
                    ) == "23514")
                #expect(
                    violation("INSERT INTO users (email, hashed_password) VALUES (\("a@example.org"), \("x"))")
                        == "23505")
                #expect(violation("INSERT INTO cases (user_id, status) VALUES (\(userID), \("resolved"))") == "23514")
                #expect(violation("INSERT INTO cases (user_id, status) VALUES (\(userID), \("archived"))") == "23514")
                #expect(violation("INSERT INTO cases (user_id) VALUES (\(userID + 1000))") == "23503")
                let caseID = try connection.query(
                    """
                    INSERT INTO cases (user_id, counsellor_id, status, resolved_at) VALUES (\(userID), \(userID), \
                    \("resolved"), now()) RETURNING id
                    """)[0].decode(Int64.self, "id")
                #expect(
                    violation(
                        """
                        INSERT INTO appointments (case_id, user_id, counsellor_id, scheduled_at, location_type)
                        VALUES (\(caseID), \(userID), \(userID), now(), \("by_carrier_pigeon"))
                        """) == "23514")
                try connection.query(
                    """
                    INSERT INTO caseattestation (case_id, counsellor_id, content_hash) VALUES (\(caseID), \(userID), \
                    \("0xab"))
                    """
                )
                // Attested cases cannot be deleted from under their attestation.
                #expect(violation("DELETE FROM cases WHERE id = \(caseID)") == "23503")
            }
        }
    }

    @Test func anEditedFileIsRefusedAndNothingIsApplied() async throws {
        try await LiveServer.withFreshDatabase { url in
            let folder = try MigrationsFolder()
            let migrator = Migrator(databaseURL: url, directory: folder.path, logger: LiveServer.quietLogger)
            _ = try await migrator.migrate()
            try folder.append("0001_seed_schema.sql", "\n-- an innocent-looking edit\n")
            try folder.write("0002_pending.sql", "CREATE TABLE should_not_exist (id int);")
            await #expect(performing: { try await migrator.migrate() }, throws: isMigrationError(.checksumChanged))
            #expect(try await recordedVersions(url) == ["0001"])
            #expect(try await !tableNames(url).contains("should_not_exist"))
            let states = try await migrator.status().map(\.state)
            guard case .changed = states.first else {
                Issue.record("0001 should show as changed, got \(states)")
                return
            }
            #expect(states.last == .pending)
        }
    }

    @Test func aMissingAppliedFileIsRefused() async throws {
        try await LiveServer.withFreshDatabase { url in
            let folder = try MigrationsFolder()
            try folder.write("0002_extra.sql", "CREATE TABLE extra (id int);")
            let migrator = Migrator(databaseURL: url, directory: folder.path, logger: LiveServer.quietLogger)
            #expect(try await migrator.migrate().count == 2)
            try folder.remove("0002_extra.sql")
            await #expect(performing: { try await migrator.migrate() }, throws: isMigrationError(.fileMissing))
            let states = try await migrator.status().map(\.state)
            guard case .missingFile = states.last else {
                Issue.record("0002 should show as missing, got \(states)")
                return
            }
        }
    }

    @Test func aFailingMigrationIsRolledBackEntirely() async throws {
        try await LiveServer.withFreshDatabase { url in
            let folder = try MigrationsFolder()
            try folder.write("0002_broken.sql", "CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;\n")
            let migrator = Migrator(databaseURL: url, directory: folder.path, logger: LiveServer.quietLogger)
            await #expect(performing: { try await migrator.migrate() }, throws: isMigrationError(.migrationFailed))
            // 0001 went through in its own transaction; 0002 left nothing behind.
            #expect(try await recordedVersions(url) == ["0001"])
            #expect(try await !tableNames(url).contains("half_done"))
        }
    }

    @Test func baselineRecordsWithoutRunningAndRefusesTwice() async throws {
        try await LiveServer.withFreshDatabase { url in
            let folder = try MigrationsFolder()
            // The backend already created the tables itself.
            let seed = try String(contentsOfFile: folder.path + "/0001_seed_schema.sql", encoding: .utf8)
            try await LiveServer.admin(url) { try $0.simpleExecute(seed) }
            let migrator = Migrator(databaseURL: url, directory: folder.path, logger: LiveServer.quietLogger)
            await #expect(performing: { try await migrator.migrate() }, throws: isMigrationError(.migrationFailed))

            let file = try await migrator.baseline("0001")
            #expect(file.fileName == "0001_seed_schema.sql")
            #expect(try await recordedVersions(url) == ["0001"])
            #expect(try await migrator.migrate().isEmpty)
            await #expect(
                performing: { try await migrator.baseline("0001") }, throws: isMigrationError(.alreadyRecorded))
            await #expect(
                performing: { try await migrator.baseline("0009") }, throws: isMigrationError(.unknownVersion))
        }
    }

    @Test func twoConcurrentMigratorsApplyEachFileOnce() async throws {
        try await LiveServer.withFreshDatabase { url in
            let folder = try MigrationsFolder()
            // A slow second file keeps the lock held long enough for the race to matter.
            try folder.write(
                "0002_slow.sql", "SELECT pg_sleep(1);\nCREATE TABLE counter (n int);\nINSERT INTO counter VALUES (1);\n"
            )
            let firstLogs = CapturedLogs()
            let secondLogs = CapturedLogs()
            let first = Migrator(databaseURL: url, directory: folder.path, logger: firstLogs.logger)
            let second = Migrator(databaseURL: url, directory: folder.path, logger: secondLogs.logger)
            async let a = first.migrate()
            async let b = second.migrate()
            let (appliedByA, appliedByB) = try await (a, b)
            let all = (appliedByA + appliedByB).map(\.version).sorted()
            #expect(all == ["0001", "0002"])
            #expect(try await recordedVersions(url) == ["0001", "0002"])
            let rows = try await LiveServer.admin(url) {
                try $0.query("SELECT count(*) AS n FROM counter")[0].decode(Int.self, "n")
            }
            #expect(rows == 1)
            let waited = (firstLogs.entries + secondLogs.entries).contains {
                $0.message.contains("holds the migration lock")
            }
            #expect(waited, "one migrator should have waited for the other's lock")
        }
    }
}
