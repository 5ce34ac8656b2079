import CPKCS11
import Foundation

/// A PKCS #11 module (the token vendor's .so), dlopen'ed and initialised once
/// per path for the life of the process (C_Finalize would end every other
/// user's sessions, so it is never called).
final class PKCS11Module: @unchecked Sendable {
    let path: String
    let functions: CK_FUNCTION_LIST_PTR

    private init(path: String, functions: CK_FUNCTION_LIST_PTR) {
        self.path = path
        self.functions = functions
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var loaded: [String: PKCS11Module] = [:]

    static func load(path: String) throws(PKCS11Error) -> PKCS11Module {
        lock.lock()
        defer { lock.unlock() }
        if let module = loaded[path] { return module }
        var list: CK_FUNCTION_LIST_PTR?
        var rv: CK_RV = CK_RV(CKR_OK)
        guard FileManager.default.isReadableFile(atPath: path),
            cpkcs11_load(path, &list, &rv) != nil
        else { throw PKCS11Error(.moduleNotFound(path)) }
        guard rv == CKR_OK, let list else { throw PKCS11Error(.notAModule(path, rv)) }
        let initialised = cpkcs11_initialize(list)
        guard initialised == CKR_OK || initialised == CKR_CRYPTOKI_ALREADY_INITIALIZED else {
            throw PKCS11Error(.notAModule(path, initialised))
        }
        let module = PKCS11Module(path: path, functions: list)
        loaded[path] = module
        return module
    }

    /// The slot whose token has this label (CKA_LABEL is 32 bytes, blank padded).
    func slot(tokenLabel: String) throws(PKCS11Error) -> CK_SLOT_ID {
        var count: CK_ULONG = 0
        try check(functions.pointee.C_GetSlotList(CK_BBOOL(CK_TRUE), nil, &count), "C_GetSlotList")
        var slots = [CK_SLOT_ID](repeating: 0, count: Int(count))
        try check(functions.pointee.C_GetSlotList(CK_BBOOL(CK_TRUE), &slots, &count), "C_GetSlotList")
        for slot in slots.prefix(Int(count)) {
            var info = CK_TOKEN_INFO()
            guard functions.pointee.C_GetTokenInfo(slot, &info) == CKR_OK else { continue }
            let label = withUnsafeBytes(of: info.label) { String(decoding: $0, as: UTF8.self) }
            if label.trimmingCharacters(in: .whitespaces) == tokenLabel { return slot }
        }
        throw PKCS11Error(.tokenNotFound(tokenLabel))
    }

    /// Whether the token's mechanism list offers `mechanism` with the sign flag.
    func canSign(slot: CK_SLOT_ID, mechanism: CK_MECHANISM_TYPE) -> Bool {
        var info = CK_MECHANISM_INFO()
        guard functions.pointee.C_GetMechanismInfo(slot, mechanism, &info) == CKR_OK else { return false }
        return info.flags & CK_FLAGS(CKF_SIGN) != 0
    }
}

func check(_ rv: CK_RV, _ call: String) throws(PKCS11Error) {
    switch rv {
    case CK_RV(CKR_OK): return
    case CK_RV(CKR_PIN_INCORRECT): throw PKCS11Error(.pinIncorrect)
    case CK_RV(CKR_PIN_LOCKED): throw PKCS11Error(.pinLocked)
    case CK_RV(CKR_USER_NOT_LOGGED_IN): throw PKCS11Error(.notLoggedIn)
    default: throw PKCS11Error(.token(call, rv))
    }
}
