import ArgumentParser
import AttestationService
import Ethereum
import EthereumRPC
import Logging
import Registry

/// `caseattest contract attesters add|remove ADDRESS` (owner only).
struct ContractAttesters: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attesters",
        abstract: "Enable or disable an attester (the signer must own the registry).",
        subcommands: [Add.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable ADDRESS as attester.")
        @OptionGroup var options: AttesterChange
        func run() async throws { try await options.apply(enabled: true) }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable ADDRESS as attester.")
        @OptionGroup var options: AttesterChange
        func run() async throws { try await options.apply(enabled: false) }
    }
}

struct AttesterChange: ParsableArguments {
    @OptionGroup var service: ServiceOptions
    @OptionGroup var signer: SignerOptions
    @OptionGroup var contract: ContractOptions

    @Argument(help: "The attester's address (0x…, EIP-55 checksum checked when mixed case).")
    var address: String

    func apply(enabled: Bool) async throws {
        service.bootstrapLogging()
        let logger = Logger(label: "caseattest.contract")
        let attester: Address
        do { attester = try Address(hex: address) } catch { throw ValidationError("ADDRESS: \(error)") }
        let nonces = try await OperatorNonces.open(service, logger: logger)
        let sender = OneShotSender(
            ethereum: try service.ethereumClient(logger: logger), key: try signer.loadKey(),
            chainID: try service.resolvedChainID(),
            minimumTip: UInt256(try service.chainProfile()?.minimumTipWei ?? 0), nonceTable: nonces.table,
            logger: logger)
        let receipt: TransactionReceipt
        do {
            receipt = try await sender.send(
                to: try contract.address(),
                data: try RegistryCalls.setAttester(attester, enabled: enabled))
        } catch {
            await nonces.close()
            throw error
        }
        await nonces.close()
        print("\(enabled ? "enabled" : "disabled") \(attester.checksummed) in block \(receipt.blockNumber)")
    }
}
