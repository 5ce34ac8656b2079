import Ethereum

/// A Merkle batch laid out exactly like OpenZeppelin's StandardMerkleTree
/// (@openzeppelin/merkle-tree 1.x) so proofs verify with MerkleProof.sol:
/// - leaf = keccak256(keccak256(abi.encode(bytes32 contentHash)));
/// - leaves sorted by hash (the library's default `sortLeaves: true`);
/// - a flat array of 2n-1 nodes, root at 0, leaf i stored at 2n-2-i, and the
///   children of node k at 2k+1 and 2k+2;
/// - parent = keccak256 of the two children in ascending byte order.
/// A batch of one is valid: its root is its leaf and its proof is empty.
public struct MerkleTree: Sendable {
    /// All nodes, root first.
    public let tree: [[UInt8]]
    /// For each input value, in input order, the index of its leaf in `tree`.
    public let treeIndices: [Int]

    public var root: [UInt8] { tree[0] }
    public var leafCount: Int { treeIndices.count }

    /// A tree over content hashes (32 bytes each), in the order given.
    public init(contentHashes: [ContentHash]) throws(AttestationError) {
        try self.init(leafHashes: contentHashes.map(Self.leafHash), sortLeaves: true)
    }

    /// A tree over raw 32-byte content hashes.
    public init(contentHashes: [[UInt8]]) throws(AttestationError) {
        var leaves: [[UInt8]] = []
        leaves.reserveCapacity(contentHashes.count)
        for hash in contentHashes { leaves.append(try Self.leafHash(hash)) }
        try self.init(leafHashes: leaves, sortLeaves: true)
    }

    /// A tree over already-hashed leaves (any leaf encoding), as the JS
    /// library's `StandardMerkleTree.of(values, encoding, { sortLeaves })`.
    public init(leafHashes: [[UInt8]], sortLeaves: Bool = true) throws(AttestationError) {
        guard !leafHashes.isEmpty else {
            throw AttestationError(.emptyBatch, "a Merkle tree needs at least one leaf")
        }
        for leaf in leafHashes where leaf.count != 32 {
            throw AttestationError(.invalidContentHash, "a Merkle leaf is 32 bytes, got \(leaf.count)")
        }
        var order = Array(leafHashes.indices)
        if sortLeaves {
            // Ties (equal leaves) keep input order, as the JS stable sort does.
            order.sort { a, b in
                leafHashes[a] == leafHashes[b] ? a < b : leafHashes[a].lexicographicallyPrecedes(leafHashes[b])
            }
        }
        let nodeCount = 2 * leafHashes.count - 1
        var nodes = [[UInt8]](repeating: [], count: nodeCount)
        var indices = [Int](repeating: 0, count: leafHashes.count)
        for (position, valueIndex) in order.enumerated() {
            nodes[nodeCount - 1 - position] = leafHashes[valueIndex]
            indices[valueIndex] = nodeCount - 1 - position
        }
        var parent = nodeCount - 1 - leafHashes.count
        while parent >= 0 {
            nodes[parent] = Self.hashPair(nodes[2 * parent + 1], nodes[2 * parent + 2])
            parent -= 1
        }
        tree = nodes
        treeIndices = indices
    }

    /// keccak256(keccak256(abi.encode(bytes32))): abi.encode of one bytes32
    /// is the 32 bytes themselves.
    public static func leafHash(_ contentHash: ContentHash) -> [UInt8] {
        Keccak256.hash(Keccak256.hash(contentHash.bytes))
    }

    public static func leafHash(_ contentHash: [UInt8]) throws(AttestationError) -> [UInt8] {
        Self.leafHash(try ContentHash(bytes: contentHash))
    }

    /// The leaf of the value at `index` (input order).
    public func leaf(forValueAt index: Int) throws(AttestationError) -> [UInt8] {
        tree[try treeIndex(forValueAt: index)]
    }

    public func treeIndex(forValueAt index: Int) throws(AttestationError) -> Int {
        guard treeIndices.indices.contains(index) else {
            throw AttestationError(.indexOutOfRange, "value index \(index) is outside 0..<\(leafCount)")
        }
        return treeIndices[index]
    }

    /// Sibling hashes from the leaf of the value at `index` up to the root.
    public func proof(forValueAt index: Int) throws(AttestationError) -> [[UInt8]] {
        var node = try treeIndex(forValueAt: index)
        var proof: [[UInt8]] = []
        while node > 0 {
            proof.append(tree[node % 2 == 1 ? node + 1 : node - 1])
            node = (node - 1) / 2
        }
        return proof
    }

    /// MerkleProof.processProof: fold the proof into the leaf with the
    /// commutative (sorted-pair) hash.
    public static func processProof(leaf: [UInt8], proof: [[UInt8]]) -> [UInt8] {
        proof.reduce(leaf) { hashPair($0, $1) }
    }

    /// MerkleProof.verify.
    public static func verify(leaf: [UInt8], proof: [[UInt8]], root: [UInt8]) -> Bool {
        processProof(leaf: leaf, proof: proof) == root
    }

    static func hashPair(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        let (first, second) = a.lexicographicallyPrecedes(b) ? (a, b) : (b, a)
        return first.withUnsafeBytes { first in second.withUnsafeBytes { Keccak256.hash(first, then: $0) } }
    }
}
