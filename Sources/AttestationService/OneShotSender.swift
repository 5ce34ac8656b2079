import Ethereum
import EthereumRPC
import Logging
import Registry

/// Sends one transaction and waits for its receipt: for operator commands
/// (deploying the registry, managing attesters). The daemon's anchoring
/// goes through the durable pipeline instead, which survives crashes.
public struct OneShotSender: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    let ethereum: EthereumClient
    let key: any TransactionSigner
    let chainID: UInt64
    let logger: Logger
    /// Fee cap in wei per gas that is never exceeded.
    let maxFeeCeiling: UInt256?
    /// The chain's price floor (its profile's `min-tip-wei`): no tip, and no
    /// legacy gas price, below it, whatever the node suggests (Polygon's
    /// nodes have suggested tips their own validators refuse).
    let minimumTip: UInt256
    /// The daemon's nonce table: nonces are allocated and transactions stored
    /// there (so a daemon using the same key may run); nil asks the node.
    let nonceTable: NonceTable?

    public init(
        ethereum: EthereumClient, key: any TransactionSigner, chainID: UInt64, maxFeeCeiling: UInt256? = nil,
        minimumTip: UInt256 = .zero, nonceTable: NonceTable? = nil, logger: Logger
    ) {
        self.ethereum = ethereum
        self.key = key
        self.chainID = chainID
        self.maxFeeCeiling = maxFeeCeiling
        self.minimumTip = minimumTip
        self.nonceTable = nonceTable
        self.logger = logger
    }

    public var address: Address { key.address }

    /// Signs, sends and waits up to `timeout` for the receipt; a reverted
    /// transaction is a failure carrying the revert reason.
    public func send(
        to: Address?, data: [UInt8], value: UInt256 = .zero,
        timeout: Duration = .seconds(120)
    ) async throws -> TransactionReceipt {
        let estimate = try await estimateGas(to: to, data: data, value: value)
        // 20% headroom: estimates run against the current state, mining may see another.
        let gasLimit = estimate + estimate / 5 + 10_000
        let pending = try await ethereum.transactionCount(of: key.address, at: .pending)
        let template = try await unsignedTransaction(
            nonce: pending, gasLimit: gasLimit, to: to, value: value,
            data: data)
        let signed: SignedTransaction
        var storedID: Int64?
        if let nonceTable {
            let stored = try await nonceTable.allocateAndStore(pending: pending, key: key, fees: template.fees) {
                template.with(nonce: $0)
            }
            storedID = stored.0
            signed = stored.1
        } else {
            signed = try template.sign(with: key)
        }
        logger.info(
            "sending transaction",
            metadata: [
                "hash": "\(Hex.encodePrefixed(signed.hash))", "nonce": "\(signed.transaction.nonce)",
                "gas_limit": "\(gasLimit)",
                "nonce_source": "\(nonceTable == nil ? "node" : "nonce table")",
            ])
        do {
            try await sendRaw(signed.rawBytes, waitingForEarlierNonces: nonceTable != nil, timeout: timeout)
        } catch {
            guard let storedID, let nonceTable, error.code == .node else { throw error }
            throw try await release(
                storedID, nonceTable, nonce: signed.transaction.nonce, refusal: error, fees: template.fees)
        }
        let receipt = try await waitForReceipt(signed.hash, storedID: storedID, timeout: timeout)
        guard receipt.succeeded else {
            let reason = await revertReason(to: to, data: data, value: value, block: receipt.blockNumber)
            throw Failure(
                description: "transaction \(Hex.encodePrefixed(signed.hash)) reverted: \(reason ?? "no reason given")")
        }
        return receipt
    }

    private func estimateGas(to: Address?, data: [UInt8], value: UInt256) async throws -> UInt64 {
        do {
            return try await ethereum.estimateGas(CallRequest(from: key.address, to: to, data: data, value: value))
        } catch {
            guard error.nodeErrorKind == .executionReverted else { throw error }
            throw Failure(description: "the transaction would revert: \(Self.reason(of: error))")
        }
    }

    private func unsignedTransaction(
        nonce: UInt64, gasLimit: UInt64, to: Address?, value: UInt256,
        data: [UInt8]
    ) async throws -> UnsignedTransaction {
        guard let baseFee = try await ethereum.block(.latest)?.baseFeePerGas else {
            // No base fee: a pre-London chain takes a legacy EIP-155 transaction.
            let price = try capped(max(try await ethereum.gasPrice(), minimumTip))
            return .legacy(
                UnsignedLegacyTransaction(
                    chainId: chainID, nonce: nonce, gasPrice: price,
                    gasLimit: gasLimit, to: to, value: value, data: data))
        }
        let tip = max(try await ethereum.maxPriorityFeePerGas(), minimumTip)
        // Twice the base fee survives six full blocks of base-fee growth.
        let maxFee = try capped(baseFee * 2 + tip)
        return .eip1559(
            UnsignedEIP1559Transaction(
                chainId: chainID, nonce: nonce, maxPriorityFeePerGas: min(tip, maxFee), maxFeePerGas: maxFee,
                gasLimit: gasLimit, to: to, value: value, data: data))
    }

    private func capped(_ fee: UInt256) throws -> UInt256 {
        guard let ceiling = maxFeeCeiling, fee > ceiling else { return fee }
        throw Failure(
            description: "the fee the network needs (\(fee) wei/gas) exceeds the ceiling (\(ceiling) wei/gas)")
    }

    /// With the nonce table, a daemon may hold earlier nonces it has signed
    /// but not sent yet: a node that refuses the gap ("nonce too high") is
    /// asked again until they arrive (a running daemon also sends our bytes).
    /// Transport trouble sends the same bytes again, as the daemon's tracker
    /// does (the node may have them: only a node's refusal is an answer).
    private func sendRaw(
        _ raw: [UInt8], waitingForEarlierNonces: Bool, timeout: Duration
    ) async throws(RPCError) {
        let deadline = ContinuousClock.now + timeout
        while true {
            do {
                _ = try await ethereum.sendRawTransaction(raw)
                return
            } catch {
                // The same bytes arrived before (a retried request, or the daemon sent them): wait for them.
                if error.nodeErrorKind == .alreadyKnown { return }
                // Stored bytes a running daemon sent and had mined first: the receipt wait finds them.
                if waitingForEarlierNonces, error.message.lowercased().contains("nonce too low") { return }
                let waiting = waitingForEarlierNonces && error.message.lowercased().contains("nonce too high")
                guard waiting || error.code != .node, ContinuousClock.now < deadline else { throw error }
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
    }

    /// The node refused our stored bytes: the nonce is given back or used up
    /// by a cancel (`NonceTable.release`), never left open; the refusal is
    /// classified as the daemon classifies its own (`RefusalKind`).
    private func release(
        _ storedID: Int64, _ nonceTable: NonceTable, nonce: UInt64, refusal: RPCError, fees: Fees
    ) async throws -> Failure {
        let kind = RefusalKind(message: refusal.message)
        let refused = "the node refused the transaction (\(kind.rawValue): \(refusal.message.prefix(200)))"
        // A cancel pays what a transaction pays now (the refused one's fees may be what was refused);
        // when the node cannot price one, the refused fees (a running daemon re-prices a refused cancel).
        let cancelFees =
            (try? await unsignedTransaction(nonce: nonce, gasLimit: 21_000, to: key.address, value: .zero, data: []))?
            .fees ?? fees
        let outcome = try await nonceTable.release(
            transactionID: storedID, key: key, cancelFees: cancelFees,
            reason: "operator transaction refused (\(kind.rawValue)); its nonce is used up by a self-transfer")
        switch outcome {
        case .givenBack:
            logger.warning("operator transaction refused; its nonce is given back", metadata: ["nonce": "\(nonce)"])
            return Failure(description: "\(refused); nonce \(nonce) given back, nothing was sent")
        case .cancelled(let cancel):
            logger.warning(
                "operator transaction refused; later nonces exist, so its nonce is used up by a self-transfer",
                metadata: ["nonce": "\(nonce)", "hash": "\(Hex.encodePrefixed(cancel.hash))"])
            // Sent once here; a running daemon follows it (re-sends, re-prices) like its own cancels.
            let sent = (try? await ethereum.sendRawTransaction(cancel.rawBytes)) != nil
            return Failure(
                description: "\(refused); nonce \(nonce) is used up by a zero-value self-transfer "
                    + "\(Hex.encodePrefixed(cancel.hash)) (\(sent ? "sent" : "stored; a running daemon sends it"))")
        case .followedByDaemon:
            return Failure(description: "\(refused) here, but a daemon sent it meanwhile: it follows it")
        }
    }

    /// A stored transaction may have been replaced by the daemon's tracker:
    /// any of its hashes will do.
    private func waitForReceipt(
        _ hash: [UInt8], storedID: Int64?,
        timeout: Duration
    ) async throws -> TransactionReceipt {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var hashes = [hash]
            if let storedID, let nonceTable { hashes = try await nonceTable.hashes(of: storedID) }
            for candidate in hashes.reversed() {
                if let receipt = try await ethereum.transactionReceipt(candidate) { return receipt }
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw Failure(description: "no receipt for \(Hex.encodePrefixed(hash)) within \(timeout)")
    }

    /// Replays the call at the block to learn why it reverted.
    private func revertReason(to: Address?, data: [UInt8], value: UInt256, block: UInt64) async -> String? {
        do {
            _ = try await ethereum.call(
                CallRequest(from: key.address, to: to, data: data, value: value), at: .number(block))
            return nil
        } catch {
            return Self.reason(of: error)
        }
    }

    /// The decoded `Error(string)` of a revert, else the node's message.
    static func reason(of error: RPCError) -> String {
        guard let data = error.data, let bytes = try? Hex.decode(data), let reason = RegistryCalls.revertReason(bytes)
        else {
            return error.message
        }
        return reason
    }
}

extension UnsignedTransaction {
    /// The same transaction at another nonce.
    func with(nonce: UInt64) -> UnsignedTransaction {
        switch self {
        case .legacy(var tx):
            tx.nonce = nonce
            return .legacy(tx)
        case .eip1559(var tx):
            tx.nonce = nonce
            return .eip1559(tx)
        }
    }

    var nonce: UInt64 {
        switch self {
        case .legacy(let tx): tx.nonce
        case .eip1559(let tx): tx.nonce
        }
    }

    /// Its fees as the pipeline stores them.
    var fees: Fees {
        switch self {
        case .legacy(let tx): Fees(maxFeePerGas: tx.gasPrice, maxPriorityFeePerGas: tx.gasPrice, legacy: true)
        case .eip1559(let tx): Fees(maxFeePerGas: tx.maxFeePerGas, maxPriorityFeePerGas: tx.maxPriorityFeePerGas)
        }
    }
}
