import COpenSSL

/// AES-128-CTR through OpenSSL's EVP interface (encryption and decryption are the same operation).
enum AES128CTR {
    static func apply(key: [UInt8], iv: [UInt8], to input: [UInt8]) throws(KeystoreError) -> [UInt8] {
        guard key.count == 16, iv.count == 16 else {
            throw KeystoreError(.malformed, "aes-128-ctr needs a 16-byte key and a 16-byte iv")
        }
        guard let context = EVP_CIPHER_CTX_new() else { throw KeystoreError(.crypto, "EVP_CIPHER_CTX_new failed") }
        defer { EVP_CIPHER_CTX_free(context) }
        var out = [UInt8](repeating: 0, count: input.count + 16)
        var written: Int32 = 0
        var final: Int32 = 0
        let ok =
            EVP_EncryptInit_ex(context, EVP_aes_128_ctr(), nil, key, iv) == 1
            && EVP_EncryptUpdate(context, &out, &written, input, Int32(input.count)) == 1
            && out.withUnsafeMutableBufferPointer {
                EVP_EncryptFinal_ex(context, $0.baseAddress! + Int(written), &final) == 1
            }
        guard ok else {
            ERR_clear_error()
            throw KeystoreError(.crypto, "aes-128-ctr failed")
        }
        out.removeLast(out.count - Int(written + final))
        return out
    }
}
