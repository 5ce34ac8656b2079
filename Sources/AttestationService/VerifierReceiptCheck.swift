import Attestation
import Ethereum
import EthereumRPC
import Foundation
import Registry

/// `caseattest verify-receipt`: checks a portable receipt against a node,
/// with no database. The registry and chain are the auditor's (flags); the
/// receipt's own claims are only trusted once the chain confirms them.
public struct ReceiptVerifier: Sendable {
    let rpc: JSONRPCClient
    /// The registry the auditor trusts; nil trusts the receipt's `contract`
    /// (the chain still has to confirm the anchor there).
    let registry: Address?
    /// The chain the auditor expects; nil accepts the node's.
    let chainID: UInt64?
    let confirmations: UInt64
    /// When an anchor counts as final: `blocks:confirmations` unless given;
    /// `safe` / `finalized` read the node's tagged block with the head.
    public let finality: Finality

    public init(
        rpc: JSONRPCClient, registry: Address?, chainID: UInt64?, confirmations: UInt64, finality: Finality? = nil
    ) {
        self.rpc = rpc
        self.registry = registry
        self.chainID = chainID
        self.confirmations = confirmations
        self.finality = finality ?? .blocks(confirmations)
    }

    /// The chain the node serves (to pick its profile before verifying).
    public static func nodeChainID(_ rpc: JSONRPCClient) async throws -> UInt64 {
        try EthereumBatchCalls.decodeQuantity(try await rpc.call("eth_chainId"), "eth_chainId")
    }

    private func chain(_ registry: Address) -> VerifierChain {
        var chain = VerifierChain(rpc: rpc, registry: registry)
        chain.finalityTag = finality.blockTag
        return chain
    }

    private func expectation(_ registry: Address, chainID: UInt64) -> AnchorExpectation {
        AnchorExpectation(
            registry: registry, chainID: chainID, confirmations: confirmations,
            anchoredTopic: RegistryEvents.anchored.topic, finality: finality)
    }

    public func verify(_ receipt: PortableReceipt) async throws -> VerificationOutcome {
        if let outcome = receipt.localCheck() { return outcome }
        let registry = self.registry ?? receipt.contract
        let key = AnchorKey(root: receipt.root, txHash: receipt.txHash)
        let answers = try await chain(registry).fetch([key])
        if let chainID, answers.chainID != chainID {
            throw VerifierError(.chainMismatch, "the node serves chain \(answers.chainID), expected \(chainID)")
        }
        guard let evidence = answers.evidence[key] else {
            throw VerifierError(.rpc, "no answer for the receipt's root")
        }
        return AnchorCheck.evaluate(
            receipt.claim, evidence: evidence, expected: expectation(registry, chainID: answers.chainID))
    }
}

extension ReceiptVerifier {
    /// A whole archive: local checks per receipt, then the chain once per
    /// anchor (root and transaction) for all of them, in batched requests.
    public func verifyAll(_ receipts: [PortableReceipt]) async throws -> [VerificationOutcome] {
        // The local checks (canonical form, hashes, proof) on every core, in chunks.
        let chunk = max(1, receipts.count / (4 * max(1, ProcessInfo.processInfo.activeProcessorCount)) + 1)
        var outcomes = [VerificationOutcome?](repeating: nil, count: receipts.count)
        try await withThrowingTaskGroup(of: (Int, [VerificationOutcome?]).self) { group in
            for start in stride(from: 0, to: receipts.count, by: chunk) {
                let slice = Array(receipts[start..<min(start + chunk, receipts.count)])
                group.addTask { (start, slice.map { $0.localCheck() }) }
            }
            for try await (start, checked) in group {
                for (offset, outcome) in checked.enumerated() { outcomes[start + offset] = outcome }
            }
        }
        var byRegistry: [Address: [Int]] = [:]
        for (index, receipt) in receipts.enumerated() where outcomes[index] == nil {
            byRegistry[registry ?? receipt.contract, default: []].append(index)
        }
        for (registry, indexes) in byRegistry {
            let keys = Array(Set(indexes.map { AnchorKey(root: receipts[$0].root, txHash: receipts[$0].txHash) }))
            let answers = try await chain(registry).fetch(keys)
            if let chainID, answers.chainID != chainID {
                throw VerifierError(.chainMismatch, "the node serves chain \(answers.chainID), expected \(chainID)")
            }
            let expected = expectation(registry, chainID: answers.chainID)
            for index in indexes {
                let receipt = receipts[index]
                guard let evidence = answers.evidence[AnchorKey(root: receipt.root, txHash: receipt.txHash)] else {
                    throw VerifierError(.rpc, "no answer for a receipt's root")
                }
                outcomes[index] = AnchorCheck.evaluate(receipt.claim, evidence: evidence, expected: expected)
            }
        }
        return outcomes.map { $0 ?? VerificationOutcome(.notAnchored, "not checked") }
    }
}
