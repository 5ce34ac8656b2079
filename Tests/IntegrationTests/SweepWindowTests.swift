import Foundation
import Postgres
import Testing

@testable import AttestationService

/// The sweep looks at a window of cases at a time and goes round: every case
/// is looked at, none twice in one round (cases with no attestation, and
/// fingerprints of attested cases).
struct SweepWindowTests {
    @Test func windowsCoverEveryCaseOnceARoundAndAFullAnswerStopsEarly() async throws {
        try await VerifierWorld.with { world in
            let cases = try await world.seedCases(12, appointments: 1)
            try await world.attest(cases)
            // Fingerprints as the worker stores them, then three cases change.
            try await world.execute("UPDATE attestation SET source_fingerprint = caseattest.case_fingerprint(case_id)")
            let changedCases = [cases[1], cases[6], cases[11]]
            for caseID in changedCases {
                try await world.execute(
                    "UPDATE cases SET resolved_at = resolved_at + interval '1 second' WHERE id = \(caseID)")
            }
            var after: Int64?
            var found: [Int64] = []
            var windows = 0
            repeat {
                let cursor = after
                let (changed, next) = try await world.database.withConnection {
                    try PipelineStore.casesChangedSinceAttested(after: cursor, scan: 5, limit: 500, on: $0)
                }
                found += changed
                windows += 1
                after = next
            } while after != nil && windows < 10
            #expect(found == changedCases)
            #expect(windows == 3)
            // A full answer: the next window starts after its last case.
            let (first, next) = try await world.database.withConnection {
                try PipelineStore.casesChangedSinceAttested(after: nil, scan: 100, limit: 2, on: $0)
            }
            #expect(first == [cases[1], cases[6]])
            #expect(next == cases[6])
        }
    }

    @Test func casesWithNoAttestationAreRequestedAWindowAtATime() async throws {
        try await VerifierWorld.with { world in
            let cases = try await world.seedCases(11, appointments: 1)
            try await world.attest([cases[0], cases[4]])
            try await world.execute("UPDATE cases SET status = 'open' WHERE id = \(cases[7])")
            var after: Int64?
            var requested: [Int] = []
            var lastSeen: [Int64?] = []
            repeat {
                let cursor = after
                let (count, next) = try await world.database.transaction {
                    try PipelineStore.requestUnattested(after: cursor, scan: 4, now: Date(), on: $0)
                }
                requested.append(count)
                lastSeen.append(next)
                after = next
            } while after != nil && requested.count < 10
            // Windows of 4, 4 and 3 cases: the attested and the open case are left out.
            #expect(requested == [3, 2, 3])
            #expect(lastSeen == [cases[3], cases[7], nil])
            let rows = try await world.database.query(
                "SELECT case_id, status, requested_by FROM attestation WHERE version = 1 ORDER BY case_id")
            let sweptCases = try rows.rows.filter { try $0.decode(String?.self, "requested_by") == "sweep" }
                .map { try $0.decode(Int64.self, "case_id") }
            #expect(sweptCases == cases.enumerated().filter { ![0, 4, 7].contains($0.offset) }.map(\.element))
            // A second round finds nothing new: no request is doubled.
            let (again, _) = try await world.database.transaction {
                try PipelineStore.requestUnattested(after: nil, scan: 100, now: Date(), on: $0)
            }
            #expect(again == 0)
        }
    }
}
