import Postgres
import Testing

struct PostgresErrorTests {
    @Test func descriptionCarriesSQLStateButNoValues() {
        let error = PostgresError(
            .queryFailed, sqlState: "23505", message: "duplicate key value violates unique constraint")
        #expect(error.description == "PostgreSQL query-failed [23505]: duplicate key value violates unique constraint")
    }
}
