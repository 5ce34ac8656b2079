/// One EIP-2930 access list entry: an address and the storage slots a
/// transaction declares it will touch.
public struct AccessListEntry: Sendable, Hashable {
    public var address: Address
    /// 32-byte storage keys.
    public var storageKeys: [[UInt8]]

    public init(address: Address, storageKeys: [[UInt8]]) throws(TransactionError) {
        guard storageKeys.allSatisfy({ $0.count == 32 }) else {
            throw TransactionError(.invalidField, "access list storage keys must be 32 bytes")
        }
        self.address = address
        self.storageKeys = storageKeys
    }

    var rlp: RLPItem {
        .list([.bytes(address.bytes), .list(storageKeys.map { .bytes($0) })])
    }

    static func rlp(_ list: [AccessListEntry]) -> RLPItem { .list(list.map(\.rlp)) }

    static func decodeList(_ item: RLPItem) throws(TransactionError) -> [AccessListEntry] {
        do {
            var entries = [AccessListEntry]()
            for entryItem in try item.listValue() {
                let pair = try entryItem.listValue()
                guard pair.count == 2 else {
                    throw TransactionError(.malformed, "an access list entry has 2 fields, got \(pair.count)")
                }
                let address: Address
                do { address = try Address(bytes: try pair[0].bytesValue()) } catch let error as Address.ParseError {
                    throw TransactionError(.malformed, "access list: \(error.description)")
                }
                var keys = [[UInt8]]()
                for keyItem in try pair[1].listValue() { keys.append(try keyItem.bytesValue()) }
                entries.append(try AccessListEntry(address: address, storageKeys: keys))
            }
            return entries
        } catch let error as TransactionError {
            throw error
        } catch {
            throw TransactionError(.malformed, "access list: \(error)")
        }
    }
}
