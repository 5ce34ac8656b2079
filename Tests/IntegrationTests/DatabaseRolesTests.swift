import Foundation
import Postgres
import Testing

/// The roles of migration 0009, each tried on what it must not do.
struct DatabaseRolesTests {
    @Test func eachRoleIsRefusedWhatItMustNotDo() async throws {
        guard let scratch = try await ScratchDatabase.create(prefix: "caseattest_roles_") else { return }
        try await scratch.use { scratch in
            try await scratch.migrate()
            try await scratch.pool.withConnection { connection in
                try fill(connection)
                // Analytics: pseudonyms only, never a person.
                #expect(try outcome(connection, as: "caseattest_analytics", "SELECT * FROM public.users") == "42501")
                #expect(
                    try outcome(
                        connection, as: "caseattest_analytics",
                        "SELECT * FROM public.conversationriskassessment") == "42501")
                #expect(
                    try outcome(
                        connection, as: "caseattest_analytics",
                        """
                        SELECT r.user_hash, u.email FROM caseattest_analytics.risk_assessments r
                        JOIN public.users u ON true
                        """) == "42501")
                #expect(
                    try outcome(
                        connection, as: "caseattest_analytics",
                        "SELECT user_hash, risk_level FROM caseattest_analytics.risk_assessments") == nil)
                #expect(
                    try outcome(
                        connection, as: "caseattest_analytics",
                        "SELECT user_hash FROM caseattest_analytics.screening_profiles") == nil)
                let viewColumns = try connection.query(
                    """
                    SELECT column_name::text AS c FROM information_schema.columns
                    WHERE table_schema = 'caseattest_analytics'
                    """
                ).map { try $0.decode(String.self, "c") }
                #expect(!viewColumns.isEmpty)
                #expect(viewColumns.allSatisfy { !["user_id", "conversation_id", "summary", "email"].contains($0) })
                // The service: reads cases, never writes them; no users at all.
                #expect(
                    try outcome(connection, as: "caseattest_service", "UPDATE public.cases SET status = 'closed'")
                        == "42501")
                #expect(try outcome(connection, as: "caseattest_service", "DELETE FROM public.cases") == "42501")
                #expect(try outcome(connection, as: "caseattest_service", "SELECT * FROM public.users") == "42501")
                #expect(try outcome(connection, as: "caseattest_service", "SELECT id, status FROM public.cases") == nil)
                #expect(
                    try outcome(
                        connection, as: "caseattest_service",
                        """
                        INSERT INTO public.caseattestation (case_id, content_hash, tx_hash, attested_at)
                        SELECT id, 'h', 't', now() FROM public.cases
                        """) == nil)
                #expect(
                    try outcome(
                        connection, as: "caseattest_service",
                        "INSERT INTO caseattest.attestation (case_id) SELECT id FROM public.cases") == nil)
                // Clinical: may link, may not write.
                #expect(
                    try outcome(
                        connection, as: "caseattest_clinical",
                        """
                        SELECT u.email FROM public.users u JOIN public.screeningprofile s ON s.user_id = u.id
                        """) == nil)
                #expect(
                    try outcome(connection, as: "caseattest_clinical", "UPDATE public.users SET role = 'admin'")
                        == "42501")
                // The backend's reader: the status view, never the salts.
                #expect(
                    try outcome(
                        connection, as: "caseattest_reader",
                        "SELECT case_id, status FROM caseattest_status.attestations") == nil)
                #expect(
                    try outcome(connection, as: "caseattest_reader", "SELECT salt FROM caseattest.attestation")
                        == "42501")
                #expect(try outcome(connection, as: "caseattest_reader", "SELECT * FROM public.caseattestation") == nil)
                // A backend role with no right in the service's schema still
                // resolves cases: the trigger runs with its owner's rights.
                try connection.simpleExecute(
                    """
                    DO $$ BEGIN
                        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'caseattest_test_backend') THEN
                            CREATE ROLE caseattest_test_backend NOLOGIN;
                        END IF;
                    END $$;
                    GRANT USAGE ON SCHEMA public TO caseattest_test_backend;
                    GRANT SELECT, UPDATE ON public.cases TO caseattest_test_backend
                    """)
                #expect(
                    try outcome(connection, as: "caseattest_test_backend", "SELECT * FROM caseattest.attestation")
                        == "42501")
                #expect(
                    try outcome(
                        connection, as: "caseattest_test_backend",
                        "UPDATE public.cases SET status = 'closed', resolved_at = now()") == nil)
                try connection.simpleExecute(
                    """
                    REVOKE ALL ON public.cases FROM caseattest_test_backend;
                    REVOKE ALL ON SCHEMA public FROM caseattest_test_backend
                    """)
            }
        }
    }

    private func fill(_ connection: PostgresConnection) throws {
        let user = try connection.query(
            """
            INSERT INTO users (email, hashed_password, role) VALUES ('a@example.test', 'x', 'user') RETURNING id
            """)[0].decode(Int64.self, "id")
        let conversation = try connection.query(
            """
            INSERT INTO conversations (user_id, session_id) VALUES (\(user), 's') RETURNING id
            """)[0].decode(Int64.self, "id")
        try connection.query(
            """
            INSERT INTO conversationriskassessment (conversation_id, user_hash, risk_level) VALUES (\(conversation), \
            'h', 1)
            """)
        try connection.query("INSERT INTO screeningprofile (user_id, user_hash) VALUES (\(user), 'h')")
        try connection.query(
            """
            INSERT INTO cases (user_id, status, resolved_at) VALUES (\(user), 'resolved', now())
            """)
    }

    /// Runs `sql` as `role` in a transaction that is rolled back; the SQLSTATE
    /// of its error, or nil when it was allowed.
    private func outcome(_ connection: PostgresConnection, as role: String, _ sql: String) throws -> String? {
        try connection.simpleExecute("BEGIN; SET LOCAL ROLE \(try connection.quoteIdentifier(role))")
        defer { try? connection.simpleExecute("ROLLBACK") }
        do {
            try connection.simpleExecute(sql)
            return nil
        } catch let error as PostgresError {
            return error.sqlState
        }
    }
}
