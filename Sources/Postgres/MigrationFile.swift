import COpenSSL
import Foundation

/// One `migrations/NNNN_name.sql` file: at least four digits, an underscore,
/// a name of letters, digits, `_` or `-`. Applied in numeric order of version.
public struct MigrationFile: Sendable, Hashable {
    /// The digits as written in the file name, e.g. "0001"; the key in schema_migrations.
    public let version: String
    public let name: String
    public let fileName: String
    public let sql: String
    /// SHA-256 of the file's bytes, lowercase hex.
    public let checksum: String
    /// Checksums of earlier wordings of this file that a database may have
    /// recorded, declared by the file itself in lines of the form
    /// `-- caseattest:supersedes-checksum <64 hex>`: a fix to a migration that
    /// failed on some databases (and ran unchanged on the others) is accepted
    /// where the earlier wording was applied; any other edit is still refused.
    public var supersededChecksums: Set<String> {
        var found: Set<String> = []
        let marker = "-- caseattest:supersedes-checksum "
        for line in sql.split(separator: "\n", omittingEmptySubsequences: true) where line.hasPrefix(marker) {
            let value = line.dropFirst(marker.count).trimmingCharacters(in: .whitespaces)
            if value.utf8.count == 64, value.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) { found.insert(value) }
        }
        return found
    }

    /// Versions this file replaces, declared as `-- caseattest:retires 0002 0003`:
    /// a database that applied none of them skips them and runs this file;
    /// one that applied some finishes them first (this file then moves their
    /// work). Retired files stay in the folder, unchanged, for those databases.
    public var retiredVersions: [String] {
        let marker = "-- caseattest:retires "
        for line in sql.split(separator: "\n", omittingEmptySubsequences: true) where line.hasPrefix(marker) {
            return line.dropFirst(marker.count).split(separator: " ").map(String.init)
                .filter { Self.parseVersion($0) != nil }
        }
        return []
    }

    static func parseVersion(_ text: String) -> String? {
        guard text.count >= 4, text.count <= 18, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return text
    }

    /// The recorded checksum is this file's, or one it declares it supersedes.
    public func accepts(recordedChecksum: String) -> Bool {
        recordedChecksum == checksum || supersededChecksums.contains(recordedChecksum)
    }

    var number: UInt64 { UInt64(version) ?? .max }

    /// Parses a file name; nil when it does not look like a migration.
    static func parseName(_ fileName: String) -> (version: String, name: String)? {
        guard fileName.hasSuffix(".sql") else { return nil }
        let stem = fileName.dropLast(4)
        guard let underscore = stem.firstIndex(of: "_") else { return nil }
        let version = stem[..<underscore]
        let name = stem[stem.index(after: underscore)...]
        let nameCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
        guard version.count >= 4, version.count <= 18, version.allSatisfy({ $0.isASCII && $0.isNumber }),
            !name.isEmpty, name.allSatisfy({ nameCharacters.contains($0) })
        else { return nil }
        return (String(version), String(name))
    }

    /// Reads every `*.sql` file of `directory`, sorted by version. Other files
    /// (a README, say) are ignored; a `.sql` file with a bad name is an error
    /// rather than silently skipped.
    public static func load(directory: String) throws -> [MigrationFile] {
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw MigrationError(.directoryUnreadable, message: "cannot read the migrations directory \(directory)")
        }
        var files: [MigrationFile] = []
        for entry in entries.sorted() where entry.hasSuffix(".sql") {
            guard let (version, name) = parseName(entry) else {
                throw MigrationError(
                    .badFileName,
                    message:
                        """
                        \(entry) is not named NNNN_name.sql (four or more digits, '_', then letters, digits, '_' or \
                        '-')
                        """
                )
            }
            let path = (directory as NSString).appendingPathComponent(entry)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw MigrationError(.directoryUnreadable, message: "cannot read \(path)")
            }
            let bytes = [UInt8](data)
            guard let sql = String(validating: bytes, as: UTF8.self) else {
                throw MigrationError(.badEncoding, message: "\(entry) is not valid UTF-8")
            }
            files.append(
                MigrationFile(version: version, name: name, fileName: entry, sql: sql, checksum: sha256Hex(bytes)))
        }
        files.sort { ($0.number, $0.version) < ($1.number, $1.version) }
        for (earlier, later) in zip(files, files.dropFirst()) where earlier.number == later.number {
            throw MigrationError(
                .duplicateVersion, message: "\(earlier.fileName) and \(later.fileName) have the same version")
        }
        return files
    }

    static func sha256Hex(_ bytes: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        _ = SHA256(bytes, bytes.count, &digest)
        let hexDigits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(digest.count * 2)
        for byte in digest {
            hex.append(hexDigits[Int(byte >> 4)])
            hex.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
