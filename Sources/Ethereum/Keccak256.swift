// Keccak-256 as Ethereum uses it: the original Keccak padding (0x01 ... 0x80),
// not NIST SHA3-256 (0x06). OpenSSL 3.0 has no legacy Keccak, so it lives here.
// The permutation is fully unrolled over 25 local lanes (generated, see
// `scripts/gen-keccak.py`) so the optimiser keeps the state in registers.

/// Incremental Keccak-256 hasher. `update` may be called any number of times.
public struct Keccak256: Sendable {
    public static let digestLength = 32
    static let rate = 136  // bytes: (1600 - 2 * 256) / 8

    var state = KeccakState()
    var buffer = KeccakBlock()
    var buffered = 0

    public init() {}

    /// One-shot hash of `data`.
    public static func hash<D: Collection>(_ data: D) -> [UInt8] where D.Element == UInt8 {
        if let digest = data.withContiguousStorageIfAvailable({ hash(UnsafeRawBufferPointer($0)) }) { return digest }
        var hasher = Keccak256()
        hasher.update(data)
        return hasher.finalize()
    }

    /// `hash` of an array, not through the generic path (a call across
    /// modules is not specialized; a Merkle leaf is two of these).
    public static func hash(_ data: [UInt8]) -> [UInt8] {
        data.withUnsafeBytes { hash($0) }
    }

    /// `hash` of contiguous bytes; shorter than a block, padded on the stack.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        hash(bytes, then: UnsafeRawBufferPointer(start: nil, count: 0))
    }

    /// `hash` of `first` followed by `second` (a Merkle pair). Together
    /// shorter than a block (every hash of hashes), they are padded in one
    /// block on the stack and absorbed once: no buffer is allocated per hash.
    public static func hash(_ first: UnsafeRawBufferPointer, then second: UnsafeRawBufferPointer) -> [UInt8] {
        let count = first.count + second.count
        guard count < rate else {
            var hasher = Keccak256()
            // An empty buffer may have no address, which `update` would unwrap.
            for part in [first, second] where !part.isEmpty { hasher.update(part) }
            return hasher.finalize()
        }
        var state = KeccakState()
        withUnsafeTemporaryAllocation(byteCount: rate, alignment: 8) { block in
            block.initializeMemory(as: UInt8.self, repeating: 0)
            if let base = first.baseAddress { block.baseAddress!.copyMemory(from: base, byteCount: first.count) }
            if let base = second.baseAddress {
                block.baseAddress!.advanced(by: first.count).copyMemory(from: base, byteCount: second.count)
            }
            // The padding `KeccakBlock.pad` writes: 0x01 after the data, 0x80 in the last byte.
            block[count] ^= 0x01
            block[rate - 1] ^= 0x80
            state.absorb(UnsafeRawBufferPointer(block), offset: 0)
        }
        return state.squeeze32()
    }

    public mutating func update<D: Collection>(_ data: D) where D.Element == UInt8 {
        if let done: Void = data.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) {
            return done
        }
        update(Array(data))
    }

    public mutating func update(_ data: [UInt8]) {
        data.withUnsafeBytes { update($0) }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        let count = bytes.count
        if buffered > 0 {
            let take = min(Self.rate - buffered, count)
            buffer.copy(from: bytes, offset: 0, count: take, at: buffered)
            buffered += take
            offset = take
            guard buffered == Self.rate else { return }
            buffer.absorb(into: &state)
            buffered = 0
        }
        while count - offset >= Self.rate {
            state.absorb(bytes, offset: offset)
            offset += Self.rate
        }
        if offset < count {
            buffer.copy(from: bytes, offset: offset, count: count - offset, at: 0)
            buffered = count - offset
        }
    }

    public consuming func finalize() -> [UInt8] {
        buffer.pad(from: buffered)
        buffer.absorb(into: &state)
        return state.squeeze32()
    }
}

/// One 136-byte rate block, held as 17 little-endian lanes' worth of bytes.
struct KeccakBlock: Sendable {
    var bytes = [UInt8](repeating: 0, count: Keccak256.rate)

    mutating func copy(from source: UnsafeRawBufferPointer, offset: Int, count: Int, at position: Int) {
        bytes.withUnsafeMutableBytes { target in
            target.baseAddress!.advanced(by: position)
                .copyMemory(from: source.baseAddress!.advanced(by: offset), byteCount: count)
        }
    }

    mutating func pad(from position: Int) {
        for i in position..<Keccak256.rate { bytes[i] = 0 }
        bytes[position] ^= 0x01
        bytes[Keccak256.rate - 1] ^= 0x80
    }

    func absorb(into state: inout KeccakState) {
        bytes.withUnsafeBytes { state.absorb($0, offset: 0) }
    }
}

struct KeccakState: Sendable {
    var l00: UInt64 = 0
    var l01: UInt64 = 0
    var l02: UInt64 = 0
    var l03: UInt64 = 0
    var l04: UInt64 = 0
    var l05: UInt64 = 0
    var l06: UInt64 = 0
    var l07: UInt64 = 0
    var l08: UInt64 = 0
    var l09: UInt64 = 0
    var l10: UInt64 = 0
    var l11: UInt64 = 0
    var l12: UInt64 = 0
    var l13: UInt64 = 0
    var l14: UInt64 = 0
    var l15: UInt64 = 0
    var l16: UInt64 = 0
    var l17: UInt64 = 0
    var l18: UInt64 = 0
    var l19: UInt64 = 0
    var l20: UInt64 = 0
    var l21: UInt64 = 0
    var l22: UInt64 = 0
    var l23: UInt64 = 0
    var l24: UInt64 = 0

    @inline(__always)
    mutating func absorb(_ bytes: UnsafeRawBufferPointer, offset: Int) {
        let base = bytes.baseAddress!.advanced(by: offset)
        @inline(__always) func lane(_ i: Int) -> UInt64 {
            UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
        }
        l00 ^= lane(0); l01 ^= lane(1); l02 ^= lane(2); l03 ^= lane(3); l04 ^= lane(4)
        l05 ^= lane(5); l06 ^= lane(6); l07 ^= lane(7); l08 ^= lane(8); l09 ^= lane(9)
        l10 ^= lane(10); l11 ^= lane(11); l12 ^= lane(12); l13 ^= lane(13); l14 ^= lane(14)
        l15 ^= lane(15); l16 ^= lane(16)
        permute()
    }

    func squeeze32() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        out.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: l00.littleEndian, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: l01.littleEndian, toByteOffset: 8, as: UInt64.self)
            raw.storeBytes(of: l02.littleEndian, toByteOffset: 16, as: UInt64.self)
            raw.storeBytes(of: l03.littleEndian, toByteOffset: 24, as: UInt64.self)
        }
        return out
    }

    static let roundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]

    /// Keccak-f[1600]: 24 rounds of theta, rho, pi, chi, iota, each round unrolled.
    mutating func permute() {
        var a00 = l00
        var a01 = l01
        var a02 = l02
        var a03 = l03
        var a04 = l04
        var a05 = l05
        var a06 = l06
        var a07 = l07
        var a08 = l08
        var a09 = l09
        var a10 = l10
        var a11 = l11
        var a12 = l12
        var a13 = l13
        var a14 = l14
        var a15 = l15
        var a16 = l16
        var a17 = l17
        var a18 = l18
        var a19 = l19
        var a20 = l20
        var a21 = l21
        var a22 = l22
        var a23 = l23
        var a24 = l24
        for round in 0..<24 {
            let rc = Self.roundConstants[round]
            let c0 = a00 ^ a05 ^ a10 ^ a15 ^ a20
            let c1 = a01 ^ a06 ^ a11 ^ a16 ^ a21
            let c2 = a02 ^ a07 ^ a12 ^ a17 ^ a22
            let c3 = a03 ^ a08 ^ a13 ^ a18 ^ a23
            let c4 = a04 ^ a09 ^ a14 ^ a19 ^ a24
            let d0 = c4 ^ c1.rotl(1)
            let d1 = c0 ^ c2.rotl(1)
            let d2 = c1 ^ c3.rotl(1)
            let d3 = c2 ^ c4.rotl(1)
            let d4 = c3 ^ c0.rotl(1)
            let b00 = (a00 ^ d0)
            let b16 = (a05 ^ d0).rotl(36)
            let b07 = (a10 ^ d0).rotl(3)
            let b23 = (a15 ^ d0).rotl(41)
            let b14 = (a20 ^ d0).rotl(18)
            let b10 = (a01 ^ d1).rotl(1)
            let b01 = (a06 ^ d1).rotl(44)
            let b17 = (a11 ^ d1).rotl(10)
            let b08 = (a16 ^ d1).rotl(45)
            let b24 = (a21 ^ d1).rotl(2)
            let b20 = (a02 ^ d2).rotl(62)
            let b11 = (a07 ^ d2).rotl(6)
            let b02 = (a12 ^ d2).rotl(43)
            let b18 = (a17 ^ d2).rotl(15)
            let b09 = (a22 ^ d2).rotl(61)
            let b05 = (a03 ^ d3).rotl(28)
            let b21 = (a08 ^ d3).rotl(55)
            let b12 = (a13 ^ d3).rotl(25)
            let b03 = (a18 ^ d3).rotl(21)
            let b19 = (a23 ^ d3).rotl(56)
            let b15 = (a04 ^ d4).rotl(27)
            let b06 = (a09 ^ d4).rotl(20)
            let b22 = (a14 ^ d4).rotl(39)
            let b13 = (a19 ^ d4).rotl(8)
            let b04 = (a24 ^ d4).rotl(14)
            a00 = b00 ^ (~b01 & b02)
            a01 = b01 ^ (~b02 & b03)
            a02 = b02 ^ (~b03 & b04)
            a03 = b03 ^ (~b04 & b00)
            a04 = b04 ^ (~b00 & b01)
            a05 = b05 ^ (~b06 & b07)
            a06 = b06 ^ (~b07 & b08)
            a07 = b07 ^ (~b08 & b09)
            a08 = b08 ^ (~b09 & b05)
            a09 = b09 ^ (~b05 & b06)
            a10 = b10 ^ (~b11 & b12)
            a11 = b11 ^ (~b12 & b13)
            a12 = b12 ^ (~b13 & b14)
            a13 = b13 ^ (~b14 & b10)
            a14 = b14 ^ (~b10 & b11)
            a15 = b15 ^ (~b16 & b17)
            a16 = b16 ^ (~b17 & b18)
            a17 = b17 ^ (~b18 & b19)
            a18 = b18 ^ (~b19 & b15)
            a19 = b19 ^ (~b15 & b16)
            a20 = b20 ^ (~b21 & b22)
            a21 = b21 ^ (~b22 & b23)
            a22 = b22 ^ (~b23 & b24)
            a23 = b23 ^ (~b24 & b20)
            a24 = b24 ^ (~b20 & b21)
            a00 ^= rc

        }
        l00 = a00
        l01 = a01
        l02 = a02
        l03 = a03
        l04 = a04
        l05 = a05
        l06 = a06
        l07 = a07
        l08 = a08
        l09 = a09
        l10 = a10
        l11 = a11
        l12 = a12
        l13 = a13
        l14 = a14
        l15 = a15
        l16 = a16
        l17 = a17
        l18 = a18
        l19 = a19
        l20 = a20
        l21 = a21
        l22 = a22
        l23 = a23
        l24 = a24
    }
}

extension UInt64 {
    @inline(__always) func rotl(_ n: UInt64) -> UInt64 { (self << n) | (self >> (64 &- n)) }
}
