import ArgumentParser

@main
struct CaseAttest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caseattest",
        abstract: "Tamper-evident attestation of resolved counselling cases, anchored on Ethereum.",
        discussion: """
            Each resolved case is canonicalised, committed to with a salted SHA-256 hash, \
            batched into a Merkle tree and anchored in a registry contract. No personal \
            data leaves the database.
            """,
        subcommands: [
            Migrate.self,
            Util.self,
            Keys.self,
            Serve.self,
            Contract.self,
            Attest.self,
            Status.self,
            Verify.self,
            Receipt.self,
            VerifyReceipt.self,
            VerifyPage.self,
            Forget.self,
            AccessLog.self,
            APIToken.self,
            Doctor.self,
        ]
    )
}
