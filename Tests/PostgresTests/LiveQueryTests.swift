import Foundation
import Logging
import Testing

@testable import Postgres

/// Against a real server (DATABASE_URL), each test on a fresh database.
struct LiveQueryTests {
    @Test func everySupportedTypeRoundTrips() async throws {
        try await LiveServer.withFreshDatabase { url in
            try await LiveServer.onOwnThread {
                try LiveServer.withConnection(url) { connection in
                    try connection.simpleExecute(
                        """
                        CREATE TABLE samples (
                            small int2, normal int4, big int8, word text, flag bool, at timestamptz,
                            blob bytea, doc jsonb, amount numeric, ratio float8
                        )
                        """)
                    let stamp = PostgresTimestamp(microsecondsSinceEpoch: 1_709_210_096_789_012)
                    let blob: [UInt8] = [0, 1, 0, 0, 255, 0, 92, 120]
                    let word = "Grüße, 世界 🙂 'quoted' \"double\" \\ back"
                    try connection.query(
                        """
                        INSERT INTO samples VALUES (\(Int16(-32768)), \(Int32.max), \(Int64.min), \(word), \(true), \
                        \(stamp),
                            \(blob), \(PostgresValue.jsonb(#"{"b": [1, 2], "a": "ü"}"#)), \
                        \(PostgresValue.numeric("-12345678901234567890.0000000001")), \(0.1))
                        """)
                    try connection.query(
                        """
                        INSERT INTO samples VALUES (\(PostgresValue.null), NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
                        NULL, NULL)
                        """
                    )
                    let rows = try connection.query("SELECT * FROM samples ORDER BY big NULLS LAST")
                    #expect(rows.count == 2)
                    let row = rows[0]
                    #expect(try row.decode(Int.self, "small") == -32768)
                    #expect(try row.decode(Int32.self, "normal") == .max)
                    #expect(try row.decode(Int64.self, "big") == .min)
                    #expect(try row.decode(String.self, "word") == word)
                    #expect(try row.decode(Bool.self, "flag") == true)
                    #expect(try row.decode(PostgresTimestamp.self, "at") == stamp)
                    #expect(try row.decode(Date.self, "at") == stamp.date)
                    #expect(try row.decode([UInt8].self, "blob") == blob)
                    #expect(try row.decode(String.self, "doc") == #"{"a": "ü", "b": [1, 2]}"#)
                    #expect(try row.decode([UInt8].self, "doc") == Array(#"{"a": "ü", "b": [1, 2]}"#.utf8))
                    #expect(try row.decode(String.self, "amount") == "-12345678901234567890.0000000001")
                    #expect(try row.decode(Double.self, "ratio") == 0.1)
                    #expect(try row.decode(Int64.self, at: 2) == .min)

                    let nulls = rows[1]
                    for column in nulls.columns {
                        #expect(try nulls.isNull(column.name))
                    }
                    #expect(try nulls.decode(Int64?.self, "big") == nil)
                    #expect(try nulls.decode(String?.self, "word") == nil)
                    #expect(try nulls.decode([UInt8]?.self, "blob") == nil)
                    #expect(try nulls.decode(Date?.self, "at") == nil)
                    #expect(throws: PostgresError.self) { try nulls.decode(Int64.self, "big") }
                }
            }
        }
    }

    @Test func manyRowsOfMixedCellsEachReadTheirOwnBytes() async throws {
        // A result's cells share one buffer: NULLs, empty text and cells of
        // every length between them must each read back as themselves.
        try await LiveServer.withFreshDatabase { url in
            try await LiveServer.onOwnThread {
                try LiveServer.withConnection(url) { connection in
                    let rows = try connection.query(
                        """
                        SELECT n, CASE WHEN n % 3 = 0 THEN NULL ELSE repeat('x', n % 7) END AS word,
                            CASE WHEN n % 5 = 0 THEN NULL ELSE decode(repeat('ab', n % 4), 'hex') END AS blob,
                            n % 2 = 0 AS even, CASE WHEN n % 4 = 0 THEN NULL ELSE -n END AS negative
                        FROM generate_series(1, 500) AS n ORDER BY n
                        """)
                    #expect(rows.count == 500)
                    for (offset, row) in rows.rows.enumerated() {
                        let n = offset + 1
                        #expect(row.count == 5)
                        #expect(try row.decode(Int.self, "n") == n)
                        #expect(
                            try row.decode(String?.self, "word")
                                == (n % 3 == 0 ? nil : String(repeating: "x", count: n % 7)))
                        #expect(try row.isNull("word") == (n % 3 == 0))
                        #expect(
                            try row.decode([UInt8]?.self, "blob")
                                == (n % 5 == 0 ? nil : [UInt8](repeating: 0xAB, count: n % 4)))
                        #expect(try row.decode(Bool.self, "even") == (n % 2 == 0))
                        #expect(try row.decode(Int64?.self, at: 4) == (n % 4 == 0 ? nil : Int64(-n)))
                    }
                    // An empty result has its columns and no rows.
                    let none = try connection.query("SELECT 1 AS one WHERE false")
                    #expect(none.count == 0 && none.columns.map(\.name) == ["one"])
                }
            }
        }
    }

    @Test func byteaWithEveryByteValueRoundTrips() async throws {
        try await LiveServer.withFreshDatabase { url in
            try await LiveServer.onOwnThread {
                try LiveServer.withConnection(url) { connection in
                    let bytes = (0..<512).map { UInt8($0 % 256) }
                    let rows = try connection.query("SELECT \(bytes)::bytea AS b, length(\(bytes)::bytea) AS n")
                    #expect(try rows[0].decode([UInt8].self, "b") == bytes)
                    #expect(try rows[0].decode(Int.self, "n") == 512)
                }
            }
        }
    }

    @Test func timestampsFromTheServerDecodeInUTC() async throws {
        try await LiveServer.withFreshDatabase { url in
            try await LiveServer.onOwnThread {
                try LiveServer.withConnection(url) { connection in
                    let rows = try connection.query(
                        """
                        SELECT '2024-02-29 14:34:56.5+02'::timestamptz AS a, '0044-03-15 12:00:00+00 BC'::timestamptz \
                        AS b,
                               current_setting('TimeZone') AS zone, current_setting('DateStyle') AS style,
                               current_setting('application_name') AS app
                        """)
                    #expect(
                        try rows[0].decode(PostgresTimestamp.self, "a").microsecondsSinceEpoch == 1_709_210_096_500_000)
                    #expect(
                        try rows[0].decode(PostgresTimestamp.self, "b").postgresText
                            == "0044-03-15 12:00:00.000000+00 BC")
                    #expect(try rows[0].decode(String.self, "zone") == "UTC")
                    #expect(try rows[0].decode(String.self, "style").hasPrefix("ISO"))
                    #expect(try rows[0].decode(String.self, "app") == "caseattest")
                }
            }
        }
    }

    @Test func anInjectionAttemptStaysAValue() async throws {
        try await LiveServer.withFreshDatabase { url in
            try await LiveServer.onOwnThread {
                try LiveServer.withConnection(url) { connection in
                    try connection.simpleExecute("CREATE TABLE people (name text NOT NULL)")
                    let hostile = "x'); DROP TABLE people; --"
                    try connection.query("INSERT INTO people (name) VALUES (\(hostile))")
                    let found = try connection.query("SELECT name FROM people WHERE name = \(hostile)")
                    #expect(try found.map { try $0.decode(String.self, "name") } == [hostile])
                    let alsoHostile = "' OR '1'='1"
                    #expect(try connection.query("SELECT name FROM people WHERE name = \(alsoHostile)").isEmpty)
                    #expect(try connection.query("SELECT count(*) AS n FROM people")[0].decode(Int.self, "n") == 1)
                }
            }
        }
    }

    @Test func errorsCarrySQLStateButNotTheBoundValue() async throws {
        try await LiveServer.withFreshDatabase { url in
            try await LiveServer.onOwnThread {
                try LiveServer.withConnection(url) { connection in
                    try connection.simpleExecute("CREATE TABLE accounts (email text PRIMARY KEY)")
                    let email = "private.person@example.org"
                    try connection.query("INSERT INTO accounts VALUES (\(email))")
                    do {
                        try connection.query("INSERT INTO accounts VALUES (\(email))")
                        Issue.record("a duplicate key was accepted")
                    } catch let error as PostgresError {
                        #expect(error.sqlState == "23505")
                        #expect(error.code == .queryFailed)
                        #expect(error.message.contains("accounts_pkey"))
                        #expect(!error.description.contains(email))
                    }
                    // PostgreSQL quotes bad input in this message; it must not reach us.
                    let secret = "not-a-number-secret"
                    do {
                        try connection.query("SELECT \(secret)::int")
                        Issue.record("a bad integer was accepted")
                    } catch let error as PostgresError {
                        #expect(error.sqlState == "22P02")
                        #expect(!error.description.contains(secret))
                        #expect(error.message.contains("integer"))
                    }
                    // The connection is still usable after errors.
                    #expect(try connection.query("SELECT 1 AS one")[0].decode(Int.self, "one") == 1)
                }
            }
        }
    }

    @Test func decodingTheWrongTypeNamesTheColumn() async throws {
        try await LiveServer.withFreshDatabase { url in
            try await LiveServer.onOwnThread {
                try LiveServer.withConnection(url) { connection in
                    let row = try connection.query("SELECT 'secret text'::text AS label")[0]
                    #expect {
                        _ = try row.decode(Int64.self, "label")
                    } throws: { error in
                        let message = (error as? PostgresError)?.message ?? ""
                        return message.contains("\"label\"") && message.contains("text") && !message.contains("secret")
                    }
                    #expect(throws: PostgresError.self) { try row.decode(String.self, "nope") }
                }
            }
        }
    }

    @Test func transactionsCommitAndRollBack() async throws {
        try await LiveServer.withFreshDatabase { url in
            try await LiveServer.onOwnThread {
                try LiveServer.withConnection(url) { connection in
                    try connection.simpleExecute("CREATE TABLE ledger (id int PRIMARY KEY)")
                    try connection.transaction { try $0.query("INSERT INTO ledger VALUES (\(1))") }
                    struct Boom: Error {}
                    #expect(throws: Boom.self) {
                        try connection.transaction { connection in
                            try connection.query("INSERT INTO ledger VALUES (\(2))")
                            throw Boom()
                        }
                    }
                    // A failed statement swallowed inside the body must not turn COMMIT into a silent rollback.
                    #expect {
                        try connection.transaction { connection in
                            try connection.query("INSERT INTO ledger VALUES (\(3))")
                            _ = try? connection.query("INSERT INTO ledger VALUES (\(1))")
                        }
                    } throws: { ($0 as? PostgresError)?.code == .transactionAborted }
                    #expect(connection.isIdle)
                    let ids = try connection.query("SELECT id FROM ledger ORDER BY id").map {
                        try $0.decode(Int.self, "id")
                    }
                    #expect(ids == [1])
                    #expect(try connection.query("UPDATE ledger SET id = id + 10").affectedRows == 1)
                }
            }
        }
    }

    @Test func noticesReachTheLogger() async throws {
        try await LiveServer.withFreshDatabase { url in
            let logs = CapturedLogs()
            let logger = logs.logger
            try await LiveServer.onOwnThread {
                try LiveServer.withConnection(url, logger: logger) { connection in
                    try connection.simpleExecute(
                        "DO $$ BEGIN RAISE NOTICE 'hello from plpgsql'; RAISE WARNING 'careful now'; END $$")
                    try connection.simpleExecute("DROP TABLE IF EXISTS never_there")
                }
            }
            let entries = logs.entries
            #expect(entries.contains { $0.level == .notice && $0.message.contains("hello from plpgsql") })
            #expect(entries.contains { $0.level == .warning && $0.message.contains("careful now") })
            #expect(
                entries.contains {
                    $0.level == .notice && $0.message.contains("never_there") && $0.metadata["sqlstate"] == "00000"
                })
        }
    }

    @Test func aWrongPasswordFailsWithoutShowingIt() async throws {
        guard let serverURL = LiveServer.url, var components = URLComponents(string: serverURL) else {
            print("skipped aWrongPasswordFailsWithoutShowingIt: DATABASE_URL is not set")
            if LiveServer.required { Issue.record("DATABASE_URL is required") }
            return
        }
        // A database that does not exist, so the connection fails even with trust auth.
        components.user = "caseattest_nobody"
        components.password = "pw-should-never-appear"
        components.path = "/caseattest_missing_database"
        let url = components.string ?? ""
        let failure = try await LiveServer.onOwnThread { () -> PostgresError? in
            do {
                _ = try PostgresConnection.connect(url: url, logger: LiveServer.quietLogger)
                return nil
            } catch let error as PostgresError {
                return error
            }
        }
        #expect(failure?.code == .connectionFailed)
        #expect(failure.map { !$0.description.contains("pw-should-never-appear") } == true)
    }
}
