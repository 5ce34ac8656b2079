/// Filler leaves pad a batch up to its size bucket, so an anchor's leaf count
/// tells volume only coarsely. A filler is 32 fresh bytes from the CSPRNG
/// hashed exactly as a content hash is, so neither its leaf nor the proofs
/// it appears in tell it from a real one. It attests nothing.
public enum FillerLeaf {
    /// One filler leaf: keccak256(keccak256(32 random bytes)).
    public static func random() throws(AttestationError) -> [UInt8] {
        MerkleTree.leafHash(try ContentHash(bytes: try Salt.random().bytes))
    }

    /// `count` filler leaves.
    public static func random(count: Int) throws(AttestationError) -> [[UInt8]] {
        var leaves: [[UInt8]] = []
        leaves.reserveCapacity(count)
        for _ in 0..<max(0, count) { leaves.append(try random()) }
        return leaves
    }
}
