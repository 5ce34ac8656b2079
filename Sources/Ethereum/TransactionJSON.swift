import Foundation

/// Transactions as JSON objects, in the field format of the shared vectors
/// (ethers.js: hex quantities, `to`, `data`, `accessList`, `chainId`), for the
/// `util sign-tx` and `util decode-tx` tools.
public enum TransactionJSON {
    static let commonKeys: Set<String> = ["to", "nonce", "gasLimit", "value", "data", "chainId"]
    static let legacyKeys = commonKeys.union(["gasPrice"])
    static let eip1559Keys = commonKeys.union(["maxFeePerGas", "maxPriorityFeePerGas", "accessList"])

    /// `maxFeePerGas` present means EIP-1559 (type 2); otherwise legacy with
    /// EIP-155, which needs `chainId`. Absent quantities are zero, absent
    /// `to` creates a contract. Fields of the other type are rejected so that
    /// nothing the caller wrote is silently dropped.
    public static func unsignedTransaction(from object: [String: Any]) throws(TransactionError) -> UnsignedTransaction {
        let isEIP1559 = object["maxFeePerGas"] != nil
        let allowed = isEIP1559 ? eip1559Keys : legacyKeys
        if let unexpected = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            let kind =
                isEIP1559 ? "a type-2 transaction (maxFeePerGas given)" : "a legacy transaction (no maxFeePerGas)"
            throw TransactionError(.invalidField, "field \"\(unexpected)\" does not belong in \(kind)")
        }
        let reader = FieldReader(object: object)
        let to = try reader.address("to")
        let nonce = try reader.uint64("nonce")
        let gasLimit = try reader.uint64("gasLimit")
        let value = try reader.uint256("value")
        let data = try reader.bytes("data")
        if isEIP1559 {
            return .eip1559(
                UnsignedEIP1559Transaction(
                    chainId: try reader.uint64("chainId"), nonce: nonce,
                    maxPriorityFeePerGas: try reader.uint256("maxPriorityFeePerGas"),
                    maxFeePerGas: try reader.uint256("maxFeePerGas"), gasLimit: gasLimit, to: to, value: value,
                    data: data, accessList: try reader.accessList("accessList")))
        }
        guard object["chainId"] != nil else {
            throw TransactionError(.invalidField, "a legacy transaction needs chainId (EIP-155 replay protection)")
        }
        return .legacy(
            UnsignedLegacyTransaction(
                chainId: try reader.uint64("chainId"), nonce: nonce, gasPrice: try reader.uint256("gasPrice"),
                gasLimit: gasLimit, to: to, value: value, data: data))
    }

    /// The decoded transaction, JSON-RPC style: quantities as `0x` hex, `from` and `hash`.
    public static func object(describing signed: SignedTransaction) -> [String: Any] {
        var object: [String: Any] = [
            "type": UInt256(UInt64(signed.type)).hexQuantity,
            "chainId": UInt256(signed.chainId).hexQuantity,
            "nonce": UInt256(signed.nonce).hexQuantity,
            "v": signed.v.hexQuantity,
            "r": quantity(signed.signature.r),
            "s": quantity(signed.signature.s),
            "from": signed.from.checksummed,
            "hash": Hex.encodePrefixed(signed.hash),
        ]
        let to: Address?
        switch signed.transaction {
        case .legacy(let tx):
            object["gasPrice"] = tx.gasPrice.hexQuantity
            object["gas"] = UInt256(tx.gasLimit).hexQuantity
            object["value"] = tx.value.hexQuantity
            object["data"] = Hex.encodePrefixed(tx.data)
            object["accessList"] = [Any]()
            to = tx.to
        case .eip1559(let tx):
            object["maxPriorityFeePerGas"] = tx.maxPriorityFeePerGas.hexQuantity
            object["maxFeePerGas"] = tx.maxFeePerGas.hexQuantity
            object["gas"] = UInt256(tx.gasLimit).hexQuantity
            object["value"] = tx.value.hexQuantity
            object["data"] = Hex.encodePrefixed(tx.data)
            object["yParity"] = UInt256(UInt64(signed.signature.recoveryID)).hexQuantity
            object["accessList"] = tx.accessList.map { entry -> [String: Any] in
                ["address": entry.address.checksummed, "storageKeys": entry.storageKeys.map { Hex.encodePrefixed($0) }]
            }
            to = tx.to
        }
        object["to"] = to.map { $0.checksummed as Any } ?? NSNull()
        return object
    }

    private static func quantity(_ word: [UInt8]) -> String {
        ((try? UInt256(bigEndianBytes: word)) ?? .zero).hexQuantity
    }
}

/// Typed reads of optional fields, each error naming its field.
private struct FieldReader {
    let object: [String: Any]

    func uint256(_ key: String) throws(TransactionError) -> UInt256 {
        switch object[key] {
        case nil, is NSNull: return .zero
        case let text as String:
            do throws(UInt256.ParseError) { return try UInt256(parsing: text) } catch {
                throw TransactionError(.invalidField, "\(key): \(error.description)")
            }
        case let number as Int where number >= 0:
            return UInt256(UInt64(number))
        default:
            throw TransactionError(.invalidField, "\(key): expected a non-negative integer or a hex string")
        }
    }

    func uint64(_ key: String) throws(TransactionError) -> UInt64 {
        guard let value = try uint256(key).uint64Value else {
            throw TransactionError(.invalidField, "\(key): does not fit 64 bits")
        }
        return value
    }

    func bytes(_ key: String) throws(TransactionError) -> [UInt8] {
        switch object[key] {
        case nil, is NSNull: return []
        case let text as String:
            do throws(Hex.DecodingError) { return try Hex.decode(text) } catch {
                throw TransactionError(.invalidField, "\(key): \(error.description)")
            }
        default: throw TransactionError(.invalidField, "\(key): expected a hex string")
        }
    }

    func address(_ key: String) throws(TransactionError) -> Address? {
        switch object[key] {
        case nil, is NSNull: return nil
        case let text as String: return try Self.parseAddress(text, key)
        default: throw TransactionError(.invalidField, "\(key): expected an address string")
        }
    }

    func accessList(_ key: String) throws(TransactionError) -> [AccessListEntry] {
        switch object[key] {
        case nil, is NSNull: return []
        case let entries as [Any]:
            var result = [AccessListEntry]()
            for (index, entry) in entries.enumerated() {
                guard let entry = entry as? [String: Any], let address = entry["address"] as? String else {
                    throw TransactionError(.invalidField, "\(key)[\(index)]: expected {address, storageKeys}")
                }
                let keys = entry["storageKeys"] as? [Any] ?? []
                var storageKeys = [[UInt8]]()
                for keyValue in keys {
                    guard let text = keyValue as? String, let bytes = try? Hex.decode(text), bytes.count == 32 else {
                        throw TransactionError(.invalidField, "\(key)[\(index)]: storage keys are 32-byte hex strings")
                    }
                    storageKeys.append(bytes)
                }
                result.append(
                    try AccessListEntry(
                        address: try Self.parseAddress(address, "\(key)[\(index)].address"), storageKeys: storageKeys))
            }
            return result
        default: throw TransactionError(.invalidField, "\(key): expected a list")
        }
    }

    static func parseAddress(_ text: String, _ key: String) throws(TransactionError) -> Address {
        do throws(Address.ParseError) { return try Address(hex: text) } catch {
            throw TransactionError(.invalidField, "\(key): \(error.description)")
        }
    }
}
