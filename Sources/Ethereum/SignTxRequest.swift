import Foundation

/// One line of `util sign-tx` input: `{"privateKey": "0x..", "transaction": {...}}`
/// with the transaction in the vectors' field format (see `TransactionJSON`).
/// Errors never contain the key.
public enum SignTxRequest {
    public static func sign(jsonLine: some StringProtocol) throws(TransactionError) -> SignedTransaction {
        let object = try parse(jsonLine)
        if let unexpected = object.keys.sorted().first(where: { $0 != "privateKey" && $0 != "transaction" }) {
            throw TransactionError(
                .invalidField, "unexpected field \"\(unexpected)\" (expected privateKey and transaction)")
        }
        guard let keyText = object["privateKey"] as? String else {
            throw TransactionError(.invalidField, "privateKey must be a hex string")
        }
        guard let fields = object["transaction"] as? [String: Any] else {
            throw TransactionError(.invalidField, "transaction must be an object")
        }
        let key: PrivateKey
        do throws(KeyError) { key = try PrivateKey(hex: keyText) } catch {
            throw TransactionError(.invalidField, "privateKey: \(error.message)")
        }
        return try TransactionJSON.unsignedTransaction(from: fields).sign(with: key)
    }

    /// `{"transaction": {...}}` signed by a configured signer (a token's key):
    /// the line carries no key.
    public static func sign(jsonLine: some StringProtocol, signer: any TransactionSigner) throws -> SignedTransaction {
        let object = try parse(jsonLine)
        if let unexpected = object.keys.sorted().first(where: { $0 != "transaction" }) {
            throw TransactionError(
                .invalidField,
                "unexpected field \"\(unexpected)\" (with a configured signer a line holds only transaction)")
        }
        guard let fields = object["transaction"] as? [String: Any] else {
            throw TransactionError(.invalidField, "transaction must be an object")
        }
        return try TransactionJSON.unsignedTransaction(from: fields).sign(with: signer)
    }

    private static func parse(_ jsonLine: some StringProtocol) throws(TransactionError) -> [String: Any] {
        guard let data = String(jsonLine).data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else {
            // Foundation's parse errors quote the input, which may hold a key: say nothing more.
            throw TransactionError(.malformed, "not a JSON object")
        }
        return object
    }
}
