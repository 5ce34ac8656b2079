import Attestation
import AttestationService
import Foundation
import Postgres
import Synchronization
import Testing

/// `verify` reads and judges a page of cases at a time: the verdicts do not
/// depend on the page size, and `--problems-only` keeps only the problems
/// while the summary still counts every case.
struct VerifierPagingTests {
    @Test func verdictsDoNotDependOnThePageSize() async throws {
        try await VerifierWorld.with { world in
            let cases = try await world.seedCases(23, appointments: 1)
            try await world.attest(Array(cases.prefix(10)))
            try await world.attest(Array(cases[10..<20]))
            try await world.mine(2)
            // Three cases without attestation (missing), one tampered.
            try await world.execute(
                "UPDATE cases SET resolved_at = resolved_at + interval '1 second' WHERE id = \(cases[4])")
            let base = try world.verifier()
            let everything = try await base.verify(VerificationSelection())
            #expect(everything.summary.total == 23)
            #expect(everything.summary.count(.verified) == 19)
            #expect(everything.summary.count(.missing) == 3)
            #expect(everything.summary.count(.recordChanged) == 1)
            // Progress counts the selection first (only when asked for).
            let seen = Mutex<[Int]>([])
            let counted = try await try world.verifier(pageSize: 4).verify(VerificationSelection()) { done, total in
                seen.withLock { $0.append(done) }
                #expect(total == 23)
            }
            #expect(counted.summary == everything.summary)
            #expect(seen.withLock { $0 } == [4, 8, 12, 16, 20, 23])
            for size in [1, 4, 7, 22, 23, 24] {
                let paged = try world.verifier(pageSize: size)
                let report = try await paged.verify(VerificationSelection())
                #expect(report.results.map(\.caseID) == everything.results.map(\.caseID), "page size \(size)")
                #expect(report.results.map(\.verdict) == everything.results.map(\.verdict), "page size \(size)")
                let problems = try await paged.verify(VerificationSelection(), keepVerified: false)
                #expect(problems.summary == everything.summary, "page size \(size)")
                #expect(problems.results.map(\.caseID) == [cases[4]] + Array(cases.suffix(3)), "page size \(size)")
            }
        }
    }

    /// A selection by counsellor reads its pages by id (not by range): same
    /// verdicts at every page size, and only that counsellor's cases.
    @Test func aFilteredSelectionIsPagedByID() async throws {
        try await VerifierWorld.with { world in
            let first = try await world.seedCases(5, appointments: 1)
            let second = try await world.seedCases(6, appointments: 1)
            try await world.attest(first + Array(second.prefix(5)))
            try await world.mine(2)
            let counsellor = try await world.database.query(
                "SELECT counsellor_id FROM cases WHERE id = \(second[0])"
            ).rows[0].decode(Int64.self, "counsellor_id")
            let everything = try await world.verifier().verify(VerificationSelection())
            let theirs = everything.results.filter { second.contains($0.caseID) }
            #expect(theirs.map(\.caseID) == second)
            #expect(theirs.last?.verdict == .missing)
            for size in [1, 2, 4, 50] {
                let report = try await world.verifier(pageSize: size).verify(
                    VerificationSelection(counsellorID: counsellor))
                #expect(report.results.map(\.caseID) == theirs.map(\.caseID), "page size \(size)")
                #expect(report.results.map(\.verdict) == theirs.map(\.verdict), "page size \(size)")
            }
        }
    }
}
