import ArgumentParser
import Ethereum

/// `caseattest keys address --keystore FILE`, or `--pkcs11 ...` for a token's key.
struct KeysAddress: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "address",
        abstract: "Print a keystore's address. With --password-file the key is decrypted and its real address printed.")

    @Option(help: "The keystore file.")
    var keystore: String?

    @Flag(help: "Print the address of the key pair in the PKCS#11 token (from its public point).")
    var pkcs11 = false

    @OptionGroup var token: PKCS11Options

    @Option(help: "Decrypt with the password on the first line of this file and print the key's own address.")
    var passwordFile: String?

    func run() throws {
        if pkcs11 { return try KeysPKCS11.printAddress(token) }
        guard let keystore else { throw ValidationError("give --keystore FILE, or --pkcs11 for a key in a token") }
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
