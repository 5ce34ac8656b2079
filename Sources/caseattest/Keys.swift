import ArgumentParser

/// Signer key management: Web3 Secret Storage (keystore v3) files.
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, import and inspect signer keystores.",
        subcommands: [
            KeysNew.self,
            KeysAddress.self,
            KeysImport.self,
        ]
    )
}
