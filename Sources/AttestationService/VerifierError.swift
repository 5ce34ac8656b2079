/// Why the verifier could not give verdicts at all (infrastructure, not
/// integrity: `caseattest verify` exits 2), or why a receipt cannot be made.
public struct VerifierError: Error, CustomStringConvertible, Sendable, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The node serves another chain than the one configured.
        public static let chainMismatch = Code("chain-mismatch")
        /// The node answered a call with an error the verifier cannot judge.
        public static let rpc = Code("rpc")
        /// The attestation's salt was destroyed: no receipt can be made.
        public static let erased = Code("erased")
        /// The stored attestation does not agree with itself (no receipt is made).
        public static let inconsistentRow = Code("inconsistent-row")
        /// Nothing is deployed at the configured registry address.
        public static let noRegistry = Code("no-registry")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "verifier \(code): \(message)" }
}
