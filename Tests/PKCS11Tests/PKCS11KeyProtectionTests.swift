import CPKCS11
import Ethereum
import Foundation
import Testing

@testable import PKCS11

/// What the token promises about a generated key: it cannot be read out, and
/// keys the signer cannot use are refused with their reason.
extension PKCS11TokenTests {
    @Test func privateKeyCannotBeRead() throws {
        guard let token = SoftHSMToken.require() else { return }
        let configuration = try token.key("protected")
        let session = try configuration.loggedInSession()
        let privates = try session.find(objectClass: CKO_PRIVATE_KEY, label: "protected")
        #expect(privates.count == 1)
        let key = try #require(privates.first)
        #expect(session.bool(CKA_EXTRACTABLE, of: key) == false)
        #expect(session.bool(CKA_SENSITIVE, of: key) == true)
        #expect(session.bool(CKA_NEVER_EXTRACTABLE, of: key) == true)
        #expect(session.bool(CKA_ALWAYS_SENSITIVE, of: key) == true)
        #expect(session.bool(CKA_TOKEN, of: key) == true)
        // The read attempt itself: C_GetAttributeValue(CKA_VALUE) is refused.
        switch session.attribute(CKA_VALUE, of: key) {
        case .success(let bytes):
            Issue.record("the token revealed \(bytes.count) bytes of the private key")
        case .failure(let error):
            #expect(error.description.contains("CKR_ATTRIBUTE_SENSITIVE"))
        }
    }

    @Test func keyOnAnotherCurveIsRefused() throws {
        guard let token = SoftHSMToken.require() else { return }
        let label = "p256-\(UUID().uuidString.prefix(8))"
        let session = try token.configuration(key: label).loggedInSession(readWrite: true)
        let prime256v1: [UInt8] = [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]
        _ = try session.generateKeyPair(
            publicTemplate: [
                PKCS11Attribute(CKA_TOKEN, bool: true), PKCS11Attribute(CKA_EC_PARAMS, bytes: prime256v1),
                PKCS11Attribute(CKA_LABEL, text: label), PKCS11Attribute(CKA_VERIFY, bool: true),
            ],
            privateTemplate: [
                PKCS11Attribute(CKA_TOKEN, bool: true), PKCS11Attribute(CKA_PRIVATE, bool: true),
                PKCS11Attribute(CKA_SENSITIVE, bool: true), PKCS11Attribute(CKA_SIGN, bool: true),
                PKCS11Attribute(CKA_LABEL, text: label),
            ])
        let error = openingError(token.configuration(key: label))
        #expect(error?.isWrongCurve == true, "a P-256 key: \(String(describing: error))")
    }

    @Test func keyThatMayNotSignIsRefused() throws {
        guard let token = SoftHSMToken.require() else { return }
        let label = "nosign-\(UUID().uuidString.prefix(8))"
        let session = try token.configuration(key: label).loggedInSession(readWrite: true)
        _ = try session.generateKeyPair(
            publicTemplate: [
                PKCS11Attribute(CKA_TOKEN, bool: true), PKCS11Attribute(CKA_EC_PARAMS, bytes: secp256k1Parameters),
                PKCS11Attribute(CKA_LABEL, text: label),
            ],
            privateTemplate: [
                PKCS11Attribute(CKA_TOKEN, bool: true), PKCS11Attribute(CKA_PRIVATE, bool: true),
                PKCS11Attribute(CKA_SENSITIVE, bool: true), PKCS11Attribute(CKA_SIGN, bool: false),
                PKCS11Attribute(CKA_DERIVE, bool: true), PKCS11Attribute(CKA_LABEL, text: label),
            ])
        let error = openingError(token.configuration(key: label))
        #expect(
            error?.description.contains("cannot sign") == true, "a key without CKA_SIGN: \(String(describing: error))")
    }

    /// The token's signature and the file signer's are interchangeable: the
    /// same normalisation and recovery id rules (checked on a file key's
    /// high-s twin, which fromPlainECDSA must bring back to the same bytes).
    @Test func plainECDSAMatchesTheFileSigner() throws {
        let key = try PrivateKey(hex: "0x4646464646464646464646464646464646464646464646464646464646464646")
        let order = try UInt256(hex: "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
        for index in 0..<64 {
            let hash = Keccak256.hash(Array("message \(index)".utf8))
            let file = key.sign(hash: hash)
            let highS = (order - (try UInt256(bigEndianBytes: file.s))).bigEndianBytes
            for s in [file.s, highS] {
                let rebuilt = try Signature.fromPlainECDSA(r: file.r, s: s, hash: hash, signer: key.address)
                #expect(rebuilt == file)
            }
        }
    }
}
