import ArgumentParser
import Ethereum
import Foundation

/// `caseattest keys import --key-file RAW --keystore FILE`.
struct KeysImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Encrypt a raw private key file (64 hex digits, optional 0x) into a new keystore file (mode 0600).")

    @Option(help: "File holding the raw private key as hex.")
    var keyFile: String

    @Option(help: "Path of the keystore file to create; an existing file is never overwritten.")
    var keystore: String

    @Option(help: "Read the password from the first line of this file instead of asking on the terminal.")
    var passwordFile: String?

    @Option(help: "Key derivation: scrypt (geth standard), scrypt-light or pbkdf2.")
    var kdf = "scrypt"

    func run() throws {
        let kdf = try KeystoreFiles.kdf(named: kdf)
        var contents = try KeystoreFiles.readFile(path: keyFile, what: "key file")
        defer { for index in contents.indices { contents[index] = 0 } }
        let hex = contents.filter { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        let key: PrivateKey
        do { key = try PrivateKey(hex: String(decoding: hex, as: UTF8.self)) } catch {
            throw KeysCommandError("key file does not hold a valid private key (64 hex digits)")
        }
        let password = try PasswordInput.obtain(passwordFile: passwordFile, confirm: true)
        try KeystoreFiles.createNew(
            path: keystore, contents: try Keystore.encrypt(key: key, password: password, kdf: kdf))
        print(key.address.checksummed)
    }
}
