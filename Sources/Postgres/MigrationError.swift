/// Why the migrator refused or failed. Refusals (`isRefusal`) mean the
/// database and the files disagree and nothing was applied; the rest are
/// setup or infrastructure problems.
public struct MigrationError: Error, CustomStringConvertible, Sendable, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// An applied migration's file was edited after it was applied.
        public static let checksumChanged = Code("checksum-changed")
        /// A version recorded as applied has no file any more.
        public static let fileMissing = Code("file-missing")
        /// `--baseline` of a version that is already recorded.
        public static let alreadyRecorded = Code("already-recorded")
        /// `--baseline` of a version with no file.
        public static let unknownVersion = Code("unknown-version")
        public static let directoryUnreadable = Code("directory-unreadable")
        public static let badFileName = Code("bad-file-name")
        public static let duplicateVersion = Code("duplicate-version")
        public static let badEncoding = Code("bad-encoding")
        /// A migration's SQL failed; it was rolled back.
        public static let migrationFailed = Code("migration-failed")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var isRefusal: Bool {
        [Code.checksumChanged, .fileMissing, .alreadyRecorded, .unknownVersion].contains(code)
    }

    public var description: String { "migration \(code): \(message)" }
}
