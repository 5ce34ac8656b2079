/// An error from building an attestation: a bad key file, an unrepresentable
/// value, a malformed hash or an empty batch. Messages never contain secrets.
public struct AttestationError: Error, CustomStringConvertible, Sendable, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let pseudonymKeyUnreadable = Code("pseudonym-key-unreadable")
        public static let pseudonymKeyTooShort = Code("pseudonym-key-too-short")
        public static let invalidTimestamp = Code("invalid-timestamp")
        public static let timestampOutOfRange = Code("timestamp-out-of-range")
        public static let integerOutOfRange = Code("integer-out-of-range")
        public static let invalidUserHash = Code("invalid-user-hash")
        public static let invalidSalt = Code("invalid-salt")
        public static let invalidContentHash = Code("invalid-content-hash")
        public static let emptyBatch = Code("empty-batch")
        public static let indexOutOfRange = Code("index-out-of-range")
        public static let randomnessUnavailable = Code("randomness-unavailable")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "attestation \(code): \(message)" }
}
