/// An error from key handling or signing. Never carries key material.
public struct KeyError: Error, CustomStringConvertible, Sendable, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let invalidPrivateKey = Code("invalid-private-key")
        public static let invalidSignature = Code("invalid-signature")
        public static let invalidHash = Code("invalid-hash")
        public static let recoveryFailed = Code("recovery-failed")
        public static let randomness = Code("randomness")
        public static let invalidPublicKey = Code("invalid-public-key")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "key error \(code): \(message)" }
}
