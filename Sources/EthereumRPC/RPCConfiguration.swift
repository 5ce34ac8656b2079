/// How the JSON-RPC client reaches its nodes and when it gives up.
public struct RPCConfiguration: Sendable {
    /// Node URLs in order of preference; the client fails over to the next one.
    public var urls: [String]
    public var connectTimeout: Duration = .seconds(3)
    public var requestTimeout: Duration = .seconds(15)
    /// Attempts per call across all URLs (1 = no retry).
    public var maxAttempts: Int = 5
    public var initialBackoff: Duration = .milliseconds(100)
    public var maxBackoff: Duration = .seconds(5)
    /// Keep-alive connections per URL (each one serves one request at a time).
    public var connectionsPerURL: Int = 4

    public init(urls: [String]) {
        self.urls = urls
    }

    /// Parses `CASEATTEST_RPC_URL`'s comma-separated list.
    public init(commaSeparated: String) {
        self.urls = commaSeparated.split(separator: ",").map { $0.trimmingCharacters() }.filter { !$0.isEmpty }
    }
}

extension Substring {
    fileprivate func trimmingCharacters() -> String {
        String(self.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
