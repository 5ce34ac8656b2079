import PKCS11

/// The `--pkcs11` halves of `keys new` and `keys address`.
enum KeysPKCS11 {
    static func generate(_ options: PKCS11Options) throws {
        do {
            print(try PKCS11KeyGenerator.generate(try options.configuration()).checksummed)
        } catch let error as PKCS11Error {
            throw KeysCommandError(error.description)
        }
    }

    static func printAddress(_ options: PKCS11Options) throws {
        do {
            print(try PKCS11Signer(try options.configuration()).address.checksummed)
        } catch let error as PKCS11Error {
            throw KeysCommandError(error.description)
        }
    }
}
