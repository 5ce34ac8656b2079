import ArgumentParser
import AttestationService
import Ethereum
import EthereumRPC
import Registry

/// The node, the registry and the signer on chain.
extension DoctorChecks {
    /// Gas one anchor may cost (as the worker's balance warning counts it).
    static let gasPerAnchor: UInt64 = 75_000

    mutating func node() async -> DoctorResult {
        var client: EthereumClient?
        let result = await check("node", fix: "start the node, or correct CASEATTEST_RPC_URL / --rpc-url") {
            let expected = try doctor.service.resolvedChainID()
            let ethereum = try doctor.service.ethereumClient(logger: logger)
            let chainID = try await bounded("the node") { try await ethereum.chainID() }
            guard chainID == expected else {
                throw DoctorFailure(
                    problem: "the node serves chain \(chainID), but the daemon signs for chain \(expected)",
                    fix:
                        """
                        point CASEATTEST_RPC_URL at a node of chain \(expected), or set CASEATTEST_CHAIN_ID if \
                        \(chainID) is meant
                        """
                )
            }
            client = ethereum
            return "chain \(chainID) at \(doctor.service.resolvedRPCURLs.split(separator: ",").count) URL(s)"
        }
        ethereum = client
        return result
    }

    mutating func signerKey() -> DoctorResult {
        do {
            let key = try doctor.signer.source().load()
            signerAddress = key.address
            return .ok("signer-key", "loads; signer \(key.address.checksummed)")
        } catch {
            return .fail(
                "signer-key", "\(error)",
                fix:
                    """
                    set CASEATTEST_PRIVATE_KEY_FILE, or CASEATTEST_KEYSTORE and CASEATTEST_KEYSTORE_PASSWORD_FILE, to \
                    readable files
                    """
            )
        }
    }

    mutating func registryDeployed() async -> DoctorResult {
        var found: Address?
        let result = await check(
            "registry", fix: "correct CASEATTEST_CONTRACT, or deploy with `caseattest contract deploy`"
        ) {
            let address: Address
            do { address = try doctor.contract.address() } catch {
                throw DoctorFailure(problem: "\(error)", fix: "set CASEATTEST_CONTRACT to the registry's address")
            }
            guard let ethereum else { throw Self.notChecked("the node is unreachable or on another chain") }
            let code = try await bounded("the node") { try await ethereum.code(at: address) }
            guard !code.isEmpty else {
                throw DoctorFailure(
                    problem: "no contract at \(address.checksummed) on this chain",
                    fix: "correct CASEATTEST_CONTRACT, or deploy with `caseattest contract deploy`")
            }
            let paused = try RegistryCalls.decodeBool(
                try await bounded("the node") {
                    try await ethereum.call(CallRequest(to: address, data: RegistryCalls.paused))
                })
            guard !paused else {
                throw DoctorFailure(
                    problem: "the registry at \(address.checksummed) is paused: anchors revert",
                    fix: "the registry's owner unpauses it")
            }
            found = address
            let sameBuild = Hex.encodePrefixed(Keccak256.hash(code)) == RegistryArtifact.deployedBytecodeKeccak256
            return "deployed at \(address.checksummed)\(sameBuild ? "" : " (bytecode differs from this binary's)")"
        }
        registry = found
        return result
    }

    func attester() async -> DoctorResult {
        await check("attester", fix: "as the registry's owner: `caseattest contract attesters add ADDRESS`") {
            guard let ethereum, let registry else { throw Self.notChecked("no registry to ask") }
            guard let signerAddress else { throw Self.notChecked("the signer key does not load") }
            let enabled = try RegistryCalls.decodeBool(
                try await bounded("the node") {
                    try await ethereum.call(
                        CallRequest(to: registry, data: try RegistryCalls.isAttester(signerAddress)))
                })
            guard enabled else {
                throw DoctorFailure(
                    problem: "the signer \(signerAddress.checksummed) is not an enabled attester of the registry",
                    fix: "as the registry's owner: `caseattest contract attesters add \(signerAddress.checksummed)`")
            }
            return "\(signerAddress.checksummed) is an enabled attester"
        }
    }

    func balance() async -> DoctorResult {
        await check("balance", fix: "fund the signer") {
            guard let ethereum else { throw Self.notChecked("the node is unreachable or on another chain") }
            guard let signerAddress else { throw Self.notChecked("the signer key does not load") }
            let wei = try await bounded("the node") { try await ethereum.balance(of: signerAddress) }
            let ceiling = UInt256(doctor.maxFeeGwei) * UInt256(1_000_000_000)
            // At most 2^64 gwei times 75,000 gas: far from UInt256's limit.
            let perAnchor = ceiling * UInt256(Self.gasPerAnchor)
            let anchors = perAnchor.isZero ? UInt64.max : ((wei / perAnchor).uint64Value ?? .max)
            let gwei = (wei / UInt256(1_000_000_000)).uint64Value.map(String.init) ?? "more than 2^64"
            let summary = "\(gwei) gwei pays for \(anchors) anchors at \(doctor.maxFeeGwei) gwei per gas"
            guard anchors >= doctor.minAnchors else {
                throw DoctorFailure(
                    problem: "\(summary); at least \(doctor.minAnchors) wanted",
                    fix:
                        """
                        send ETH to \(signerAddress.checksummed) (each anchor may cost \(Self.gasPerAnchor) gas at the \
                        ceiling)
                        """
                )
            }
            return summary
        }
    }
}
