/// Writes bytes into memory sized up front from an upper bound the caller
/// computes, so the hot path of case documents has no per-append capacity
/// or uniqueness checks. Overrunning the bound is a programming error and
/// traps rather than corrupting memory.
struct ByteWriter {
    let base: UnsafeMutablePointer<UInt8>
    let capacity: Int
    private(set) var count = 0

    init(base: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

    @inline(__always)
    private func ensure(_ extra: Int) {
        precondition(count + extra <= capacity, "ByteWriter bound too small")
    }

    mutating func byte(_ value: UInt8) {
        ensure(1)
        base[count] = value
        count += 1
    }

    mutating func literal(_ text: StaticString) {
        let length = text.utf8CodeUnitCount
        ensure(length)
        (base + count).update(from: text.utf8Start, count: length)
        count += length
    }

    mutating func bytes(_ source: UnsafeBufferPointer<UInt8>) {
        guard let start = source.baseAddress, !source.isEmpty else { return }
        ensure(source.count)
        (base + count).update(from: start, count: source.count)
        count += source.count
    }

    /// A JSON string with RFC 8785 escaping, quotes included. Needs at most
    /// 2 + 6 * utf8.count bytes.
    mutating func string(_ value: String) {
        byte(UInt8(ascii: "\""))
        if value.utf8.withContiguousStorageIfAvailable({ escaped($0) }) == nil {
            Array(value.utf8).withUnsafeBufferPointer { escaped($0) }
        }
        byte(UInt8(ascii: "\""))
    }

    private mutating func escaped(_ source: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        while true {
            let next = CanonicalWriter.firstByteNeedingEscape(source, from: runStart)
            bytes(UnsafeBufferPointer(rebasing: source[runStart..<next]))
            guard next < source.count else { return }
            CanonicalWriter.escape(source[next]) { byte($0) }
            runStart = next + 1
        }
    }

    /// Decimal digits of an integer: at most 20 bytes.
    mutating func integer(_ value: Int64) {
        ensure(20)
        if value < 0 { byte(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits = 1
        var probe = magnitude
        while probe >= 10 { probe /= 10; digits += 1 }
        var position = count + digits - 1
        repeat {
            base[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
            magnitude /= 10
            position -= 1
        } while magnitude > 0
        count += digits
    }

    /// Lowercase hex of `source`, no prefix.
    mutating func hex(_ source: [UInt8]) {
        ensure(source.count * 2)
        for value in source {
            base[count] = ByteWriter.hexDigit(value >> 4)
            base[count + 1] = ByteWriter.hexDigit(value & 0x0F)
            count += 2
        }
    }

    @inline(__always)
    static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") &+ nibble : UInt8(ascii: "a") &+ (nibble &- 10)
    }

    /// `n` as exactly `width` decimal digits (n < 10^width).
    mutating func fixedDigits(_ n: Int64, width: Int) {
        ensure(width)
        var rest = n
        var position = count + width - 1
        while position >= count {
            base[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
            position -= 1
        }
        count += width
    }
}

extension CanonicalWriter {
    /// Index of the first byte at or after `start` that RFC 8785 escapes
    /// (below 0x20, `"` or `\`), or `source.count`. Checks eight bytes at a
    /// time; any word that might hold one is rescanned bytewise, so false
    /// positives of the word test cost time, never correctness.
    static func firstByteNeedingEscape(_ source: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = source.baseAddress else { return source.count }
        let count = source.count
        var index = start
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while index + 8 <= count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            let control = (word &- 0x20 &* ones) & ~word & highs
            let quote = word ^ (0x22 &* ones)
            let backslash = word ^ (0x5C &* ones)
            let hits = control | ((quote &- ones) & ~quote & highs) | ((backslash &- ones) & ~backslash & highs)
            if hits != 0 { break }
            index += 8
        }
        while index < count {
            let byte = base[index]
            if byte < 0x20 || byte == 0x22 || byte == 0x5C { return index }
            index += 1
        }
        return count
    }

    /// The escape sequence for one byte that needs it.
    @inline(__always)
    static func escape(_ byte: UInt8, _ emit: (UInt8) -> Void) {
        emit(UInt8(ascii: "\\"))
        switch byte {
        case 0x22: emit(UInt8(ascii: "\""))
        case 0x5C: emit(UInt8(ascii: "\\"))
        case 0x08: emit(UInt8(ascii: "b"))
        case 0x09: emit(UInt8(ascii: "t"))
        case 0x0A: emit(UInt8(ascii: "n"))
        case 0x0C: emit(UInt8(ascii: "f"))
        case 0x0D: emit(UInt8(ascii: "r"))
        default:
            emit(UInt8(ascii: "u"))
            emit(UInt8(ascii: "0"))
            emit(UInt8(ascii: "0"))
            emit(ByteWriter.hexDigit(byte >> 4))
            emit(ByteWriter.hexDigit(byte & 0x0F))
        }
    }
}
