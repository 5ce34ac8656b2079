import ArgumentParser
import Foundation
import Logging
import Postgres

/// `caseattest migrate`: apply, list or baseline the numbered SQL migrations.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the numbered SQL migrations.",
        discussion: """
            Applies migrations/NNNN_name.sql files in order, each in its own transaction, \
            under a PostgreSQL advisory lock (concurrent runs are safe), and records them in \
            schema_migrations with a SHA-256 checksum. Refuses to run when an applied file \
            was edited or deleted.

            A deployment whose backend already created the seed tables marks 0001 as \
            applied without running it: caseattest migrate --baseline 0001

            Exit codes: 0 done; 1 refused (edited or missing file, baseline already \
            recorded; with --status: some file changed or missing); 2 usage or \
            infrastructure error (no database, unreadable directory, failing SQL).
            """
    )

    @Option(
        name: .customLong("database-url"),
        help:
            """
            postgres:// URL of the database (default: $DATABASE_URL; prefer the variable, a URL here is visible in \
            ps).
            """
    )
    var databaseURL: String?

    @Option(
        name: .customLong("migrations-dir"),
        help:
            """
            Folder of NNNN_name.sql files (default: $CASEATTEST_MIGRATIONS_DIR, else ./migrations, else the \
            repository's migrations next to the binary).
            """
    )
    var migrationsDir: String?

    @Flag(help: "List each migration as applied (when), pending or changed; apply nothing.")
    var status = false

    @Option(
        help: ArgumentHelp(
            "Record VERSION as applied without running it; refuses when already recorded.", valueName: "version"))
    var baseline: String?

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "caseattest.migrate")
        logger.logLevel = .info

        if status && baseline != nil {
            fail(2, "--status and --baseline cannot be combined")
        }
        guard let url = databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            fail(2, "no database: pass --database-url or set DATABASE_URL")
        }
        guard let directory = MigrationsDirectory.resolve(option: migrationsDir) else {
            fail(2, "no migrations directory found: pass --migrations-dir or set CASEATTEST_MIGRATIONS_DIR")
        }
        let migrator = Migrator(databaseURL: url, directory: directory, logger: logger)
        logger.info("migrations", metadata: ["database": "\(PostgresURL.redacted(url))", "directory": "\(directory)"])

        do {
            if status {
                if try await printStatus(migrator) {
                    fail(1, "some applied migrations were edited or their files are missing")
                }
            } else if let baseline {
                let file = try await migrator.baseline(baseline)
                print("baselined \(file.fileName) (recorded as applied, not run)")
            } else {
                let applied = try await migrator.migrate()
                if applied.isEmpty {
                    print("nothing to apply; the database is up to date")
                }
                for file in applied {
                    print("applied \(file.fileName)")
                }
            }
        } catch let error as MigrationError {
            fail(error.isRefusal ? 1 : 2, error.description)
        } catch {
            fail(2, "\(error)")
        }
    }

    /// Prints one line per migration; true when any is changed or missing.
    private func printStatus(_ migrator: Migrator) async throws -> Bool {
        let entries = try await migrator.status()
        let width = entries.map(\.name.count).max() ?? 0
        var problems = false
        for entry in entries {
            let padded = entry.name.padding(toLength: width, withPad: " ", startingAt: 0)
            switch entry.state {
            case .pending:
                print("\(padded)  pending")
            case .applied(let at):
                print("\(padded)  applied \(at)")
            case .retired(let file):
                print("\(padded)  retired (replaced by \(file); not run on this database)")
            case .changed(let at):
                problems = true
                print("\(padded)  changed (applied \(at); the file was edited since)")
            case .missingFile(let at):
                problems = true
                print("\(padded)  missing (applied \(at); the file is gone)")
            }
        }
        if entries.isEmpty {
            print("no migrations found in \(migrator.directory)")
        }
        return problems
    }

    private func fail(_ code: Int32, _ message: String) -> Never {
        FileHandle.standardError.write(Data("caseattest migrate: \(message)\n".utf8))
        Foundation.exit(code)
    }
}

/// Finds the migrations folder: the option, then $CASEATTEST_MIGRATIONS_DIR,
/// then ./migrations, then `migrations` beside the Package.swift of the
/// repository the binary was built in (for .build/debug/caseattest).
enum MigrationsDirectory {
    static func resolve(option: String?) -> String? {
        if let option, !option.isEmpty { return option }
        if let fromEnvironment = ProcessInfo.processInfo.environment["CASEATTEST_MIGRATIONS_DIR"],
            !fromEnvironment.isEmpty
        {
            return fromEnvironment
        }
        let current = FileManager.default.currentDirectoryPath + "/migrations"
        if isDirectory(current) { return current }
        guard let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() else { return nil }
        var folder = executable.deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = folder.appendingPathComponent("migrations").path
            if isDirectory(candidate),
                FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path)
            {
                return candidate
            }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }

    private static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }
}
