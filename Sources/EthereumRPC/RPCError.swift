/// An error talking to an Ethereum node: transport, HTTP, a node's JSON-RPC
/// error, or a malformed answer. Messages never carry the node URL's secrets.
public struct RPCError: Error, CustomStringConvertible, Sendable, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Connection refused, timeout, DNS, TLS: the request may not have arrived.
        public static let transport = Code("transport")
        /// The node answered with a non-2xx HTTP status.
        public static let http = Code("http")
        /// The node answered with a JSON-RPC error object.
        public static let node = Code("node")
        /// The answer is not what the protocol promises: never trusted.
        public static let malformedResponse = Code("malformed-response")
    }

    /// What a node error means for the caller, from geth's messages.
    public enum NodeErrorKind: Sendable, Equatable {
        case nonceTooLow
        case nonceTooHigh
        case alreadyKnown
        case replacementUnderpriced
        case insufficientFunds
        case executionReverted
        case rateLimited
        case other
    }

    public let code: Code
    public let message: String
    /// The JSON-RPC error code when the node sent one.
    public let nodeCode: Int?
    /// The JSON-RPC error's `data` (revert data, hex) when a string.
    public let data: String?
    public let httpStatus: Int?
    public let retryAfterSeconds: Double?

    public init(
        _ code: Code, message: String, nodeCode: Int? = nil, data: String? = nil,
        httpStatus: Int? = nil, retryAfterSeconds: Double? = nil
    ) {
        self.code = code
        self.message = message
        self.nodeCode = nodeCode
        self.data = data
        self.httpStatus = httpStatus
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String {
        if let nodeCode { return "RPC \(code) (\(nodeCode)): \(message)" }
        return "RPC \(code): \(message)"
    }

    public var nodeErrorKind: NodeErrorKind? {
        guard code == .node else { return nil }
        let text = message.lowercased()
        if text.contains("nonce too low") { return .nonceTooLow }
        if text.contains("nonce too high") { return .nonceTooHigh }
        if text.contains("already known") || text.contains("known transaction") { return .alreadyKnown }
        if text.contains("replacement transaction underpriced") { return .replacementUnderpriced }
        if text.contains("insufficient funds") { return .insufficientFunds }
        if text.contains("execution reverted") || nodeCode == 3 { return .executionReverted }
        if isRateLimit { return .rateLimited }
        return .other
    }

    var isRateLimit: Bool {
        guard code == .node else { return false }
        let text = message.lowercased()
        return nodeCode == -32005 || text.contains("rate limit") || text.contains("too many requests")
    }

    /// Transport failures, HTTP 429/5xx, rate limits and garbage answers are
    /// worth another attempt (possibly on another node); node verdicts are not.
    public var isRetryable: Bool {
        switch code {
        case .transport, .malformedResponse: return true
        case .http: return httpStatus == 429 || (httpStatus ?? 0) >= 500
        case .node: return isRateLimit
        default: return false
        }
    }
}
