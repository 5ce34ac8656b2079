import Attestation
import Ethereum
import Foundation

/// Who is calling: the roles their token carries and a stable, non-secret id
/// (a prefix of the token's SHA-256) used for rate limits and logs.
public struct Caller: Sendable, Hashable {
    public let id: String
    public let roles: Set<APIRole>
}

/// The bearer tokens the API accepts, as SHA-256 digests with a role each
/// (CASEATTEST_API_TOKENS_FILE: one `ROLE SHA256HEX` a line, `#` comments).
/// The tokens themselves are never stored, logged or echoed.
public struct TokenStore: Sendable {
    struct Entry: Sendable {
        let role: APIRole
        let digest: [UInt8]
    }

    let entries: [Entry]

    /// Longest Authorization value considered; a longer one is no token of ours.
    static let maximumTokenLength = 512
    static let callerIDHexDigits = 16

    public var count: Int { entries.count }

    public init(fileContents text: String) throws(APIConfigurationError) {
        var entries: [Entry] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line =
                rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first
                .map { String($0).trimmingWhitespace() } ?? ""
            if line.isEmpty { continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            // The line's content is not echoed: a mistaken paste may be a token.
            guard fields.count == 2 else {
                throw APIConfigurationError("tokens file line \(index + 1): expected `ROLE SHA256HEX`")
            }
            guard let role = APIRole(rawValue: String(fields[0])) else {
                let roles = APIRole.allCases.map(\.rawValue).joined(separator: " or ")
                throw APIConfigurationError("tokens file line \(index + 1): the role must be \(roles)")
            }
            guard let digest = Self.decodeDigest(fields[1]) else {
                throw APIConfigurationError(
                    "tokens file line \(index + 1): expected the token's SHA-256 as 64 hex digits")
            }
            entries.append(Entry(role: role, digest: digest))
        }
        self.entries = entries
    }

    public init(contentsOfFile path: String) throws(APIConfigurationError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw APIConfigurationError("cannot read the API tokens file \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw APIConfigurationError("the API tokens file \(path) is not UTF-8 text")
        }
        try self.init(fileContents: text)
    }

    /// The caller holding `token`, or nil when no entry matches. Every entry
    /// is compared in full, whatever matched before, so the time taken does
    /// not tell how close a guess came.
    public func caller(token: String) -> Caller? {
        guard !token.isEmpty, token.utf8.count <= Self.maximumTokenLength else { return nil }
        let digest = SHA256Digest.hash(Array(token.utf8))
        var roles = Set<APIRole>()
        for entry in entries where Self.constantTimeEqual(entry.digest, digest) {
            roles.insert(entry.role)
        }
        guard !roles.isEmpty else { return nil }
        let id = Self.hex(digest.prefix(Self.callerIDHexDigits / 2))
        return Caller(id: id, roles: roles)
    }

    /// The token from an `Authorization: Bearer ...` value, or nil.
    static func bearerToken(fromAuthorization value: String) -> String? {
        // What every client sends, `Bearer ` and visible ASCII, read without
        // splitting, lowercasing or trimming (the general reading below
        // gives the same token for it).
        let utf8 = value.utf8
        if utf8.starts(with: "Bearer ".utf8), utf8.count > 7,
            utf8.dropFirst(7).allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        {
            return String(value.dropFirst(7))
        }
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = String(parts[1]).trimmingWhitespace()
        return token.isEmpty || token.contains(" ") ? nil : token
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// 64 hex digits, no prefix: the SHA-256 of a token.
    static func decodeDigest(_ text: Substring) -> [UInt8]? {
        guard text.utf8.count == 64, !text.hasPrefix("0x"), let bytes = try? Hex.decode(text) else { return nil }
        return bytes
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        Hex.encode(bytes)
    }
}

/// A fresh bearer token and the tokens-file line that admits it.
public struct NewAPIToken: Sendable {
    public let token: String
    public let fileLine: String

    /// 32 bytes from the system's CSPRNG, as unpadded base64url (43 characters).
    public static func generate(role: APIRole) -> NewAPIToken {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let token = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        let digest = SHA256Digest.hash(Array(token.utf8))
        return NewAPIToken(token: token, fileLine: "\(role.rawValue) \(TokenStore.hex(digest))")
    }
}
