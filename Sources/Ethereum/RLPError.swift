/// Why RLP input was rejected. The offset is where the offending item starts.
public struct RLPError: Error, CustomStringConvertible, Sendable, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let empty = Code("empty")
        public static let truncated = Code("truncated")
        public static let trailingBytes = Code("trailing-bytes")
        public static let nonCanonical = Code("non-canonical")
        public static let tooDeep = Code("too-deep")
        /// A decoded item did not have the shape a caller expected.
        public static let unexpectedShape = Code("unexpected-shape")
    }

    public let code: Code
    public let offset: Int?
    public let message: String

    public init(_ code: Code, at offset: Int? = nil, _ message: String) {
        self.code = code
        self.offset = offset
        self.message = message
    }

    public var description: String {
        if let offset { return "RLP \(code) at byte \(offset): \(message)" }
        return "RLP \(code): \(message)"
    }
}
