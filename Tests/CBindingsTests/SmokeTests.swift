import CCurl
import CHiredis
import CLibPQ
import COpenSSL
import CSecp256k1
import Testing

// One call into each real system library, to prove the module maps link.
struct SmokeTests {
    @Test func libpqReportsItsVersion() {
        #expect(PQlibVersion() >= 150000)
    }

    @Test func libcurlReportsItsVersion() {
        let version = String(cString: curl_version())
        #expect(version.hasPrefix("libcurl/"))
    }

    @Test func libcurlTypedSetoptWrappersAccept() {
        let handle = curl_easy_init()
        defer { curl_easy_cleanup(handle) }
        #expect(caseattest_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, 1000) == CURLE_OK)
        #expect(caseattest_curl_setopt_string(handle, CURLOPT_URL, "http://127.0.0.1:1/") == CURLE_OK)
    }

    @Test func secp256k1CreatesAContextAndAPublicKey() {
        let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE))!
        defer { secp256k1_context_destroy(context) }
        var secret = [UInt8](repeating: 0, count: 32)
        secret[31] = 1
        var publicKey = secp256k1_pubkey()
        #expect(secp256k1_ec_pubkey_create(context, &publicKey, secret) == 1)
    }

    @Test func opensslSha256OfAbc() {
        var digest = [UInt8](repeating: 0, count: 32)
        _ = SHA256(Array("abc".utf8), 3, &digest)
        let hex = digest.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        #expect(hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func hiredisFormatsACommand() {
        var target: UnsafeMutablePointer<CChar>?
        let length = "PING".withCString { argument in
            var argv: [UnsafePointer<CChar>?] = [argument]
            return redisFormatCommandArgv(&target, 1, &argv, [4])
        }
        defer { redisFreeCommand(target) }
        #expect(length == 14)
        #expect(String(cString: target!) == "*1\r\n$4\r\nPING\r\n")
    }
}
