import ArgumentParser

/// The registry contract: deployment and administration.
struct Contract: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deploy and administer the CaseAttestationRegistry contract.",
        subcommands: [ContractDeploy.self, ContractAttesters.self, ContractInfo.self]
    )
}
