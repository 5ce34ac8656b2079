import Attestation
import Testing

struct JSONRejectionTests {
    @Test(
        arguments: [
            (#"{"a":1,"a":2}"#, JSONError.Code.duplicateKey),
            (#"{"a":1,"b":{"c":1,"c":1}}"#, .duplicateKey),
            (#"{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k3":9}"#, .duplicateKey),
            (#""\ud800""#, .loneSurrogate),
            (#""\udc00""#, .loneSurrogate),
            (#""\ud800\u0041""#, .loneSurrogate),
            (#""\ud800x""#, .loneSurrogate),
            (#""\udbff\ud800""#, .loneSurrogate),
            ("NaN", .syntax), ("Infinity", .syntax), ("-Infinity", .invalidNumber), ("[NaN]", .syntax),
            ("1e400", .numberOutOfRange), ("-1e400", .numberOutOfRange),
            ("1" + String(repeating: "0", count: 400), .numberOutOfRange), ("2e308", .numberOutOfRange),
            ("01", .invalidNumber), ("1.", .invalidNumber), (".5", .syntax), ("+1", .syntax),
            ("-", .invalidNumber), ("1e", .invalidNumber), ("1e+", .invalidNumber), ("0x10", .trailingContent),
            ("[1,]", .syntax), (#"{"a":1,}"#, .syntax), ("[1 2]", .syntax), (#"{"a" 1}"#, .syntax),
            ("{a:1}", .syntax), ("['a']", .syntax), ("", .unexpectedEnd), ("  \n", .unexpectedEnd),
            ("[1] x", .trailingContent), ("1 2", .trailingContent), ("[", .unexpectedEnd), (#"{"a":"#, .unexpectedEnd),
            ("\"a\u{1F}b\"", .controlCharacter), ("\"a\nb\"", .controlCharacter), (#""\x""#, .invalidEscape),
            (#""\u12G4""#, .invalidEscape), (#""\u12"#, .unexpectedEnd), ("\"abc", .unexpectedEnd),
            ("// c\n1", .syntax), ("/* c */ 1", .syntax), ("tru", .syntax), ("nul", .syntax), ("True", .syntax),
            ("\u{FEFF}1", .syntax), ("\u{A0}1", .syntax),
        ] as [(String, JSONError.Code)])
    func rejectsMalformedText(text: String, code: JSONError.Code) {
        #expect(throws: JSONError.self) { try JSONValue.parse(text) }
        do {
            _ = try JSONValue.parse(text)
        } catch {
            #expect(error.code == code, "\(error)")
            #expect(error.description.hasPrefix("invalid JSON at byte"))
        }
    }

    @Test(
        arguments: [
            [0x22, 0xC0, 0xAF, 0x22],  // overlong "/"
            [0x22, 0xED, 0xA0, 0x80, 0x22],  // UTF-8-encoded surrogate U+D800
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // above U+10FFFF
            [0x22, 0xC3, 0x22],  // truncated sequence
            [0x22, 0xFF, 0x22],  // never valid
            [0x22, 0x80, 0x22],  // lone continuation byte
            [0x22, 0xE2, 0x82],  // truncated at end of input
        ] as [[UInt8]])
    func rejectsInvalidUTF8(bytes: [UInt8]) {
        do {
            _ = try JSONValue.parse(bytes)
            Issue.record("accepted invalid UTF-8 \(bytes)")
        } catch {
            #expect(error.code == .invalidUTF8 || error.code == .unexpectedEnd, "\(error)")
        }
    }

    @Test func rejectsNestingBeyondTheLimitWithoutCrashing() {
        let tooDeep =
            String(repeating: "[", count: JSONValue.maximumNestingDepth + 1)
            + String(repeating: "]", count: JSONValue.maximumNestingDepth + 1)
        #expect(throws: JSONError.self) { try JSONValue.parse(tooDeep) }
        // Hostile: a megabyte of '[' and of '{"a":'.
        let hostileArrays = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        do {
            _ = try JSONValue.parse(hostileArrays)
            Issue.record("accepted unbalanced deep nesting")
        } catch {
            #expect(error.code == .nestingTooDeep)
        }
        let hostileObjects = Array(String(repeating: #"{"a":"#, count: 200_000).utf8)
        do {
            _ = try JSONValue.parse(hostileObjects)
            Issue.record("accepted unbalanced deep nesting")
        } catch {
            #expect(error.code == .nestingTooDeep)
        }
    }

    @Test func mutatedInputEitherParsesToAFixedPointOrIsRejected() throws {
        let seed = #"{"a":[1,2.5,-3e-7,"x\u00e9\n",true,false,null],"b":{"c":"\ud83d\ude02","d":{}},"e":[]}"#
        var rng = SplitMix64(seed: 0xCA5E_A77E_57)
        var parsed = 0
        var rejected = 0
        for _ in 0..<20_000 {
            var bytes = Array(seed.utf8)
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let index = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes.remove(at: index)
                default: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: index)
                }
                if bytes.isEmpty { bytes = [0x20] }
            }
            do {
                let canonical = try JSONValue.parse(bytes).canonicalBytes()
                #expect(try JSONValue.parse(canonical).canonicalBytes() == canonical)
                parsed += 1
            } catch {
                rejected += 1
            }
        }
        #expect(parsed + rejected == 20_000)
        #expect(parsed > 0 && rejected > 0)
    }
}
