import Attestation
import Foundation
import Testing

@testable import AttestationService

/// The quick reading of intake's appointment summary against the general
/// one (JSONDecoder): the same appointments whenever it reads, and it
/// reads everything PostgreSQL's json_agg writes for plain values.
struct AppointmentSummaryTests {
    @Test func plainSummariesReadAsTheDecoderReadsThem() throws {
        var random = SummaryRandom(seed: 7)
        for index in 0..<2000 {
            let text = Self.summary(&random, escapes: false)
            let quick = try #require(AppointmentSummary.parse(text), "summary \(index): \(text)")
            #expect(quick == (try AttestationIntake.decodedAppointments(fromJSON: text)), "\(text)")
        }
    }

    /// Escaped strings and other number forms go the general way; the
    /// answer (or the error) is the decoder's.
    @Test func anythingElseIsLeftToTheDecoder() throws {
        var random = SummaryRandom(seed: 11)
        var left = 0
        for _ in 0..<2000 {
            let text = Self.summary(&random, escapes: true)
            let general = Result { try AttestationIntake.decodedAppointments(fromJSON: text) }
            if let quick = AppointmentSummary.parse(text) {
                #expect(quick == (try general.get()), "\(text)")
            } else {
                left += 1
            }
            switch (Result { try AttestationIntake.appointments(fromJSON: text) }, general) {
            case (.success(let read), .success(let expected)): #expect(read == expected)
            case (.failure, .failure): break
            default: Issue.record("the two readings disagree on \(text)")
            }
        }
        #expect(left > 0)
    }

    @Test func oddShapesAreLeftToTheDecoder() {
        for text in [
            "", "[", "[[1, 2, \"a\", \"b\"]", "[[1, 2, \"a\"]]", "[[1, 2, \"a\", \"b\", 5]]", "[[01, 2, \"a\", \"b\"]]",
            "[[1.5, 2, \"a\", \"b\"]]", "[[1, 2e3, \"a\", \"b\"]]", "[[\"1\", 2, \"a\", \"b\"]]", "[[1, 2, 3, \"b\"]]",
            "[[1, 2, \"a\", \"b\"]] x", "[[1234567890123456789, 2, \"a\", \"b\"]]", "[[1, nul, \"a\", \"b\"]]",
            "[[1, 2, \"a\\\"\", \"b\"]]", "[[1, 2, \"a\u{1}\", \"b\"]]", "{}", "[[-, 2, \"a\", \"b\"]]",
        ] {
            #expect(AppointmentSummary.parse(text) == nil, "\(text)")
        }
        #expect(AppointmentSummary.parse("[]") == [])
        #expect(AppointmentSummary.parse(" [ ] ") == [])
    }

    static let words = ["completed", "online", "in_person", "no_show", "é日😀", "a b", "/", "", "null"]
    static let escaped = ["\\\"", "\\\\", "\\n", "\\u00e9", "\\ud83d\\ude00", "\\/"]

    /// json_agg's layout (`[[...], [...]]` with ", " between values), with
    /// random spacing, nulls, negative and large integers.
    static func summary(_ random: inout SummaryRandom, escapes: Bool) -> String {
        func space() -> String { ["", " ", "  ", "\n ", "\t"][Int(random.next() % 5)] }
        func string() -> String {
            switch random.next() % (escapes ? 4 : 3) {
            case 0: "null"
            case 3: "\"\(words[Int(random.next() % UInt64(words.count))])\(escaped[Int(random.next() % 6)])\""
            default: "\"\(words[Int(random.next() % UInt64(words.count))])\""
            }
        }
        func micros() -> String {
            switch random.next() % (escapes ? 5 : 4) {
            case 0: "null"
            case 1: "-\(random.next() % 100_000_000_000_000)"
            case 4: ["1.5", "1e3", "\"x\"", "true"][Int(random.next() % 4)]
            default: "\(random.next() % 999_999_999_999_999_999)"
            }
        }
        let count = Int(random.next() % 5)
        let entries = (0..<count).map { _ in
            let id = random.next() % 3 == 0 ? "\(random.next() % 999_999_999_999_999_999)" : "\(random.next() % 1000)"
            let values = [id, micros(), string(), string()].map { space() + $0 + space() }
            return "[" + values.joined(separator: ",") + "]"
        }
        return space() + "[" + entries.joined(separator: "," + space()) + "]" + space()
    }
}

/// Deterministic, so a failure repeats.
struct SummaryRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
