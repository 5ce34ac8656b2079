import Attestation
import Testing

/// Filler leaves in a batch: the real leaves' proofs still reach the root,
/// and a filler is a leaf like any other.
struct FillerLeafTests {
    @Test func realProofsVerifyWithFillersInTheTreeAndTheRootIsReproducible() throws {
        let leaves = try (1...3).map { try MerkleTree.leafHash([UInt8](repeating: UInt8($0), count: 32)) }
        let fillers = try FillerLeaf.random(count: 5)
        #expect(fillers.count == 5)
        #expect(Set(fillers).count == 5)
        #expect(fillers.allSatisfy { $0.count == 32 })
        #expect(Set(fillers).isDisjoint(with: leaves))

        let tree = try MerkleTree(leafHashes: leaves + fillers)
        #expect(tree.leafCount == 8)
        for index in leaves.indices {
            let proof = try tree.proof(forValueAt: index)
            #expect(proof.count == 3)
            #expect(MerkleTree.verify(leaf: leaves[index], proof: proof, root: tree.root))
        }
        // The stored fillers rebuild the same root; fresh ones do not.
        #expect(try MerkleTree(leafHashes: leaves + fillers).root == tree.root)
        #expect(try MerkleTree(leafHashes: leaves + FillerLeaf.random(count: 5)).root != tree.root)
        // A batch of one real case no longer anchors that case's leaf as its root.
        let single = try MerkleTree(leafHashes: [leaves[0]] + FillerLeaf.random(count: 7))
        #expect(single.root != leaves[0])
        #expect(MerkleTree.verify(leaf: leaves[0], proof: try single.proof(forValueAt: 0), root: single.root))
    }
}
