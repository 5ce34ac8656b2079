import Foundation
import Postgres
import Testing

@testable import AttestationService

/// The statement the commit and the batch close write many rows with: every
/// value a bind, each column cast, the ids repeated as an indexable list.
@Suite struct BulkUpdateTests {
    @Test func rowsBecomeOneStatementWithAPlaceholderPerValue() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let query = PipelineStore.bulkUpdate(
            set: "leaf = v.leaf, updated_at = $1", columns: ["id::bigint", "leaf::text", "proof::jsonb"],
            rows: [[.int(7), .text("0xaa"), .jsonb("[]")], [.int(9), .text("0xbb"), .jsonb("[\"0x01\"]")]],
            now: now)
        #expect(
            query.sql
                == "UPDATE attestation SET leaf = v.leaf, updated_at = $1 FROM (VALUES ($2::bigint, $3::text, "
                + "$4::jsonb), ($5::bigint, $6::text, $7::jsonb)) AS v(id, leaf, proof) "
                + "WHERE attestation.id = ANY($8::bigint[]) AND attestation.id = v.id")
        #expect(
            query.binds == [
                now.postgresValue, .int(7), .text("0xaa"), .jsonb("[]"), .int(9), .text("0xbb"), .jsonb("[\"0x01\"]"),
                .text("{7,9}"),
            ])
    }
}
