import CPKCS11

/// One session with a token. A session is used by one thread at a time (the
/// PKCS11Signer gives each signing thread its own). Closed on release.
final class PKCS11Session: @unchecked Sendable {
    let module: PKCS11Module
    let slot: CK_SLOT_ID
    let handle: CK_SESSION_HANDLE
    private var f: CK_FUNCTION_LIST { module.functions.pointee }

    init(module: PKCS11Module, slot: CK_SLOT_ID, readWrite: Bool = false) throws(PKCS11Error) {
        var flags = CK_FLAGS(CKF_SERIAL_SESSION)
        if readWrite { flags |= CK_FLAGS(CKF_RW_SESSION) }
        var handle = CK_SESSION_HANDLE(0)
        try check(module.functions.pointee.C_OpenSession(slot, flags, nil, nil, &handle), "C_OpenSession")
        self.module = module
        self.slot = slot
        self.handle = handle
    }

    deinit { _ = f.C_CloseSession(handle) }

    /// Logs the application in as the user (login is per token, so a second
    /// session finds it already logged in). The PIN buffer is the caller's to wipe.
    func login(pin: [UInt8]) throws(PKCS11Error) {
        var copy = pin
        defer { for i in copy.indices { copy[i] = 0 } }
        let rv = f.C_Login(handle, CK_USER_TYPE(CKU_USER), &copy, CK_ULONG(copy.count))
        if rv == CKR_USER_ALREADY_LOGGED_IN { return }
        try check(rv, "C_Login")
    }

    /// Objects of `objectClass` whose CKA_LABEL is `label`.
    func find(objectClass: UInt, label: String) throws(PKCS11Error) -> [CK_OBJECT_HANDLE] {
        let template = [PKCS11Attribute(CKA_CLASS, ulong: objectClass), PKCS11Attribute(CKA_LABEL, text: label)]
        let f = self.f, handle = self.handle
        try withTemplate(template) { (pointer, count) throws(PKCS11Error) in
            try check(f.C_FindObjectsInit(handle, pointer, count), "C_FindObjectsInit")
        }
        defer { _ = f.C_FindObjectsFinal(handle) }
        var found = [CK_OBJECT_HANDLE](repeating: 0, count: 8)
        var count: CK_ULONG = 0
        try check(f.C_FindObjects(handle, &found, CK_ULONG(found.count), &count), "C_FindObjects")
        return Array(found.prefix(Int(count)))
    }

    /// An attribute's value, or the CKR_ code the token answered instead
    /// (CKR_ATTRIBUTE_SENSITIVE for a secret it will not reveal).
    func attribute(_ type: UInt, of object: CK_OBJECT_HANDLE) -> Result<[UInt8], PKCS11Error> {
        var probe = CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(type), pValue: nil, ulValueLen: 0)
        let rv = f.C_GetAttributeValue(handle, object, &probe, 1)
        guard rv == CKR_OK, probe.ulValueLen != CK_ULONG.max else {
            return .failure(
                PKCS11Error(.token("C_GetAttributeValue", rv == CKR_OK ? CK_RV(CKR_ATTRIBUTE_TYPE_INVALID) : rv)))
        }
        var bytes = [UInt8](repeating: 0, count: Int(probe.ulValueLen))
        let rv2 = bytes.withUnsafeMutableBytes { buffer -> CK_RV in
            var attribute = CK_ATTRIBUTE(
                type: CK_ATTRIBUTE_TYPE(type), pValue: buffer.baseAddress, ulValueLen: CK_ULONG(buffer.count))
            let rv = f.C_GetAttributeValue(handle, object, &attribute, 1)
            return rv
        }
        guard rv2 == CKR_OK else { return .failure(PKCS11Error(.token("C_GetAttributeValue", rv2))) }
        return .success(bytes)
    }

    func bool(_ type: UInt, of object: CK_OBJECT_HANDLE) -> Bool? {
        guard case .success(let bytes) = attribute(type, of: object), bytes.count == 1 else { return nil }
        return bytes[0] != 0
    }

    func ulong(_ type: UInt, of object: CK_OBJECT_HANDLE) -> UInt? {
        guard case .success(let bytes) = attribute(type, of: object), bytes.count == MemoryLayout<CK_ULONG>.size else {
            return nil
        }
        return bytes.withUnsafeBytes { UInt($0.loadUnaligned(as: CK_ULONG.self)) }
    }

    /// Plain ECDSA (CKM_ECDSA) over a digest the caller computed: r || s.
    func signECDSA(digest: [UInt8], key: CK_OBJECT_HANDLE) throws(PKCS11Error) -> [UInt8] {
        var mechanism = CK_MECHANISM(mechanism: CK_MECHANISM_TYPE(CKM_ECDSA), pParameter: nil, ulParameterLen: 0)
        try check(f.C_SignInit(handle, &mechanism, key), "C_SignInit")
        var input = digest
        var signature = [UInt8](repeating: 0, count: 72)
        var length = CK_ULONG(signature.count)
        try check(f.C_Sign(handle, &input, CK_ULONG(input.count), &signature, &length), "C_Sign")
        return Array(signature.prefix(Int(length)))
    }

    /// CKM_EC_KEY_PAIR_GEN on the token: (public, private) handles.
    func generateKeyPair(
        publicTemplate: [PKCS11Attribute],
        privateTemplate: [PKCS11Attribute]
    ) throws(PKCS11Error) -> (CK_OBJECT_HANDLE, CK_OBJECT_HANDLE) {
        var mechanism = CK_MECHANISM(
            mechanism: CK_MECHANISM_TYPE(CKM_EC_KEY_PAIR_GEN), pParameter: nil, ulParameterLen: 0)
        var publicKey = CK_OBJECT_HANDLE(0), privateKey = CK_OBJECT_HANDLE(0)
        let f = self.f, handle = self.handle
        let rv = try withTemplate(publicTemplate) { (publicPointer, publicCount) throws(PKCS11Error) in
            try withTemplate(privateTemplate) { (privatePointer, privateCount) throws(PKCS11Error) in
                f.C_GenerateKeyPair(
                    handle, &mechanism, publicPointer, publicCount, privatePointer, privateCount,
                    &publicKey, &privateKey)
            }
        }
        if rv == CKR_USER_NOT_LOGGED_IN || rv == CKR_PIN_INCORRECT { try check(rv, "C_GenerateKeyPair") }
        guard rv == CKR_OK else { throw PKCS11Error(.cannotGenerate(rv)) }
        return (publicKey, privateKey)
    }
}
