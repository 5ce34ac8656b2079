import Foundation
import Postgres

/// The database: reachable, migrated, and the role may do what the daemon does.
extension DoctorChecks {
    /// Tables the daemon and the API touch, with the rights they need.
    static let requiredRights: [(table: String, privileges: [String])] = [
        ("cases", ["SELECT"]),
        ("appointments", ["SELECT"]),
        // The seed's table: a row per confirmed attestation, withdrawn on a reorg.
        ("public.caseattestation", ["SELECT", "INSERT", "UPDATE", "DELETE"]),
        ("caseattest.attestation", ["SELECT", "INSERT", "UPDATE"]),
        ("attestation_batch", ["SELECT", "INSERT", "UPDATE"]),
        ("attestation_signer", ["SELECT", "INSERT", "UPDATE"]),
        ("attestation_transaction", ["SELECT", "INSERT", "UPDATE"]),
        ("attestation_transaction_hash", ["SELECT", "INSERT"]),
        ("caseattest.schema_migrations", ["SELECT"]),
    ]

    mutating func database() async -> DoctorResult {
        let url = doctor.service.resolvedDatabaseURL
        let shown = PostgresURL.redacted(url)
        var opened: PostgresPool?
        let result = await check("database", fix: "start PostgreSQL, or correct DATABASE_URL / --database-url") {
            let pool = try PostgresPool(url: url, maxConnections: 1, logger: logger)
            opened = pool
            let rows = try await bounded("PostgreSQL at \(shown)") {
                try await pool.query("SELECT current_user AS role")
            }
            let role = try rows.rows.first?.decode(String.self, "role") ?? "?"
            return "reachable at \(shown) as role \(role)"
        }
        if case .ok = result.outcome { pool = opened } else { await opened?.close() }
        return result
    }

    func migrations() async -> DoctorResult {
        await check("migrations", fix: "run `caseattest migrate`") {
            guard pool != nil else { throw Self.notChecked("the database is unreachable") }
            guard let directory = MigrationsDirectory.resolve(option: nil) else {
                throw DoctorFailure(
                    problem: "no migrations directory found",
                    fix: "set CASEATTEST_MIGRATIONS_DIR to this release's migrations/")
            }
            let migrator = Migrator(
                databaseURL: doctor.service.resolvedDatabaseURL, directory: directory, logger: logger)
            let statuses = try await bounded("the migrations") { try await migrator.status() }
            var pending: [String] = [], changed: [String] = [], missing: [String] = []
            for status in statuses {
                switch status.state {
                case .applied, .retired: break
                case .pending: pending.append(status.name)
                case .changed: changed.append(status.name)
                case .missingFile: missing.append(status.name)
                }
            }
            if !changed.isEmpty {
                throw DoctorFailure(
                    problem: "applied files were edited since: \(changed.joined(separator: ", "))",
                    fix: "restore them as applied (`caseattest migrate --status` lists them)")
            }
            if !missing.isEmpty {
                throw DoctorFailure(
                    problem: "applied migrations have no file in \(directory): \(missing.joined(separator: ", "))",
                    fix: "point CASEATTEST_MIGRATIONS_DIR at this release's migrations/")
            }
            if !pending.isEmpty {
                throw DoctorFailure(
                    problem: "\(pending.count) pending: \(pending.joined(separator: ", "))",
                    fix: "run `caseattest migrate`")
            }
            return "\(statuses.count) applied, none pending"
        }
    }

    func roleRights() async -> DoctorResult {
        await check("role-rights", fix: "grant the rights listed") {
            guard let pool else { throw Self.notChecked("the database is unreachable") }
            var missing: [String: [String]] = [:]
            var absent: [String] = []
            for (table, privileges) in Self.requiredRights {
                for privilege in privileges {
                    // to_regclass is NULL for a missing table, and so is the right then.
                    let result = try await bounded("PostgreSQL") {
                        try await pool.query(
                            "SELECT has_table_privilege(to_regclass(\(table))::oid, \(privilege)) AS allowed")
                    }
                    switch try result.rows.first?.decode(Bool?.self, "allowed") {
                    case true?: break
                    case false?: missing[table, default: []].append(privilege)
                    case nil: if !absent.contains(table) { absent.append(table) }
                    }
                }
            }
            if !absent.isEmpty {
                throw DoctorFailure(
                    problem: "tables missing: \(absent.joined(separator: ", "))", fix: "run `caseattest migrate`")
            }
            if !missing.isEmpty {
                let grants = missing.keys.sorted().map {
                    "GRANT \(missing[$0]!.joined(separator: ", ")) ON \($0) TO <role>;"
                }
                throw DoctorFailure(
                    problem: "the role lacks rights on \(missing.keys.sorted().joined(separator: ", "))",
                    fix: "as the tables' owner: " + grants.joined(separator: " "))
            }
            return "SELECT/INSERT/UPDATE as needed on \(Self.requiredRights.count) tables"
        }
    }
}
