import ArgumentParser
import Foundation

/// TEST ONLY. `CASEATTEST_TEST_CLOCK_OFFSET=<seconds>` moves the clock the
/// spending budget finds its UTC day with (and so midnight) by that many
/// seconds, so the integration tests cross a midnight without waiting for
/// one. Nothing else reads it: the worker's schedules, the chain and the
/// database keep real time. Unset (every deployment): 0. `serve` warns when set.
enum TestClock {
    static let variable = "CASEATTEST_TEST_CLOCK_OFFSET"

    static func budgetOffset() throws -> Double {
        guard let text = ProcessInfo.processInfo.environment[variable], !text.isEmpty else { return 0 }
        guard let seconds = Double(text), seconds.isFinite else {
            throw ValidationError("\(variable) must be a number of seconds")
        }
        return seconds
    }
}
