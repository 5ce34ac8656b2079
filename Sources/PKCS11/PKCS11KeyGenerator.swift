import CPKCS11
import Ethereum

/// `keys new --pkcs11`: a secp256k1 key pair generated inside the token. The
/// private half is a token object, private, sensitive and not extractable:
/// it never leaves the token, not even wrapped.
public enum PKCS11KeyGenerator {
    public static func generate(_ configuration: PKCS11Configuration) throws(PKCS11Error) -> Address {
        let session = try configuration.loggedInSession(readWrite: true)
        let label = configuration.keyLabel
        guard try session.find(objectClass: CKO_PRIVATE_KEY, label: label).isEmpty,
            try session.find(objectClass: CKO_PUBLIC_KEY, label: label).isEmpty
        else { throw PKCS11Error(.keyExists(label)) }
        var generator = SystemRandomNumberGenerator()
        let id = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let publicTemplate = [
            PKCS11Attribute(CKA_TOKEN, bool: true), PKCS11Attribute(CKA_PRIVATE, bool: false),
            PKCS11Attribute(CKA_VERIFY, bool: true), PKCS11Attribute(CKA_EC_PARAMS, bytes: secp256k1Parameters),
            PKCS11Attribute(CKA_LABEL, text: label), PKCS11Attribute(CKA_ID, bytes: id),
        ]
        let privateTemplate = [
            PKCS11Attribute(CKA_TOKEN, bool: true), PKCS11Attribute(CKA_PRIVATE, bool: true),
            PKCS11Attribute(CKA_SENSITIVE, bool: true), PKCS11Attribute(CKA_EXTRACTABLE, bool: false),
            PKCS11Attribute(CKA_SIGN, bool: true), PKCS11Attribute(CKA_DERIVE, bool: false),
            PKCS11Attribute(CKA_LABEL, text: label), PKCS11Attribute(CKA_ID, bytes: id),
        ]
        _ = try session.generateKeyPair(publicTemplate: publicTemplate, privateTemplate: privateTemplate)
        return try PKCS11Key.find(label: label, in: session).address
    }
}
