import Ethereum
import Foundation

/// Where the signer's private key comes from. Errors name the file but never
/// its contents, the key or the password.
public enum SignerKeySource: Sendable {
    /// A Web3 Secret Storage (v3) file and a file holding its password.
    case keystore(path: String, passwordFile: String)
    /// A file holding the key as 64 hex digits (optionally 0x-prefixed).
    case keyFile(path: String)

    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    public func load() throws -> PrivateKey {
        switch self {
        case .keystore(let path, let passwordFile):
            let json = try Self.read(path, what: "keystore")
            var password = try Self.read(passwordFile, what: "keystore password file")
            defer { for i in password.indices { password[i] = 0 } }
            // A password file usually ends with a newline that is not part of the password.
            while let last = password.last, last == 0x0A || last == 0x0D { password.removeLast() }
            do {
                return try Keystore.decrypt(json: json, password: password)
            } catch {
                throw LoadError(description: "cannot unlock keystore \(path): \(error)")
            }
        case .keyFile(let path):
            var contents = try Self.read(path, what: "private key file")
            defer { for i in contents.indices { contents[i] = 0 } }
            let text = String(decoding: contents, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            do {
                return try PrivateKey(hex: text)
            } catch {
                throw LoadError(
                    description: "private key file \(path) does not hold a valid secp256k1 key (64 hex digits)")
            }
        }
    }

    private static func read(_ path: String, what: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(description: "cannot read \(what) \(path)")
        }
        return Array(data)
    }
}
