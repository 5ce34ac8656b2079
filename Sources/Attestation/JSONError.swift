/// Why a JSON text was rejected, and where (byte offset into the input).
public struct JSONError: Error, CustomStringConvertible, Sendable, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let syntax = Code("syntax")
        public static let unexpectedEnd = Code("unexpected-end")
        public static let trailingContent = Code("trailing-content")
        public static let duplicateKey = Code("duplicate-key")
        public static let invalidUTF8 = Code("invalid-utf8")
        public static let loneSurrogate = Code("lone-surrogate")
        public static let invalidEscape = Code("invalid-escape")
        public static let controlCharacter = Code("control-character")
        public static let invalidNumber = Code("invalid-number")
        public static let numberOutOfRange = Code("number-out-of-range")
        public static let nestingTooDeep = Code("nesting-too-deep")
    }

    public let code: Code
    /// Byte offset in the input where the problem was found.
    public let offset: Int
    public let message: String

    public init(_ code: Code, at offset: Int, _ message: String) {
        self.code = code
        self.offset = offset
        self.message = message
    }

    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}
