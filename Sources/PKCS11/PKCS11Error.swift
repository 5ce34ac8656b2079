import CPKCS11

/// A PKCS #11 failure. Names the module path, token label or key label
/// (configuration, not secrets) and the token's CKR_ code, never a PIN or
/// any key material.
public struct PKCS11Error: Error, CustomStringConvertible, Sendable, Equatable {
    enum Code: Sendable, Equatable {
        case moduleNotFound(String)
        case notAModule(String, CK_RV)
        case tokenNotFound(String)
        case keyNotFound(String)
        case keyExists(String)
        case pinFileUnreadable(String)
        case pinIncorrect
        case pinLocked
        case notLoggedIn
        case wrongCurve(String)
        case cannotSign(String)
        case cannotGenerate(CK_RV)
        case badPublicKey(String)
        case badSignature
        case token(String, CK_RV)
    }

    let code: Code

    init(_ code: Code) { self.code = code }

    public var isWrongPIN: Bool { code == .pinIncorrect }
    public var isKeyNotFound: Bool { if case .keyNotFound = code { true } else { false } }
    public var isTokenNotFound: Bool { if case .tokenNotFound = code { true } else { false } }
    public var isModuleNotFound: Bool {
        switch code {
        case .moduleNotFound, .notAModule: true
        default: false
        }
    }
    public var isWrongCurve: Bool { if case .wrongCurve = code { true } else { false } }
    public var isKeyExists: Bool { if case .keyExists = code { true } else { false } }

    public var description: String {
        switch code {
        case .moduleNotFound(let path):
            """
            PKCS#11 module \(path) cannot be loaded (missing, unreadable, or not a shared library with \
            C_GetFunctionList)
            """
        case .notAModule(let path, let rv):
            "PKCS#11 module \(path) did not initialise (\(Self.name(rv)))"
        case .tokenNotFound(let label):
            "no PKCS#11 token labelled \"\(label)\" is present"
        case .keyNotFound(let label):
            "the token holds no key pair labelled \"\(label)\" (private and public key objects with that CKA_LABEL)"
        case .keyExists(let label):
            "the token already holds a key labelled \"\(label)\"; choose another label"
        case .pinFileUnreadable(let path):
            "cannot read the PKCS#11 PIN file \(path)"
        case .pinIncorrect:
            "the token refused the user PIN (CKR_PIN_INCORRECT)"
        case .pinLocked:
            "the token's user PIN is locked (CKR_PIN_LOCKED)"
        case .notLoggedIn:
            "the token session is no longer logged in (CKR_USER_NOT_LOGGED_IN)"
        case .wrongCurve(let label):
            "key \"\(label)\" is not a secp256k1 EC key; Ethereum needs secp256k1"
        case .cannotSign(let why):
            "the token cannot sign with this key: \(why)"
        case .cannotGenerate(let rv):
            "the token cannot generate a secp256k1 key pair (\(Self.name(rv)))"
        case .badPublicKey(let label):
            "the public key of \"\(label)\" (CKA_EC_POINT) is not an uncompressed secp256k1 point"
        case .badSignature:
            "the token's signature does not verify against the key's public key"
        case .token(let call, let rv):
            "\(call) failed: \(Self.name(rv))"
        }
    }

    /// The CKR_ name of a return value (the common ones), else its hex value.
    static func name(_ rv: CK_RV) -> String {
        let names: [CK_RV: String] = [
            0x5: "CKR_GENERAL_ERROR", 0x6: "CKR_FUNCTION_FAILED", 0x7: "CKR_ARGUMENTS_BAD",
            0x12: "CKR_ATTRIBUTE_TYPE_INVALID", 0x11: "CKR_ATTRIBUTE_SENSITIVE", 0x30: "CKR_DEVICE_ERROR",
            0x31: "CKR_DEVICE_MEMORY", 0x32: "CKR_DEVICE_REMOVED", 0x63: "CKR_KEY_TYPE_INCONSISTENT",
            0x68: "CKR_KEY_FUNCTION_NOT_PERMITTED", 0x70: "CKR_MECHANISM_INVALID", 0x71: "CKR_MECHANISM_PARAM_INVALID",
            0x82: "CKR_OBJECT_HANDLE_INVALID", 0xA0: "CKR_PIN_INCORRECT", 0xA4: "CKR_PIN_LOCKED",
            0xB0: "CKR_SESSION_CLOSED", 0xB3: "CKR_SESSION_HANDLE_INVALID", 0xB5: "CKR_SESSION_READ_ONLY",
            0xD1: "CKR_TEMPLATE_INCONSISTENT", 0xE0: "CKR_TOKEN_NOT_PRESENT", 0xE2: "CKR_TOKEN_WRITE_PROTECTED",
            0x101: "CKR_USER_NOT_LOGGED_IN", 0x102: "CKR_USER_PIN_NOT_INITIALIZED", 0x130: "CKR_DOMAIN_PARAMS_INVALID",
            0x140: "CKR_CURVE_NOT_SUPPORTED", 0x150: "CKR_BUFFER_TOO_SMALL", 0x190: "CKR_CRYPTOKI_NOT_INITIALIZED",
        ]
        return names[rv] ?? "CKR 0x" + String(rv, radix: 16)
    }
}
