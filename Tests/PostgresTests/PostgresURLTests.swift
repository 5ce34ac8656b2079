import Testing

@testable import Postgres

struct PostgresURLTests {
    @Test(arguments: [
        ("postgres://alice:s3cret@db.local:5432/app", "postgres://alice:***@db.local:5432/app"),
        (
            "postgresql://alice:s3cret@db.local/app?sslmode=require",
            "postgresql://alice:***@db.local/app?sslmode=require"
        ),
        ("postgres://alice@db.local/app", "postgres://alice@db.local/app"),
        (
            "postgres://db.local/app?user=alice&password=s3cret&sslmode=disable",
            "postgres://db.local/app?user=alice&password=***&sslmode=disable"
        ),
        // An unencoded '/' or '@' in the password must not leak a part of it.
        ("postgres://alice:pa/ss@w0rd@db.local/app", "postgres://alice:***@db.local/app"),
        ("postgres://alice:p%40ss@db.local/app", "postgres://alice:***@db.local/app"),
    ])
    func redactionHidesThePassword(url: String, expected: String) {
        #expect(PostgresURL.redacted(url) == expected)
    }

    @Test func scrubRemovesRawAndDecodedPasswords() {
        let url = "postgres://alice:p%40ss@db.local/app"
        let message = "failed for p%40ss and for p@ss"
        #expect(PostgresURL.scrub(message, url: url) == "failed for *** and for ***")
    }

    @Test(arguments: ["mysql://x@y/z", "host=localhost password=x", "", "postgres:/nope"])
    func validationRejectsOtherSchemesWithoutEchoingThem(url: String) {
        #expect {
            try PostgresURL.validate(url)
        } throws: { error in
            guard let error = error as? PostgresError else { return false }
            return error.code == .badURL && (url.isEmpty || !error.message.contains(url))
        }
    }

    @Test func connectingWithABadSchemeFailsBeforeLibpq() {
        #expect(throws: PostgresError.self) {
            _ = try PostgresConnection.connect(url: "mysql://root:hunter2@localhost/db", logger: LiveServer.quietLogger)
        }
    }
}
