import Attestation
import Ethereum
import Testing

/// The cache answers as `MerkleTree.verify` does, for every leaf of shared
/// trees and for a proof forged above a node it already knows.
struct MerkleProofCacheTests {
    private static func tree(_ count: Int, seed: UInt8) throws -> MerkleTree {
        try MerkleTree(contentHashes: (0..<count).map { Keccak256.hash([seed, UInt8($0 % 256), UInt8($0 / 256)]) })
    }

    @Test func everyLeafOfTwoInterleavedTreesVerifiesAsWithoutTheCache() throws {
        let trees = [try Self.tree(300, seed: 1), try Self.tree(77, seed: 2)]
        let cache = MerkleProofCache()
        for index in 0..<300 {
            for tree in trees where index < tree.leafCount {
                let leaf = try tree.leaf(forValueAt: index)
                let proof = try tree.proof(forValueAt: index)
                #expect(MerkleTree.verify(leaf: leaf, proof: proof, root: tree.root))
                #expect(cache.verify(leaf: leaf, proof: proof, root: tree.root), "leaf \(index)")
                // Another tree's root: a known node must not carry it there.
                let other = trees.first { $0.root != tree.root }!.root
                #expect(!cache.verify(leaf: leaf, proof: proof, root: other))
            }
        }
    }

    @Test func aSiblingForgedAboveAKnownNodeIsStillRejected() throws {
        let tree = try Self.tree(64, seed: 3)
        let cache = MerkleProofCache()
        for index in 0..<64 {
            #expect(
                cache.verify(
                    leaf: try tree.leaf(forValueAt: index), proof: try tree.proof(forValueAt: index), root: tree.root))
        }
        // Leaf 5's first parent is known to the cache; its upper siblings are forged.
        for level in 1..<6 {
            var forged = try tree.proof(forValueAt: 5)
            forged[level][0] ^= 0x01
            let leaf = try tree.leaf(forValueAt: 5)
            #expect(!MerkleTree.verify(leaf: leaf, proof: forged, root: tree.root))
            #expect(!cache.verify(leaf: leaf, proof: forged, root: tree.root), "level \(level)")
        }
        // A forged first sibling (the case's own pair) fails too.
        var forged = try tree.proof(forValueAt: 5)
        forged[0][31] ^= 0x80
        #expect(!cache.verify(leaf: try tree.leaf(forValueAt: 5), proof: forged, root: tree.root))
        // A shorter proof stops below the root.
        let short = Array(try tree.proof(forValueAt: 5).dropLast())
        #expect(!cache.verify(leaf: try tree.leaf(forValueAt: 5), proof: short, root: tree.root))
    }
}
