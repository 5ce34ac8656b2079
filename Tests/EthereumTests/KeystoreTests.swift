import COpenSSL
import Foundation
import Testing

@testable import Ethereum

struct KeystoreTests {
    static func vectors() throws -> [String: [String: Any]] {
        try #require(try Vectors.json("keystore/basic_tests.json") as? [String: [String: Any]])
    }

    static func file(_ testCase: [String: Any]) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: try #require(testCase["json"])))
    }

    @Test(
        .enabled(if: Vectors.available, "shared vectors not found"),
        arguments: ["test1", "python_generated_test_with_odd_iv", "evilnonce", "mycrypto"])
    func decryptsVector(name: String) throws {
        let testCase = try #require(try Self.vectors()[name])
        let password = Array(try #require(testCase["password"] as? String).utf8)
        let key = try Keystore.decrypt(json: try Self.file(testCase), password: password)
        let expected = try PrivateKey(hex: try #require(testCase["priv"] as? String))
        #expect(key.address == expected.address)
        #expect(key.withSecretBytes { Array($0) } == expected.withSecretBytes { Array($0) })
    }

    /// test2 is scrypt with r = 1 and n = 262144. OpenSSL's scrypt (following
    /// RFC 7914) requires n < 2^(16·r) = 65536 for r = 1, so this vector
    /// cannot be decrypted with OpenSSL: we expect the clear
    /// `.unsupportedParameters` error naming the limit, not a wrong-password
    /// error and not a crash. (pbkdf2 and the r = 8 scrypt vector decrypt above.)
    @Test(.enabled(if: Vectors.available, "shared vectors not found"))
    func scryptR1VectorFailsWithTheOpenSSLLimitError() throws {
        let testCase = try #require(try Self.vectors()["test2"])
        let password = Array(try #require(testCase["password"] as? String).utf8)
        let json = try Self.file(testCase)
        do throws(KeystoreError) {
            _ = try Keystore.decrypt(json: json, password: password)
            Issue.record("expected OpenSSL's scrypt limit to refuse n = 262144, r = 1")
        } catch {
            #expect(error.code == .unsupportedParameters)
            #expect(error.description.contains("n < 2^(16*r)"))
            #expect(!error.description.contains("testpassword"))
        }
    }

    /// The limit is OpenSSL's own, not ours: called directly, it refuses
    /// n = 2^16 with r = 1 even with ample memory, and accepts n = 2^15.
    @Test func opensslItselfRefusesNAtTwoToTheSixteenRForROne() {
        var out = [UInt8](repeating: 0, count: 32)
        let pass: [CChar] = Array("pw".utf8CString.dropLast())
        let salt = [UInt8](repeating: 7, count: 32)
        #expect(EVP_PBE_scrypt(pass, pass.count, salt, salt.count, 1 << 16, 1, 1, 1 << 30, &out, 32) == 0)
        ERR_clear_error()
        #expect(EVP_PBE_scrypt(pass, pass.count, salt, salt.count, 1 << 15, 1, 1, 1 << 30, &out, 32) == 1)
    }

    @Test(.enabled(if: Vectors.available, "shared vectors not found"))
    func wrongPasswordIsReportedWithoutThePassword() throws {
        let testCase = try #require(try Self.vectors()["mycrypto"])
        let json = try Self.file(testCase)
        do throws(KeystoreError) {
            _ = try Keystore.decrypt(json: json, password: Array("not-the-password".utf8))
            Issue.record("wrong password accepted")
        } catch {
            #expect(error.code == .wrongPassword)
            #expect(!error.description.contains("not-the-password"))
        }
    }

    @Test(arguments: [KeystoreKDF.light, .pbkdf2(iterations: 1000)])
    func encryptThenDecrypt(kdf: KeystoreKDF) throws {
        let key = try PrivateKey.generate()
        let password = Array("correct horse battery staple".utf8)
        let json = try Keystore.encrypt(key: key, password: password, kdf: kdf)
        let text = String(decoding: json, as: UTF8.self)
        #expect(!text.contains(Hex.encode(key.withSecretBytes { Array($0) })))
        #expect(!text.contains("correct horse"))
        #expect(try Keystore.declaredAddress(json: json) == key.address)
        #expect(try Keystore.decrypt(json: json, password: password).address == key.address)
        #expect(throws: KeystoreError.self) { try Keystore.decrypt(json: json, password: Array("wrong".utf8)) }
    }

    @Test(arguments: [
        "", "[]", "{\"version\": 3}", "{\"version\": 2, \"crypto\": {}}",
        #"{"version":3,"crypto":{"cipher":"aes-128-cbc"}}"#,
        #"{"version":3,"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"00"},"ciphertext":"00","mac":"00","#
            + #""kdf":"scrypt","kdfparams":{}}}"#,
    ])
    func rejectsMalformedFiles(json: String) {
        #expect(throws: KeystoreError.self) { try Keystore.decrypt(json: Array(json.utf8), password: []) }
    }

    @Test(arguments: [
        KeystoreKDF.scrypt(n: 1000, r: 8, p: 1),  // not a power of two
        .scrypt(n: 1 << 30, r: 8, p: 1),  // 1 TiB of memory
        .scrypt(n: 1 << 16, r: 1, p: 1),  // OpenSSL's n < 2^(16r)
        .scrypt(n: 1024, r: 0, p: 1),
        .pbkdf2(iterations: 0),
    ])
    func refusesParametersBeforeDoingWork(kdf: KeystoreKDF) {
        #expect(throws: KeystoreError.self) { try kdf.validate() }
    }
}
