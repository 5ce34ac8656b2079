import ArgumentParser
import Ethereum

/// `caseattest keys new --keystore FILE`: a fresh key in a new keystore file.
/// `caseattest keys new --pkcs11 ...`: a fresh key pair inside a PKCS #11 token.
struct KeysNew: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract:
            """
            Generate a key and write it to a new keystore file (mode 0600), or inside a PKCS#11 token; print its \
            address.
            """
    )

    @Option(help: "Path of the keystore file to create; an existing file is never overwritten.")
    var keystore: String?

    @Flag(help: "Generate the key pair inside the PKCS#11 token (non-extractable, sensitive) instead of a keystore.")
    var pkcs11 = false

    @OptionGroup var token: PKCS11Options

    @Option(help: "Read the password from the first line of this file instead of asking on the terminal.")
    var passwordFile: String?

    @Option(help: "Key derivation: scrypt (geth standard), scrypt-light or pbkdf2.")
    var kdf = "scrypt"

    func run() throws {
        if pkcs11 { return try KeysPKCS11.generate(token) }
        guard let keystore else { throw ValidationError("give --keystore FILE, or --pkcs11 for a key in a token") }
        let kdf = try KeystoreFiles.kdf(named: kdf)
        let password = try PasswordInput.obtain(passwordFile: passwordFile, confirm: true)
        let key = try PrivateKey.generate()
        try KeystoreFiles.createNew(
            path: keystore, contents: try Keystore.encrypt(key: key, password: password, kdf: kdf))
        print(key.address.checksummed)
    }
}
