import Ethereum
import Foundation
import PropertyBased
import Testing

@testable import Attestation

/// The byte-level proof reader against the JSON path it stands in for
/// (`AttestationRecord.proofHashes`): whatever it answers, the JSON path
/// answers the same; where it declines (nil), the JSON path decides.
struct ProofTextTests {
    static let hashA = "0x" + String(repeating: "ab", count: 32)
    static let hashB = "0x" + String(repeating: "0F", count: 32)

    enum Outcome: Equatable {
        case success([[UInt8]])
        case failure(String)
    }

    /// The JSON path, as `proofHashes` runs it when `ProofText` declines.
    static func viaJSON(_ text: String) -> Outcome {
        do {
            guard let data = text.data(using: .utf8),
                let strings = try JSONSerialization.jsonObject(with: data) as? [String]
            else { return .success([]) }
            return .success(try strings.map { try ContentHash(hex: $0).bytes })
        } catch {
            return .failure("\(error)")
        }
    }

    /// nil when `ProofText` declined; otherwise checked against the JSON path.
    static func agree(_ text: String) -> Bool? {
        let fast: [[UInt8]]?
        do {
            fast = try ProofText.siblings(text)
        } catch {
            #expect(viaJSON(text) == .failure("\(error)"), "\(text.debugDescription)")
            return true
        }
        guard let fast else { return nil }
        #expect(viaJSON(text) == .success(fast), "\(text.debugDescription)")
        return true
    }

    @Test func readsWhatPostgreSQLPrints() throws {
        // jsonb's text form: ", " between elements.
        let text = "[\"\(Self.hashA)\", \"\(Self.hashB)\"]"
        let siblings = try #require(try ProofText.siblings(text))
        #expect(siblings == [try Hex.decode(Self.hashA), try Hex.decode(Self.hashB)])
        #expect(try ProofText.siblings("[]") == [])
        #expect(Self.agree(text) == true)
    }

    @Test(arguments: [
        "[]", " [ ] ", "[\"\(hashA)\"]", "\n[\"\(hashA)\",\t\"\(hashB)\"]\r\n",
        // Not content hashes: rejected with ContentHash's own error.
        "[\"0x12\"]", "[\"\(hashA)\", \"0X\(hashA.dropFirst(2))\"]", "[\"\(hashA.dropLast())g\"]",
        "[\"\"]", "[\"0x0x\(hashA.dropFirst(4))\"]",
    ])
    func answersAsTheJSONPath(text: String) {
        #expect(Self.agree(text) == true)
    }

    @Test(arguments: [
        "", "[", "]", "[,]", "[\"\(hashA)\",]", "[\"\(hashA)\"", "[\"\(hashA)\"]x", "[[]]", "[1]", "null",
        "{\"a\": 1}", "[\"\\u0030x\(hashA.dropFirst(2))\"]", "[\"é\"]", "[\"\u{1}\"]", "[\"\(hashA)\" \"\(hashB)\"]",
    ])
    func declinesAnythingElse(text: String) {
        #expect(Self.agree(text) == nil)
    }

    /// Random edits of a valid proof: every answer the reader gives is the JSON path's.
    @Test func randomEditsAgreeWithTheJSONPath() async {
        let pieces = ["[", "]", "\"", ",", " ", "\n", "\\", "0", "x", "X", "a", "F", "g", "é", "\u{0}", "1", "u", "n"]
        await propertyCheck(count: 2000, input: Gen.int64()) { seed in
            var rng = SplitMix64(seed: UInt64(bitPattern: seed))
            var characters = Array("[\"\(Self.hashA)\", \"\(Self.hashB)\"]")
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let at = Int.random(in: 0...characters.count, using: &rng)
                let piece = Array(pieces[Int.random(in: 0..<pieces.count, using: &rng)])
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: characters.insert(contentsOf: piece, at: at)
                case 1 where at < characters.count: characters.remove(at: at)
                default: if at < characters.count { characters.replaceSubrange(at...at, with: piece) }
                }
            }
            _ = Self.agree(String(characters))
        }
    }

    /// Generated proofs as PostgreSQL prints them and in other spacings, of
    /// 0 to 20 siblings in mixed case: the one-pass reader (`plainHashes`)
    /// answers, and answers as the JSON path does.
    @Test func generatedProofsAreReadInOnePassAsTheJSONPathReadsThem() throws {
        var rng = SplitMix64(seed: 0xB00F)
        let separators = [", ", ",", " , ", ",\n\t"]
        for _ in 0..<500 {
            let hashes = (0..<Int.random(in: 0...20, using: &rng)).map { _ in
                "0x"
                    + String(
                        (0..<64).map { _ in Array("0123456789abcdefABCDEF")[Int.random(in: 0..<22, using: &rng)] })
            }
            let separator = separators[Int.random(in: 0..<separators.count, using: &rng)]
            let text = "[" + hashes.map { "\"\($0)\"" }.joined(separator: separator) + "]"
            let fast = Array(text.utf8).withUnsafeBufferPointer { ProofText.plainHashes($0) }
            #expect(try fast == hashes.map { try Hex.decode($0) })
            #expect(Self.agree(text) == true)
        }
    }

    /// `ContentHash(hex:)` reads bytes: it accepts exactly what the length,
    /// `hasPrefix("0x")` and `Hex.decode` accepted together.
    @Test func contentHashAcceptsWhatItsStringRuleAccepted() {
        var rng = SplitMix64(seed: 0xC0DE)
        let alphabet = Array("0123456789abcdefABCDEFxXg é\u{301}")
        for _ in 0..<5_000 {
            var body = String(
                (0..<Int.random(in: 62...66, using: &rng)).map { _ in
                    Int.random(in: 0..<20, using: &rng) == 0
                        ? alphabet[Int.random(in: 0..<alphabet.count, using: &rng)]
                        : alphabet[Int.random(in: 0..<22, using: &rng)]
                })
            if Int.random(in: 0..<4, using: &rng) > 0 { body = "0x" + body.dropFirst(2) }
            let accepted = body.utf8.count == 66 && body.hasPrefix("0x") && (try? Hex.decode(body)) != nil
            let hash = try? ContentHash(hex: body)
            #expect((hash != nil) == accepted, "\(body.debugDescription)")
            if let hash { #expect(hash.bytes == (try? Hex.decode(body))) }
        }
    }
}
