import ArgumentParser
import Attestation
import AttestationService
import Ethereum
import EthereumRPC
import Foundation
import Logging

/// `caseattest verify-receipt FILE|DIR --rpc URL --contract ADDRESS`: checks
/// a portable receipt, or a folder of them, against a node. No database is
/// opened or needed.
struct VerifyReceipt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-receipt",
        abstract: "Check a receipt against the chain, without any database.",
        discussion: """
            Recomputes canonical document -> content hash -> leaf -> root through the proof, then \
            asks the node: anchorOf(root) in the registry, the transaction's receipt (status 1, \
            sent to the registry, its Anchored log from the registry's address), the block \
            canonical and final at --finality, chain id, block number, hash and time as claimed. \
            The registry address you trust is required (--contract or $CASEATTEST_CONTRACT): a \
            receipt's own contract address is never trusted, since whoever wrote the receipt \
            chose it.

            Finality: --finality blocks:N, safe or finalized (default: blocks:N with an explicit \
            --confirmations N, else the profile of the chain (--chain-id, else the node's), else \
            blocks:2). A receipt whose transaction is mined but not yet final at that point is \
            `unconfirmed`, and says so: check it again later. A receipt's own `links` are never \
            followed; the explorer shown is that of your chain profile, if it names one.

            Given a directory (an archive from `caseattest receipt --all --out DIR`), every \
            *.json file in it is checked, the chain asked once per anchor for all of them in \
            batched requests; a line per receipt that is not verified, then the counts.

            Exit codes: 0 verified (every receipt); 1 not verified (the reason names the field), \
            or an unreadable receipt in a folder; 2 unreadable receipt, usage or infrastructure \
            error.
            """)

    @Argument(help: "The receipt file (caseattest-receipt/v1), or a directory of them.")
    var file: String

    @Option(
        name: [.customLong("rpc"), .customLong("rpc-url")],
        help: "JSON-RPC URL of a node (default: $CASEATTEST_RPC_URL).")
    var rpc: String?

    @Option(name: .customLong("contract"), help: "The registry address you trust (default: $CASEATTEST_CONTRACT).")
    var contract: String?

    @Option(name: .customLong("chain-id"), help: "The chain id you expect (default: the node's).")
    var chainID: UInt64?

    @Option(
        name: .customLong("confirmations"),
        help: "Blocks on top of (and including) the anchoring block (default: the chain profile's, else 2).")
    var confirmationsOption: UInt64?

    @Option(help: "When an anchor is final: blocks:N, safe or finalized (default: the chain profile's).")
    var finality: Finality?

    @Option(
        name: .customLong("chain-profiles"),
        help: "A chain profile file adding to the built-in ones (default: $CASEATTEST_CHAIN_PROFILES).")
    var chainProfiles: String?

    @Flag(help: "Print {\"verdict\": ..., \"reason\": ...} as JSON.")
    var json = false

    func run() async throws {
        LoggingBootstrap.bootstrap(format: .text, level: .warning)
        let logger = Logger(label: "caseattest.verify-receipt")
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), isDirectory.boolValue {
            let summary: ReceiptFolder.Summary
            do {
                let (verifier, _) = try await verifier(logger: logger)
                summary = try await ReceiptFolder.verify(directory: file, with: verifier)
            } catch {
                CommandFailure.exit("verify-receipt", error)
            }
            print(json ? summary.json.canonicalString : summary.text, terminator: json ? "\n" : "")
            if !summary.allVerified { throw ExitCode(1) }
            return
        }
        let outcome: VerificationOutcome
        let receipt: PortableReceipt
        let checked: (verifier: ReceiptVerifier, profile: ChainProfile?)
        do {
            receipt = try readReceipt()
            checked = try await verifier(logger: logger)
            outcome = try await checked.verifier.verify(receipt)
        } catch {
            CommandFailure.exit("verify-receipt", error)
        }
        let finality = checked.verifier.finality
        // The auditor's own explorer (never the receipt's links), once the chain has shown the transaction.
        let explorer =
            [.verified, .unconfirmed].contains(outcome.verdict)
            ? checked.profile?.transactionURL(Hex.encodePrefixed(receipt.txHash)) : nil
        if json {
            var members: [(key: String, value: JSONValue)] = [
                ("verdict", .string(outcome.verdict.rawValue)), ("reason", .string(outcome.reason)),
                ("finality", .string(finality.description)),
            ]
            if let explorer { members.append(("explorer_tx", .string(explorer))) }
            print(JSONValue.object(members).canonicalString)
        } else {
            print("\(outcome.verdict.rawValue): \(outcome.reason)")
            if outcome.verdict == .unconfirmed { print(ReceiptFolder.notFinalYet(1, finality)) }
            if let explorer { print("explorer: \(explorer)") }
        }
        if !outcome.isVerified { throw ExitCode(1) }
    }

    /// The verifier with the finality chosen by `Finality.resolved`; the
    /// profile is that of --chain-id, else of the chain the node serves.
    private func verifier(logger: Logger) async throws -> (ReceiptVerifier, ChainProfile?) {
        let rpc = try client(logger: logger)
        let registry = try registry()
        let profiles: ChainProfiles
        do {
            profiles = try ServiceOptions.loadChainProfiles(file: chainProfiles)
        } catch {
            throw CommandFailure(2, "\(error)")
        }
        let chain: UInt64
        if let chainID { chain = chainID } else { chain = try await ReceiptVerifier.nodeChainID(rpc) }
        let profile = profiles[chain]
        let finality = Finality.resolved(explicit: finality, confirmations: confirmationsOption, profile: profile)
        var confirmations = confirmationsOption ?? 2
        if case .blocks(let count) = finality { confirmations = count }
        let verifier = ReceiptVerifier(
            rpc: rpc, registry: registry, chainID: chainID, confirmations: confirmations, finality: finality)
        return (verifier, profile)
    }

    private func readReceipt() throws -> PortableReceipt {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CommandFailure(2, "cannot read \(file)")
        }
        guard data.count <= 1 << 20 else { throw CommandFailure(2, "\(file) is larger than 1 MiB: not a receipt") }
        do {
            return try PortableReceipt(bytes: [UInt8](data))
        } catch {
            throw CommandFailure(2, "\(file): \(error.message)")
        }
    }

    private func client(logger: Logger) throws -> JSONRPCClient {
        let environment = ProcessInfo.processInfo.environment["CASEATTEST_RPC_URL"].flatMap { $0.isEmpty ? nil : $0 }
        guard let url = rpc ?? environment else {
            throw CommandFailure(2, "no node: pass --rpc URL or set CASEATTEST_RPC_URL")
        }
        var configuration = RPCConfiguration(commaSeparated: url)
        configuration.maxAttempts = 3
        return try JSONRPCClient(configuration: configuration, logger: logger)
    }

    private func registry() throws -> Address {
        let environment = ProcessInfo.processInfo.environment["CASEATTEST_CONTRACT"].flatMap { $0.isEmpty ? nil : $0 }
        guard let text = contract ?? environment else {
            throw CommandFailure(
                2,
                "no registry you trust: pass --contract ADDRESS or set CASEATTEST_CONTRACT "
                    + "(a receipt's own contract address is not trusted)")
        }
        do {
            return try Address(hex: text)
        } catch {
            throw CommandFailure(2, "--contract: \(error)")
        }
    }
}
