import ArgumentParser
import Ethereum
import EthereumRPC
import Logging
import Registry

/// `caseattest contract info`: owner, paused, attesters, anchors, build.
struct ContractInfo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print the registry's owner, pause state, attesters (from its events) and anchor count.")

    @OptionGroup var service: ServiceOptions
    @OptionGroup var contract: ContractOptions

    func run() async throws {
        service.bootstrapLogging()
        let logger = Logger(label: "caseattest.contract")
        let eth = try service.ethereumClient(logger: logger)
        let address = try contract.address()

        let code = try await eth.code(at: address)
        guard !code.isEmpty else { throw ValidationError("no contract at \(address.checksummed)") }
        let sameBuild = Hex.encodePrefixed(Keccak256.hash(code)) == RegistryArtifact.deployedBytecodeKeccak256

        func read(_ data: [UInt8]) async throws -> [UInt8] { try await eth.call(CallRequest(to: address, data: data)) }
        let owner = try RegistryCalls.decodeAddress(try await read(RegistryCalls.owner))
        let paused = try RegistryCalls.decodeBool(try await read(RegistryCalls.paused))
        let anchors = try RegistryCalls.decodeUInt(try await read(RegistryCalls.anchorCount))

        // Attesters known from AttesterSet events, confirmed against current state.
        let logs = try await eth.logs(
            LogFilter(
                fromBlock: .earliest, toBlock: .latest, addresses: [address],
                topics: [[RegistryEvents.attesterSet.topic]]))
        var seen: [Address] = []
        for log in logs where log.address == address {
            let (attester, _) = try RegistryEvents.decodeAttesterSet(topics: log.topics, data: log.data)
            if !seen.contains(attester) { seen.append(attester) }
        }
        var attesters: [(Address, Bool)] = []
        for attester in seen {
            attesters.append(
                (attester, try RegistryCalls.decodeBool(try await read(try RegistryCalls.isAttester(attester)))))
        }

        print("registry      \(address.checksummed)")
        print("chain id      \(try await eth.chainID())")
        let build =
            sameBuild
            ? "this binary's (Vyper \(RegistryArtifact.vyperVersion))" : "DIFFERENT bytecode from this binary's"
        print("build         \(build)")
        print("owner         \(owner.checksummed)")
        print("paused        \(paused)")
        print("anchors       \(anchors)")
        print("attesters     \(attesters.isEmpty ? "none" : "")")
        for (attester, enabled) in attesters {
            print("  \(attester.checksummed)  \(enabled ? "enabled" : "disabled")")
        }
    }
}
