/// Checks many proofs of the same trees, hashing each shared node up once.
/// A proof's path is cut short at a node already proven to lead to the same
/// root through the very same remaining siblings: the rest of its fold is the
/// same computation, so the answer is `MerkleTree.verify`'s, exactly. A
/// verifier checks thousands of leaves per batch; each would otherwise hash
/// its whole path (12 pairs in a batch of 4,096). Not thread-safe: one per task.
///
/// Leaves are sorted by hash in the tree, so a page's cases (in case order)
/// reach its nodes in no useful order: nodes are found by a table. The table
/// is keyed by a node's first eight bytes (a keccak256 output needs no other
/// hashing) and keeps indexes, not copies: each proven proof and root is
/// stored once, and a node names its proof, its level in it and its root.
public final class MerkleProofCache {
    /// A node's first eight bytes -> its entry below. A node whose first
    /// bytes equal another's replaces it: the cache then only misses it.
    private var entries: [UInt64: Int] = [:]
    private var nodes: [[UInt8]] = []
    /// For each node: the proof (in `proofs`) whose siblings from `levels`
    /// on fold it up to the root (in `roots`).
    private var owners: [(proof: Int, level: Int, root: Int)] = []
    private var proofs: [[[UInt8]]] = []
    private var roots: [[UInt8]] = []
    /// The nodes hashed by the current call (kept to save an allocation per call).
    private var path: [[UInt8]] = []

    public init() {}

    /// `MerkleTree.verify(leaf:proof:root:)`.
    public func verify(leaf: [UInt8], proof: [[UInt8]], root: [UInt8]) -> Bool {
        path.removeAll(keepingCapacity: true)
        // Only nodes proven to lead to this very root can cut the path short.
        let rootIndex = roots.lastIndex(of: root)
        var node = leaf
        var reached = false
        for level in proof.indices {
            // A leaf is its case's own: only the nodes above it are shared.
            if level > 0 {
                if let rootIndex, proven(node, root: rootIndex, siblings: proof[level...]) {
                    reached = true
                    break
                }
                path.append(node)
            }
            node = MerkleTree.hashPair(node, proof[level])
        }
        guard reached || node == root else { return false }
        if !path.isEmpty { remember(path, proof: proof, root: rootIndex ?? append(root)) }
        return true
    }

    /// Whether `node` is known to fold up to root `root` through exactly `siblings`.
    private func proven(_ node: [UInt8], root: Int, siblings: ArraySlice<[UInt8]>) -> Bool {
        guard let entry = entries[Self.key(node)], owners[entry].root == root, Self.same(nodes[entry], node) else {
            return false
        }
        let owner = owners[entry]
        let known = proofs[owner.proof][owner.level...]
        guard known.count == siblings.count else { return false }
        return zip(known, siblings).allSatisfy { Self.same($0, $1) }
    }

    /// Byte equality of two hashes, eight bytes at a time: the siblings of
    /// every case above its first level are compared (`==` on two arrays
    /// compares byte by byte).
    @inline(__always)
    static func same(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        guard a.count % 8 == 0 else { return a == b }
        return a.withUnsafeBytes { a in
            b.withUnsafeBytes { b in
                var offset = 0
                while offset < a.count {
                    if a.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                        != b.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                    {
                        return false
                    }
                    offset += 8
                }
                return true
            }
        }
    }

    /// The path's nodes (from level 1 up), each folded up by `proof` from its level on.
    private func remember(_ path: [[UInt8]], proof: [[UInt8]], root: Int) {
        proofs.append(proof)
        for (offset, hashed) in path.enumerated() {
            entries[Self.key(hashed)] = nodes.count
            nodes.append(hashed)
            owners.append((proofs.count - 1, offset + 1, root))
        }
    }

    private func append(_ root: [UInt8]) -> Int {
        roots.append(root)
        return roots.count - 1
    }

    /// A node's first eight bytes (a node is 32 bytes; a shorter one keys by what it has).
    private static func key(_ node: [UInt8]) -> UInt64 {
        var key: UInt64 = 0
        for byte in node.prefix(8) { key = key << 8 | UInt64(byte) }
        return key
    }
}
