import Foundation

/// Helpers for `postgres://` URLs: validation and password-free forms for logs.
/// libpq itself parses the URL; this only makes sure we never print a secret.
public enum PostgresURL {
    /// Accepts `postgres://` and `postgresql://` URLs; the error never repeats the URL.
    public static func validate(_ url: String) throws {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
            throw PostgresError(.badURL, message: "the database URL must start with postgres:// or postgresql://")
        }
    }

    /// The URL with any password (in the user-info part or a `password=`
    /// query parameter) replaced by `***`. Safe to log.
    public static func redacted(_ url: String) -> String {
        var text = url
        if let schemeEnd = text.range(of: "://") {
            let rest = text[schemeEnd.upperBound...]
            let queryStart = rest.firstIndex(of: "?") ?? rest.endIndex
            // The last '@' before the query ends the user info, even when an
            // unencoded password contains '/' or '@'. Redacting too much is fine.
            if let at = rest[..<queryStart].lastIndex(of: "@"),
                let colon = rest[..<at].firstIndex(of: ":")
            {
                text.replaceSubrange(text.index(after: colon)..<at, with: "***")
            }
        }
        return redactPasswordParameters(text)
    }

    /// The password the URL carries, raw and percent-decoded, so messages
    /// from libpq can be scrubbed of it.
    static func passwords(in url: String) -> [String] {
        var found: [String] = []
        if let schemeEnd = url.range(of: "://") {
            let rest = url[schemeEnd.upperBound...]
            let queryStart = rest.firstIndex(of: "?") ?? rest.endIndex
            if let at = rest[..<queryStart].lastIndex(of: "@"),
                let colon = rest[..<at].firstIndex(of: ":")
            {
                found.append(String(rest[rest.index(after: colon)..<at]))
            }
        }
        if let query = url.firstIndex(of: "?") {
            for pair in url[url.index(after: query)...].split(separator: "&") where pair.hasPrefix("password=") {
                found.append(String(pair.dropFirst("password=".count)))
            }
        }
        let decoded = found.compactMap { $0.removingPercentEncoding }
        return Array(Set((found + decoded).filter { !$0.isEmpty }))
    }

    /// Replaces every occurrence of the URL's password in `message`.
    static func scrub(_ message: String, url: String) -> String {
        var output = message
        for secret in passwords(in: url) {
            output = output.replacingOccurrences(of: secret, with: "***")
        }
        return output
    }

    private static func redactPasswordParameters(_ text: String) -> String {
        guard let query = text.firstIndex(of: "?") else { return text }
        let pairs = text[text.index(after: query)...].split(separator: "&", omittingEmptySubsequences: false)
        let cleaned = pairs.map { $0.hasPrefix("password=") ? "password=***" : String($0) }
        return String(text[...query]) + cleaned.joined(separator: "&")
    }
}
