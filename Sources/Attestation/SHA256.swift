import COpenSSL

/// SHA-256 through OpenSSL's libcrypto: the content hash of canonical documents.
public enum SHA256Digest {
    public static func hash<D: Collection>(_ data: D) -> [UInt8] where D.Element == UInt8 {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        let done: Void? = data.withContiguousStorageIfAvailable { buffer in
            _ = COpenSSL.SHA256(buffer.baseAddress, buffer.count, &digest)
        }
        if done == nil {
            let copy = Array(data)
            _ = COpenSSL.SHA256(copy, copy.count, &digest)
        }
        return digest
    }
}
