/// Why an ABI type, value or encoded data was rejected.
public struct ABIError: Error, CustomStringConvertible, Sendable, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let invalidType = Code("invalid-type")
        /// A value does not fit its type (wrong case, out of range, wrong length).
        public static let valueMismatch = Code("value-mismatch")
        /// Encoded data is short, has an offset or length out of range, or dirty bits.
        public static let malformedData = Code("malformed-data")
        public static let topicMismatch = Code("topic-mismatch")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "ABI \(code): \(message)" }
}
