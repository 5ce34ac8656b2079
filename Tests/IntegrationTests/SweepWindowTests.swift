import Foundation
import Postgres
import Testing

@testable import AttestationService

/// The sweep compares fingerprints a window of cases at a time and goes
/// round: every case is looked at, none twice in one round.
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
}
