import Testing

@testable import Postgres

/// A pool that prepares its statements answers exactly as one that does not,
/// plans each statement once per session, and recovers when a migration
/// changes what a prepared statement returns.
struct PreparedStatementTests {
    @Test func aPreparingPoolAnswersLikeAPlainOneAndPreparesOnce() async throws {
        try await LiveServer.withFreshDatabase { url in
            let plain = try PostgresPool(url: url, maxConnections: 1, logger: LiveServer.quietLogger)
            let preparing = try PostgresPool(
                url: url, maxConnections: 1, preparesStatements: true, logger: LiveServer.quietLogger)
            try await plain.query("CREATE TABLE events (id bigint PRIMARY KEY, note text)")
            try await plain.query("INSERT INTO events VALUES (1, 'one'), (2, NULL)")
            for id: Int64 in [1, 2, 3, 1] {
                let expected = try await plain.query("SELECT id, note FROM events WHERE id = \(id)").rows
                let got = try await preparing.query("SELECT id, note FROM events WHERE id = \(id)").rows
                #expect(got.count == expected.count)
                for (left, right) in zip(got, expected) {
                    #expect(try left.decode(Int64.self, "id") == right.decode(Int64.self, "id"))
                    #expect(try left.decode(String?.self, "note") == right.decode(String?.self, "note"))
                }
            }
            let sessions = try await preparing.withConnection { connection in
                let names = try connection.query("SELECT name FROM pg_prepared_statements").rows
                return (connection.preparedCount, names.count)
            }
            // The lookup (4 calls) and the catalogue query itself.
            #expect(sessions.0 == 2)
            #expect(sessions.1 == 2)
            #expect(try await plain.withConnection { $0.preparedCount } == 0)
            await plain.close()
            await preparing.close()
        }
    }

    @Test func aFailingStatementFailsAsUnpreparedAndIsNotKept() async throws {
        try await LiveServer.withFreshDatabase { url in
            let pool = try PostgresPool(
                url: url, maxConnections: 1, preparesStatements: true, logger: LiveServer.quietLogger)
            for _ in 0..<2 {
                await #expect {
                    try await pool.query("SELECT no_such_column FROM pg_class WHERE oid = \(Int64(1))")
                } throws: { ($0 as? PostgresError)?.sqlState == "42703" }
            }
            #expect(try await pool.withConnection { $0.preparedCount } == 0)
            // A failure inside a transaction rolls it back as before.
            try await pool.query("CREATE TABLE events (id bigint PRIMARY KEY)")
            await #expect(throws: PostgresError.self) {
                try await pool.transaction { connection in
                    try connection.query("INSERT INTO events VALUES (\(Int64(1)))")
                    try connection.query("INSERT INTO events VALUES (\(Int64(1)))")
                }
            }
            #expect(try await pool.query("SELECT count(*) AS n FROM events").rows[0].decode(Int64.self, "n") == 0)
            await pool.close()
        }
    }

    @Test func aStatementWhoseResultChangedIsPreparedAgain() async throws {
        try await LiveServer.withFreshDatabase { url in
            let pool = try PostgresPool(
                url: url, maxConnections: 1, preparesStatements: true, logger: LiveServer.quietLogger)
            try await pool.query("CREATE TABLE events (id bigint PRIMARY KEY)")
            try await pool.query("INSERT INTO events VALUES (\(Int64(7)))")
            let lookup: PostgresQuery = "SELECT * FROM events WHERE id = \(Int64(7))"
            #expect(try await pool.query(lookup).columns.count == 1)
            try await pool.query("ALTER TABLE events ADD COLUMN note text")
            // The server refuses the old plan once (0A000); the next call prepares anew.
            await #expect {
                try await pool.query(lookup)
            } throws: { ($0 as? PostgresError)?.sqlState == "0A000" }
            #expect(try await pool.query(lookup).columns.count == 2)
            await pool.close()
        }
    }
}
