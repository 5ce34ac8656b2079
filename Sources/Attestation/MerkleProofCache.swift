/// Checks many proofs of the same trees, hashing each shared node up once.
/// A proof's path is cut short at a node already proven to lead to the same
/// root through the very same remaining siblings: the rest of its fold is the
/// same computation, so the answer is `MerkleTree.verify`'s, exactly. A
/// verifier checks thousands of leaves per batch; each would otherwise hash
/// its whole path (12 pairs in a batch of 4,096). Not thread-safe: one per task.
public final class MerkleProofCache {
    /// A node above a leaf, the siblings that fold it up to a root, and that root.
    private var proven: [Node: (siblings: ArraySlice<[UInt8]>, root: [UInt8])] = [:]
    /// The nodes hashed by the current call (kept to save an allocation per call).
    private var path: [[UInt8]] = []

    public init() {}

    /// `MerkleTree.verify(leaf:proof:root:)`.
    public func verify(leaf: [UInt8], proof: [[UInt8]], root: [UInt8]) -> Bool {
        path.removeAll(keepingCapacity: true)
        var node = leaf
        var reached = false
        for level in proof.indices {
            // A leaf is its case's own: only the nodes above it are shared.
            if level > 0, let known = proven[Node(node)], known.root == root,
                known.siblings.elementsEqual(proof[level...])
            {
                reached = true
                break
            }
            if level > 0 { path.append(node) }
            node = MerkleTree.hashPair(node, proof[level])
        }
        guard reached || node == root else { return false }
        for (offset, hashed) in path.enumerated() { proven[Node(hashed)] = (proof[(offset + 1)...], root) }
        return true
    }

    /// A node's hash as a key: its first eight bytes hash it (it is a
    /// keccak256 output), all of it compares.
    private struct Node: Hashable {
        let bytes: [UInt8]

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        func hash(into hasher: inout Hasher) {
            var prefix: UInt64 = 0
            for byte in bytes.prefix(8) { prefix = prefix << 8 | UInt64(byte) }
            hasher.combine(prefix)
        }
    }
}
