import ArgumentParser
import Attestation
import Ethereum
import Foundation

/// `caseattest util merkle-tree`: builds a batch tree from content hashes on
/// stdin (one `0x` + 64 hex per line) and prints the root and every proof.
struct UtilMerkleTree: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merkle-tree",
        abstract: "Build an OpenZeppelin-compatible Merkle tree from content hashes on stdin.",
        discussion: """
            Input: one content hash (0x followed by 64 hex digits) per line; blank lines are \
            ignored. Output: {"root","leafCount","entries":[{"contentHash","leaf","treeIndex","proof"}]} \
            with entries in input order. Leaves are keccak256(keccak256(contentHash)), as \
            StandardMerkleTree with leaf encoding ["bytes32"].
            """
    )

    func run() throws {
        let text = String(decoding: UtilStreams.readStandardInput(), as: UTF8.self)
        var hashes: [ContentHash] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            do {
                hashes.append(try ContentHash(hex: trimmed))
            } catch {
                UtilStreams.fail("merkle-tree: line \(number + 1): \(error.message)")
            }
        }
        guard !hashes.isEmpty else { UtilStreams.fail("merkle-tree: no content hashes on stdin") }
        do {
            let tree = try MerkleTree(contentHashes: hashes)
            UtilStreams.writeStandardOutput(try Self.json(tree, hashes) + "\n")
        } catch {
            UtilStreams.fail("merkle-tree: \(error.message)")
        }
    }

    /// Written by hand to keep the documented member order; every value is a
    /// hex string or an integer, so nothing needs escaping.
    static func json(_ tree: MerkleTree, _ hashes: [ContentHash]) throws(AttestationError) -> String {
        var entries: [String] = []
        for (index, hash) in hashes.enumerated() {
            let proof = try tree.proof(forValueAt: index).map { "\"\(Hex.encodePrefixed($0))\"" }
            entries.append(
                """
                {"contentHash":"\(hash.hex)","leaf":"\(Hex.encodePrefixed(try tree.leaf(forValueAt: index)))",\
                "treeIndex":\(try tree.treeIndex(forValueAt: index)),"proof":[\(proof.joined(separator: ","))]}
                """)
        }
        return """
            {"root":"\(Hex.encodePrefixed(tree.root))","leafCount":\(tree.leafCount),\
            "entries":[\(entries.joined(separator: ","))]}
            """
    }
}
