// Raw bytes -> SignedTransaction: strict RLP, canonical integers, a valid
// low-s signature, and the sender recovered from it.

extension SignedTransaction {
    public static func decode(raw: [UInt8]) throws(TransactionError) -> SignedTransaction {
        guard let first = raw.first else { throw TransactionError(.malformed, "empty transaction") }
        switch first {
        case 0xC0...0xFF:
            return try decodeLegacy(raw)
        case UnsignedEIP1559Transaction.type:
            return try decodeEIP1559(raw)
        case 0x01, 0x03, 0x04:
            throw TransactionError(.unsupportedType, "transaction type \(first) is not supported (only 0 and 2)")
        default:
            throw TransactionError(.unsupportedType, "unknown transaction type byte 0x\(Hex.encode([first]))")
        }
    }

    private static func decodeLegacy(_ raw: [UInt8]) throws(TransactionError) -> SignedTransaction {
        let fields = try topLevelFields(raw, count: 9)
        let v = try uint256(fields[6], "v")
        guard v >= 35 else {
            throw TransactionError(.unprotected, "legacy transaction without EIP-155 chain id (v = \(v))")
        }
        let (chainIdValue, parity) = (v - 35).quotientAndRemainder(dividingBy: UInt64(2))
        guard let chainId = chainIdValue.uint64Value else {
            throw TransactionError(.invalidField, "chain id does not fit 64 bits")
        }
        let tx = UnsignedLegacyTransaction(
            chainId: chainId,
            nonce: try uint64(fields[0], "nonce"),
            gasPrice: try uint256(fields[1], "gasPrice"),
            gasLimit: try uint64(fields[2], "gas"),
            to: try recipient(fields[3]),
            value: try uint256(fields[4], "value"),
            data: try bytes(fields[5], "data"))
        let signature = try signature(r: fields[7], s: fields[8], recoveryID: UInt8(parity))
        let from = try sender(hash: tx.signingHash, signature: signature)
        return SignedTransaction(transaction: .legacy(tx), signature: signature, from: from, rawBytes: raw)
    }

    private static func decodeEIP1559(_ raw: [UInt8]) throws(TransactionError) -> SignedTransaction {
        let fields = try topLevelFields(Array(raw.dropFirst()), count: 12)
        let yParity = try uint64(fields[9], "yParity")
        guard yParity <= 1 else { throw TransactionError(.invalidSignature, "y parity must be 0 or 1") }
        let tx = UnsignedEIP1559Transaction(
            chainId: try uint64(fields[0], "chainId"),
            nonce: try uint64(fields[1], "nonce"),
            maxPriorityFeePerGas: try uint256(fields[2], "maxPriorityFeePerGas"),
            maxFeePerGas: try uint256(fields[3], "maxFeePerGas"),
            gasLimit: try uint64(fields[4], "gas"),
            to: try recipient(fields[5]),
            value: try uint256(fields[6], "value"),
            data: try bytes(fields[7], "data"),
            accessList: try AccessListEntry.decodeList(fields[8]))
        let signature = try signature(r: fields[10], s: fields[11], recoveryID: UInt8(yParity))
        let from = try sender(hash: tx.signingHash, signature: signature)
        return SignedTransaction(transaction: .eip1559(tx), signature: signature, from: from, rawBytes: raw)
    }

    private static func topLevelFields(_ bytes: [UInt8], count: Int) throws(TransactionError) -> [RLPItem] {
        let item: RLPItem
        do throws(RLPError) { item = try RLP.decode(bytes) } catch {
            throw TransactionError(.malformed, error.description)
        }
        guard case .list(let fields) = item else {
            throw TransactionError(.malformed, "transaction is not an RLP list")
        }
        guard fields.count == count else {
            throw TransactionError(.malformed, "expected \(count) fields, got \(fields.count)")
        }
        return fields
    }

    private static func uint64(_ item: RLPItem, _ name: String) throws(TransactionError) -> UInt64 {
        do throws(RLPError) { return try item.uint64Value() } catch { throw invalid(name, error) }
    }

    private static func uint256(_ item: RLPItem, _ name: String) throws(TransactionError) -> UInt256 {
        do throws(RLPError) { return try item.uint256Value() } catch { throw invalid(name, error) }
    }

    private static func bytes(_ item: RLPItem, _ name: String) throws(TransactionError) -> [UInt8] {
        do throws(RLPError) { return try item.bytesValue() } catch { throw invalid(name, error) }
    }

    private static func invalid(_ name: String, _ error: RLPError) -> TransactionError {
        TransactionError(.invalidField, "\(name): \(error.description)")
    }

    private static func recipient(_ item: RLPItem) throws(TransactionError) -> Address? {
        let raw = try bytes(item, "to")
        if raw.isEmpty { return nil }
        do throws(Address.ParseError) { return try Address(bytes: raw) } catch {
            throw TransactionError(.invalidField, "to: \(error.description)")
        }
    }

    private static func signature(r: RLPItem, s: RLPItem, recoveryID: UInt8) throws(TransactionError) -> Signature {
        let rValue = try uint256(r, "r")
        let sValue = try uint256(s, "s")
        do throws(KeyError) {
            return try Signature(r: rValue.bigEndianBytes, s: sValue.bigEndianBytes, recoveryID: recoveryID)
        } catch {
            throw TransactionError(.invalidSignature, error.message)
        }
    }

    private static func sender(hash: [UInt8], signature: Signature) throws(TransactionError) -> Address {
        do throws(KeyError) { return try recoverAddress(hash: hash, signature: signature) } catch {
            throw TransactionError(.invalidSignature, error.message)
        }
    }
}
