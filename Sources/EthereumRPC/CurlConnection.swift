import CCurl
import Foundation

/// One libcurl easy handle: a keep-alive HTTP connection to one node, used by
/// one caller at a time (its owner serialises access on a dedicated queue).
final class CurlConnection {
    struct Response {
        let status: Int
        let body: [UInt8]
        let retryAfterSeconds: Double?
    }

    private let handle: UnsafeMutableRawPointer
    private let url: String
    /// A hostile node must not make us buffer without bound.
    static let maxResponseBytes = 64 << 20

    init(url: String, connectTimeout: Duration, requestTimeout: Duration) throws(RPCError) {
        CurlGlobal.initialiseOnce()
        guard let handle = curl_easy_init() else {
            throw RPCError(.transport, message: "libcurl could not create a handle")
        }
        self.handle = handle
        self.url = url
        caseattest_curl_setopt_string(handle, CURLOPT_URL, url)
        caseattest_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        caseattest_curl_setopt_long(handle, CURLOPT_TCP_NODELAY, 1)
        caseattest_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        caseattest_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(connectTimeout))
        caseattest_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(requestTimeout))
        caseattest_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        // Only http(s): a node URL must not reach file:// or other schemes.
        caseattest_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        caseattest_curl_setopt_write_callback(handle, curlWriteCallback)
    }

    deinit { curl_easy_cleanup(handle) }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }

    /// POSTs a JSON body and returns the status and body. Blocking: call it on
    /// the connection's own queue, never on the cooperative pool.
    func post(_ body: [UInt8]) throws(RPCError) -> Response {
        let sink = ResponseSink()
        let sinkPointer = Unmanaged.passRetained(sink).toOpaque()
        defer { Unmanaged<ResponseSink>.fromOpaque(sinkPointer).release() }

        var headers: UnsafeMutablePointer<curl_slist>? = nil
        headers = curl_slist_append(headers, "Content-Type: application/json")
        headers = curl_slist_append(headers, "Accept: application/json")
        headers = curl_slist_append(headers, "Expect:")  // no 100-continue round trip
        defer { curl_slist_free_all(headers) }

        let code: CURLcode = body.withUnsafeBufferPointer { buffer in
            caseattest_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headers)
            caseattest_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, buffer.count)
            caseattest_curl_setopt_pointer(
                handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: buffer.baseAddress))
            caseattest_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer)
            let code = curl_easy_perform(handle)
            caseattest_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, nil)
            return code
        }
        if sink.overflowed {
            throw RPCError(.malformedResponse, message: "response from node exceeds \(Self.maxResponseBytes) bytes")
        }
        guard code == CURLE_OK else {
            let reason = String(cString: curl_easy_strerror(code))
            throw RPCError(.transport, message: "\(Self.redacted(url)): \(reason)")
        }
        var status = 0
        caseattest_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var retryAfter: Int = -1
        caseattest_curl_getinfo_long(handle, CURLINFO_RETRY_AFTER, &retryAfter)
        return Response(status: status, body: sink.bytes, retryAfterSeconds: retryAfter > 0 ? Double(retryAfter) : nil)
    }

    /// A node URL may carry an API key in its path or user info: show only
    /// scheme, host and port in messages.
    static func redacted(_ url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host else { return "<node>" }
        let port = components.port.map { ":\($0)" } ?? ""
        return "\(components.scheme ?? "http")://\(host)\(port)"
    }
}

private final class ResponseSink {
    var bytes: [UInt8] = []
    var overflowed = false
}

private let curlWriteCallback: caseattest_curl_write_callback = { pointer, size, count, userdata in
    guard let pointer, let userdata else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(userdata).takeUnretainedValue()
    let total = size * count
    guard sink.bytes.count + total <= CurlConnection.maxResponseBytes else {
        sink.overflowed = true
        return 0  // tells libcurl to abort the transfer
    }
    pointer.withMemoryRebound(to: UInt8.self, capacity: total) { bytes in
        sink.bytes.append(contentsOf: UnsafeBufferPointer(start: bytes, count: total))
    }
    return total
}

/// curl_global_init is not thread-safe: run it exactly once, before any handle.
enum CurlGlobal {
    private static let initialised: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
    }()

    static func initialiseOnce() { _ = initialised }
}
