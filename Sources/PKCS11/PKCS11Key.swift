import CPKCS11
import Ethereum

/// A secp256k1 key pair on the token, found by label and checked: an EC key
/// on secp256k1 whose private half may sign with CKM_ECDSA.
struct PKCS11Key: Sendable {
    let privateHandle: CK_OBJECT_HANDLE
    let publicKey: [UInt8]
    let address: Address

    static func find(label: String, in session: PKCS11Session) throws(PKCS11Error) -> PKCS11Key {
        let privates = try session.find(objectClass: CKO_PRIVATE_KEY, label: label)
        let publics = try session.find(objectClass: CKO_PUBLIC_KEY, label: label)
        guard let privateHandle = privates.first, let publicHandle = publics.first else {
            throw PKCS11Error(.keyNotFound(label))
        }
        guard session.ulong(CKA_KEY_TYPE, of: privateHandle) == CKK_EC,
            case .success(let parameters) = session.attribute(CKA_EC_PARAMS, of: publicHandle),
            parameters == secp256k1Parameters
        else { throw PKCS11Error(.wrongCurve(label)) }
        guard case .success(let ecPoint) = session.attribute(CKA_EC_POINT, of: publicHandle),
            let point = uncompressedPoint(fromECPoint: ecPoint),
            let address = try? Address(checkedPublicKey: point)
        else { throw PKCS11Error(.badPublicKey(label)) }
        guard session.bool(CKA_SIGN, of: privateHandle) != false else {
            throw PKCS11Error(.cannotSign("the private key's CKA_SIGN is false"))
        }
        guard session.module.canSign(slot: session.slot, mechanism: CK_MECHANISM_TYPE(CKM_ECDSA)) else {
            throw PKCS11Error(.cannotSign("the token does not offer CKM_ECDSA for signing"))
        }
        return PKCS11Key(privateHandle: privateHandle, publicKey: point, address: address)
    }
}
