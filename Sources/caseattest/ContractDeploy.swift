import ArgumentParser
import AttestationService
import Ethereum
import Foundation
import Logging
import Registry

/// `caseattest contract deploy`: deploys the embedded registry bytecode,
/// enables the signer as attester and prints the address.
struct ContractDeploy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Deploy the registry, enable the signer as attester, print the contract address.",
        discussion: "The bytecode is compiled from contracts/CaseAttestationRegistry.vy by contracts/build.py "
            + "and embedded in this binary (Vyper \(RegistryArtifact.vyperVersion), source sha256 "
            + "\(RegistryArtifact.sourceSHA256.prefix(12))…).")

    @OptionGroup var service: ServiceOptions
    @OptionGroup var signer: SignerOptions

    @Option(name: .customLong("address-file"), help: "Also write the address to this file.")
    var addressFile: String?

    @Flag(name: .customLong("no-attester"), help: "Do not enable the signer as attester.")
    var noAttester = false

    func run() async throws {
        service.bootstrapLogging()
        let logger = Logger(label: "caseattest.contract")
        let nonces = try await OperatorNonces.open(service, logger: logger)
        defer { Task { await nonces.close() } }
        let sender = OneShotSender(
            ethereum: try service.ethereumClient(logger: logger), key: try signer.loadKey(),
            chainID: try service.resolvedChainID(),
            minimumTip: UInt256(try service.chainProfile()?.minimumTipWei ?? 0), nonceTable: nonces.table,
            logger: logger)
        let deployment = try await sender.send(to: nil, data: try RegistryCalls.deployment())
        guard let address = deployment.contractAddress else {
            throw ValidationError("the deployment receipt names no contract address")
        }
        logger.info(
            "registry deployed",
            metadata: [
                "address": "\(address.checksummed)", "block": "\(deployment.blockNumber)",
                "gas_used": "\(deployment.gasUsed)",
            ])
        if !noAttester {
            let receipt = try await sender.send(
                to: address, data: try RegistryCalls.setAttester(sender.address, enabled: true))
            logger.info(
                "signer enabled as attester",
                metadata: ["attester": "\(sender.address.checksummed)", "block": "\(receipt.blockNumber)"])
        }
        if let addressFile {
            try (address.checksummed + "\n").write(toFile: addressFile, atomically: true, encoding: .utf8)
        }
        print(address.checksummed)
    }
}
