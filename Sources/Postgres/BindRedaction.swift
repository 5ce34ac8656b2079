import Foundation

/// Keeps bound values out of server messages: PostgreSQL quotes offending
/// input in some errors (`invalid input syntax for type integer: "..."`).
enum BindRedaction {
    static func scrub(_ message: String, binds: [PostgresValue]) -> String {
        var output = message
        // Longest first, so a value containing another is removed whole.
        for text in binds.compactMap(textForm).sorted(by: { $0.count > $1.count }) where !text.isEmpty {
            output = output.replacingOccurrences(of: "\"\(text)\"", with: "\"<value>\"")
            if text.count >= 4 {
                output = output.replacingOccurrences(of: text, with: "<value>")
            }
        }
        return output
    }

    private static func textForm(_ value: PostgresValue) -> String? {
        switch value {
        case .null: nil
        case .int(let number): String(number)
        case .int32(let number): String(number)
        case .double(let number): PostgresValue.doubleText(number)
        case .bool: nil
        case .text(let text), .jsonb(let text), .numeric(let text): text
        case .bytea(let bytes): "\\x" + bytes.map { String(format: "%02x", $0) }.joined()
        case .timestamp(let timestamp): timestamp.postgresText
        }
    }
}
