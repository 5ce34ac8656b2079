import Attestation
import Ethereum
import Foundation
import PropertyBased
import Testing

struct MerkleTreeTests {
    /// abi.encode(string) for the dumps' ["string"] leaf encoding: head
    /// offset 0x20, length, then the bytes right-padded to 32-byte words.
    static func abiEncode(string: String) -> [UInt8] {
        let data = Array(string.utf8)
        var out = [UInt8](repeating: 0, count: 32)
        out[31] = 0x20
        var length = [UInt8](repeating: 0, count: 32)
        var count = data.count
        for index in stride(from: 31, through: 0, by: -1) where count > 0 {
            length[index] = UInt8(count & 0xFF)
            count >>= 8
        }
        out += length + data
        out += [UInt8](repeating: 0, count: (32 - data.count % 32) % 32)
        return out
    }

    static func stringLeaf(_ value: String) -> [UInt8] {
        Keccak256.hash(Keccak256.hash(abiEncode(string: value)))
    }

    @Test func abiEncodingOfAStringMatchesTheSolidityLayout() {
        let encoded = Self.abiEncode(string: "a")
        #expect(encoded.count == 96)
        #expect(
            Hex.encode(encoded) == String(repeating: "0", count: 62) + "20" + String(repeating: "0", count: 62)
                + "01" + "61" + String(repeating: "0", count: 62))
        #expect(Self.abiEncode(string: String(repeating: "x", count: 32)).count == 96)
        #expect(Self.abiEncode(string: "").count == 64)
    }

    @Test(arguments: [("standard-v1.sorted.1_0_6.json", true), ("standard-v1.unsorted.1_0_6.json", false)])
    func reproducesOpenZeppelinDumps(file: String, sorted: Bool) throws {
        guard let directory = Vectors.directory("merkle") else { return }
        let dump = try JSONValue.parse(Vectors.bytes(directory.appendingPathComponent(file)))
        guard case .array(let treeValues)? = dump["tree"], case .array(let values)? = dump["values"] else {
            Issue.record("dump lacks tree/values")
            return
        }
        #expect(dump["leafEncoding"] == ["string"])
        let expectedTree = try treeValues.map { try Hex.decode($0.stringValue ?? "") }
        var strings: [String] = []
        var expectedIndices: [Int] = []
        for entry in values {
            guard case .array(let value)? = entry["value"], let string = value.first?.stringValue,
                let index = entry["treeIndex"]?.numberValue
            else {
                Issue.record("malformed value entry \(entry)")
                return
            }
            strings.append(string)
            expectedIndices.append(Int(index))
        }
        let tree = try MerkleTree(leafHashes: strings.map(Self.stringLeaf), sortLeaves: sorted)
        #expect(tree.tree == expectedTree)
        #expect(tree.root == expectedTree[0])
        #expect(tree.treeIndices == expectedIndices)
        #expect(tree.leafCount == strings.count)
        for (index, string) in strings.enumerated() {
            let proof = try tree.proof(forValueAt: index)
            let leaf = Self.stringLeaf(string)
            #expect(try tree.leaf(forValueAt: index) == leaf)
            #expect(MerkleTree.verify(leaf: leaf, proof: proof, root: expectedTree[0]), "value \(string)")
            // Every proof node is a node of the dumped tree: the sibling path.
            var node = expectedIndices[index]
            for sibling in proof {
                #expect(sibling == expectedTree[node % 2 == 1 ? node + 1 : node - 1])
                node = (node - 1) / 2
            }
            #expect(node == 0)
            #expect(!MerkleTree.verify(leaf: Self.stringLeaf(string + "!"), proof: proof, root: expectedTree[0]))
        }
    }

    @Test func contentHashLeafIsDoubleKeccakOfTheBytes32() throws {
        let hash = try ContentHash(hex: "0x" + String(repeating: "ab", count: 32))
        #expect(MerkleTree.leafHash(hash) == Keccak256.hash(Keccak256.hash(hash.bytes)))
        #expect(try MerkleTree.leafHash(hash.bytes) == MerkleTree.leafHash(hash))
        #expect(throws: AttestationError.self) { try MerkleTree.leafHash([0x01]) }
    }

    @Test func batchOfOneHasTheLeafAsRootAndAnEmptyProof() throws {
        let hash = ContentHash(canonicalBytes: Array("{}".utf8))
        let tree = try MerkleTree(contentHashes: [hash])
        #expect(tree.root == MerkleTree.leafHash(hash))
        #expect(tree.tree.count == 1)
        #expect(try tree.proof(forValueAt: 0).isEmpty)
        #expect(MerkleTree.verify(leaf: MerkleTree.leafHash(hash), proof: [], root: tree.root))
    }

    @Test func rejectsEmptyBatchesBadHashesAndBadIndices() throws {
        #expect(throws: AttestationError.self) { try MerkleTree(contentHashes: [ContentHash]()) }
        #expect(throws: AttestationError.self) { try MerkleTree(contentHashes: [[UInt8](repeating: 0, count: 31)]) }
        let tree = try MerkleTree(contentHashes: [[UInt8](repeating: 7, count: 32)])
        #expect(throws: AttestationError.self) { try tree.proof(forValueAt: 1) }
        #expect(throws: AttestationError.self) { try tree.proof(forValueAt: -1) }
    }

    @Test func everyProofOfARandomBatchVerifies() async {
        await propertyCheck(count: 60, input: Gen.int(in: 1...70), Gen.int64()) { count, seed in
            var rng = SplitMix64(seed: UInt64(bitPattern: seed))
            var hashes = (0..<count).map { _ in
                ContentHash(canonicalBytes: (0..<8).map { _ in UInt8.random(in: 0...255, using: &rng) })
            }
            if count > 2 { hashes[count - 1] = hashes[0] }  // duplicates are allowed
            let tree = try MerkleTree(contentHashes: hashes)
            #expect(tree.tree.count == 2 * count - 1)
            #expect(Set(tree.treeIndices).count == count)
            for index in 0..<count {
                let proof = try tree.proof(forValueAt: index)
                #expect(MerkleTree.verify(leaf: MerkleTree.leafHash(hashes[index]), proof: proof, root: tree.root))
                #expect(tree.tree[tree.treeIndices[index]] == MerkleTree.leafHash(hashes[index]))
            }
            // Leaves sit at the end of the array in ascending order, reversed.
            let leaves = Array(tree.tree.suffix(count).reversed())
            #expect(leaves == leaves.sorted { $0.lexicographicallyPrecedes($1) })
        }
    }
}
