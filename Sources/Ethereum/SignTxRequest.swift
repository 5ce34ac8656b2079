import Foundation

/// One line of `util sign-tx` input: `{"privateKey": "0x..", "transaction": {...}}`
/// with the transaction in the vectors' field format (see `TransactionJSON`).
/// Errors never contain the key.
public enum SignTxRequest {
    public static func sign(jsonLine: some StringProtocol) throws(TransactionError) -> SignedTransaction {
        guard let data = String(jsonLine).data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else {
            // Foundation's parse errors quote the input, which holds the key: say nothing more.
            throw TransactionError(.malformed, "not a JSON object")
        }
        if let unexpected = object.keys.sorted().first(where: { $0 != "privateKey" && $0 != "transaction" }) {
            throw TransactionError(.invalidField, "unexpected field \"\(unexpected)\" (expected privateKey and transaction)")
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
}
