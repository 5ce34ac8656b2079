import Testing

@testable import AttestationService

/// A whole-table count waits its interval, or ten times its own duration
/// when that is longer (a large table under load).
struct FullScanSpacingTests {
    @Test func aQuickCountWaitsItsInterval() {
        #expect(FullScan.wait(interval: 30, took: 0.4) == 30)
    }

    @Test func aSlowCountWaitsTenTimesItsDuration() {
        #expect(FullScan.wait(interval: 30, took: 12) == 120)
    }
}
