/// Why a transaction could not be decoded, parsed or built. Never carries key material.
public struct TransactionError: Error, CustomStringConvertible, Sendable, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let malformed = Code("malformed")
        public static let unsupportedType = Code("unsupported-type")
        public static let invalidField = Code("invalid-field")
        public static let invalidSignature = Code("invalid-signature")
        /// A legacy transaction signed without EIP-155 replay protection.
        public static let unprotected = Code("unprotected")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "transaction \(code): \(message)" }
}
