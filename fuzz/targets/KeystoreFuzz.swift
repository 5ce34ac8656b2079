@testable import Ethereum

// Keystore files: any bytes parse to a KeystoreFile or fail with a
// KeystoreError. Decryption runs only when the file's KDF is cheap, so the
// fuzzer spends its time in the parser and not in scrypt.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKeystore(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = fuzzBytes(data, size)
    _ = try? Keystore.declaredAddress(json: input)
    guard let file = try? KeystoreFile(json: .init(input)) else { return 0 }
    let cheap: Bool
    switch file.kdf {
    case .scrypt(let n, let r, let p): cheap = n <= 16 && r <= 8 && p <= 1
    case .pbkdf2(let iterations): cheap = iterations <= 16
    }
    if cheap { _ = try? Keystore.decrypt(json: input, password: Array("fuzz".utf8)) }
    return 0
}
