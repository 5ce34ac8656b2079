import Testing

@testable import Ethereum

struct Keccak256Tests {
    // Known answers from the Keccak team's reference (as used by Ethereum).
    @Test(arguments: [
        ("", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
        ("abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"),
        (
            "The quick brown fox jumps over the lazy dog",
            "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15"
        ),
        ("transfer(address,uint256)", "a9059cbb2ab09eb219583f4a59a5d0623ade346d962bcd4e46b11da047c9049b"),
    ])
    func knownAnswers(input: String, expected: String) {
        #expect(Hex.encode(Keccak256.hash(Array(input.utf8))) == expected)
    }

    @Test func incrementalEqualsOneShotAcrossBlockBoundaries() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for split in [0, 1, 135, 136, 137, 272, 500, 999, 1000] {
            var hasher = Keccak256()
            hasher.update(data[..<split])
            hasher.update(data[split...])
            #expect(hasher.finalize() == Keccak256.hash(data), "split at \(split)")
        }
    }

    @Test func exactlyOneRateBlock() {
        // 136 bytes: padding goes into a block of its own.
        let data = [UInt8](repeating: 0x61, count: 136)
        #expect(Hex.encode(Keccak256.hash(data)).count == 64)
        #expect(Keccak256.hash(data) != Keccak256.hash(data.dropLast()))
    }

    /// The one-block path (on the stack) against the incremental hasher, at
    /// every length around the block and split at every kind of place.
    @Test func shortInputsHashAsTheIncrementalHasherDoes() {
        let data = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 17) }
        for length in 0...300 {
            var hasher = Keccak256()
            hasher.update(Array(data[..<length]))
            let expected = hasher.finalize()
            #expect(Keccak256.hash(Array(data[..<length])) == expected, "length \(length)")
            for split in Set([0, length / 3, length / 2, length]) {
                let pair = data[..<split].withUnsafeBytes { first in
                    data[split..<length].withUnsafeBytes { Keccak256.hash(first, then: $0) }
                }
                #expect(pair == expected, "length \(length) split \(split)")
            }
        }
    }
}
