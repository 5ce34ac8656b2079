import Foundation

/// Where the signer's key lives: the module (.so), the token label, the key
/// label (CKA_LABEL of both halves) and the file holding the user PIN.
public struct PKCS11Configuration: Sendable, Equatable {
    public var modulePath: String
    public var tokenLabel: String
    public var keyLabel: String
    public var pinFile: String

    public init(modulePath: String, tokenLabel: String, keyLabel: String, pinFile: String) {
        self.modulePath = modulePath
        self.tokenLabel = tokenLabel
        self.keyLabel = keyLabel
        self.pinFile = pinFile
    }

    /// The PIN bytes without a trailing newline; the caller wipes them.
    func readPIN() throws(PKCS11Error) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: pinFile) else {
            throw PKCS11Error(.pinFileUnreadable(pinFile))
        }
        var pin = Array(data)
        while let last = pin.last, last == 0x0A || last == 0x0D { pin.removeLast() }
        return pin
    }

    /// Opens a session on the token and logs in; the PIN is wiped before return.
    func loggedInSession(readWrite: Bool = false) throws(PKCS11Error) -> PKCS11Session {
        let module = try PKCS11Module.load(path: modulePath)
        let session = try PKCS11Session(
            module: module, slot: try module.slot(tokenLabel: tokenLabel), readWrite: readWrite)
        var pin = try readPIN()
        defer { for i in pin.indices { pin[i] = 0 } }
        try session.login(pin: pin)
        return session
    }
}
