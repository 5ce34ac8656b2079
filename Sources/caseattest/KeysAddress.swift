import ArgumentParser
import Ethereum

/// `caseattest keys address --keystore FILE`.
struct KeysAddress: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "address",
        abstract: "Print a keystore's address. With --password-file the key is decrypted and its real address printed.")

    @Option(help: "The keystore file.")
    var keystore: String

    @Option(help: "Decrypt with the password on the first line of this file and print the key's own address.")
    var passwordFile: String?

    func run() throws {
        let json = try KeystoreFiles.readFile(path: keystore, what: "keystore")
        if passwordFile != nil {
            let password = try PasswordInput.obtain(passwordFile: passwordFile, confirm: false)
            let key = try Keystore.decrypt(json: json, password: password)
            if let declared = try Keystore.declaredAddress(json: json), declared != key.address {
                throw KeysCommandError("the keystore declares \(declared) but holds the key of \(key.address)")
            }
            print(key.address.checksummed)
            return
        }
        guard let address = try Keystore.declaredAddress(json: json) else {
            throw KeysCommandError("the keystore declares no address; give --password-file to decrypt it")
        }
        print(address.checksummed)
    }
}
