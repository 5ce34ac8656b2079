/// An error talking to an Ethereum node: transport, HTTP, JSON-RPC or a
/// malformed answer. Node errors keep the node's code and message.
public struct RPCError: Error, CustomStringConvertible, Sendable, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let transport = Code("transport")
        public static let http = Code("http")
        public static let node = Code("node")
        public static let malformedResponse = Code("malformed-response")
    }

    public let code: Code
    public let message: String
    /// The JSON-RPC error code when the node sent one.
    public let nodeCode: Int?

    public init(_ code: Code, message: String, nodeCode: Int? = nil) {
        self.code = code
        self.message = message
        self.nodeCode = nodeCode
    }

    public var description: String {
        if let nodeCode { return "RPC \(code) (\(nodeCode)): \(message)" }
        return "RPC \(code): \(message)"
    }
}
