/// Why a keystore could not be read or written. Never carries the password,
/// the key or derived key material.
public struct KeystoreError: Error, CustomStringConvertible, Sendable, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let malformed = Code("malformed")
        public static let unsupported = Code("unsupported")
        /// KDF parameters this implementation refuses (OpenSSL's scrypt limits, memory cap).
        public static let unsupportedParameters = Code("unsupported-parameters")
        /// The MAC did not match: wrong password or a corrupted file.
        public static let wrongPassword = Code("wrong-password")
        public static let crypto = Code("crypto")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "keystore \(code): \(message)" }
}
