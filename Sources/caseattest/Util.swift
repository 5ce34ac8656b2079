import ArgumentParser

/// Small tools over the pure cores, for people and for our conformance checks.
struct Util: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Hashing, signing, canonicalisation and other offline utilities.",
        subcommands: [
            UtilKeccak256.self,
            UtilSignTx.self,
            UtilDecodeTx.self,
            UtilCanonicalize.self,
            UtilPseudonym.self,
            UtilMerkleTree.self,
        ]
    )
}
