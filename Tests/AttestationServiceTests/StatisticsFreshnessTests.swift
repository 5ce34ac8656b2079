import Testing

@testable import AttestationService

/// The worker's rule for analyzing `attestation` itself: a backfill's writes, not a trickle.
struct StatisticsFreshnessTests {
    @Test func aBackfillMakesTheStatisticsStale() {
        // A never-analyzed table reports no live rows: any large write counts.
        #expect(StatisticsFreshness.isStale(changedSinceAnalyze: 80_000, liveRows: 0))
        #expect(StatisticsFreshness.isStale(changedSinceAnalyze: 300_000, liveRows: 1_000_000))
    }

    @Test func aTrickleIsLeftToAutovacuum() {
        #expect(!StatisticsFreshness.isStale(changedSinceAnalyze: 999, liveRows: 0))
        #expect(!StatisticsFreshness.isStale(changedSinceAnalyze: 150_000, liveRows: 1_000_000))
        #expect(StatisticsFreshness.isStale(changedSinceAnalyze: 200_000, liveRows: 1_000_000))
    }
}
