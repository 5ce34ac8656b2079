import Foundation
import Logging

/// A JSON-RPC 2.0 client over libcurl: keep-alive connections, timeouts,
/// retries with exponential backoff and jitter, failover across node URLs,
/// batches, and answers validated before anyone trusts them.
public final class JSONRPCClient: Sendable {
    public struct Request: Sendable {
        public var method: String
        public var params: [JSON]
        public init(_ method: String, _ params: [JSON] = []) {
            self.method = method
            self.params = params
        }
    }

    private let pools: [ConnectionPool]
    private let configuration: RPCConfiguration
    private let logger: Logger
    private let nextID = Counter()
    private let preferred = Counter()
    /// Called with (method, error) for every failed attempt: the daemon counts them.
    private let onError: (@Sendable (String, RPCError) -> Void)?

    public init(
        configuration: RPCConfiguration, logger: Logger,
        onError: (@Sendable (String, RPCError) -> Void)? = nil
    ) throws(RPCError) {
        guard !configuration.urls.isEmpty else {
            throw RPCError(.transport, message: "no JSON-RPC URL configured")
        }
        for url in configuration.urls {
            guard let scheme = URLComponents(string: url)?.scheme?.lowercased(), scheme == "http" || scheme == "https"
            else {
                throw RPCError(.transport, message: "not an http(s) JSON-RPC URL: \(CurlConnection.redacted(url))")
            }
        }
        self.configuration = configuration
        self.pools = configuration.urls.map { ConnectionPool(url: $0, configuration: configuration) }
        self.logger = logger
        self.onError = onError
    }

    /// One call; node errors are thrown as `.node` with the node's code and message.
    public func call(_ method: String, _ params: [JSON] = []) async throws(RPCError) -> JSON {
        let id = nextID.increment()
        let body = try encode(
            JSON.object(["jsonrpc": "2.0", "id": .integer(id), "method": .string(method), "params": .array(params)]))
        let reply = try await send(body, label: method) { json throws(RPCError) in
            try Self.validateSingle(json, id: id)
        }
        return try reply.get()
    }

    /// A batch in one HTTP request; each entry gets its own result, in order.
    public func batch(_ requests: [Request]) async throws(RPCError) -> [Result<JSON, RPCError>] {
        guard !requests.isEmpty else { return [] }
        let firstID = nextID.increment(by: Int64(requests.count))
        let ids = requests.indices.map { firstID + Int64($0) }
        let payload = JSON.array(
            zip(ids, requests).map { id, request in
                .object([
                    "jsonrpc": "2.0", "id": .integer(id), "method": .string(request.method),
                    "params": .array(request.params),
                ])
            })
        let body = try encode(payload)
        let label = "batch(\(requests.count))"
        return try await send(body, label: label) { json throws(RPCError) in
            try Self.validateBatch(json, ids: ids)
        }
    }

    // MARK: - Sending, retrying, failing over

    private func send<T>(
        _ body: [UInt8], label: String,
        validate: (JSON) throws(RPCError) -> T
    ) async throws(RPCError) -> T {
        var lastError = RPCError(.transport, message: "no attempt made")
        let start = preferred.value
        for attempt in 0..<max(1, configuration.maxAttempts) {
            let pool = pools[Int((start + Int64(attempt)) % Int64(pools.count))]
            do throws(RPCError) {
                let response = try await pool.post(body)
                try Self.checkHTTP(response)
                let json: JSON
                do {
                    json = try JSONDecoder().decode(JSON.self, from: Data(response.body))
                } catch {
                    throw RPCError(.malformedResponse, message: "node answered with invalid JSON")
                }
                return try validate(json)
            } catch {
                lastError = error
                onError?(label, error)
                guard error.isRetryable else { throw error }
                // Prefer the next node from now on; the failing one is tried again later.
                if pools.count > 1 { preferred.set(start + Int64(attempt) + 1) }
                guard attempt + 1 < configuration.maxAttempts else { break }
                let delay = backoff(attempt: attempt, retryAfter: error.retryAfterSeconds)
                logger.warning(
                    "JSON-RPC attempt failed; retrying",
                    metadata: [
                        "method": "\(label)", "attempt": "\(attempt + 1)", "error": "\(error)",
                        "delay_ms":
                            "\(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)",
                    ])
                do { try await Task.sleep(for: delay) } catch { throw RPCError(.transport, message: "cancelled") }
            }
        }
        throw lastError
    }

    /// Exponential backoff with full jitter, capped; a node's Retry-After wins when longer.
    private func backoff(attempt: Int, retryAfter: Double?) -> Duration {
        let base = configuration.initialBackoff * (1 << min(attempt, 16))
        let cap = min(base, configuration.maxBackoff)
        let jittered = cap * Double.random(in: 0.5...1.0)
        if let retryAfter, retryAfter > 0 { return max(jittered, .milliseconds(Int64(min(retryAfter, 60) * 1000))) }
        return jittered
    }

    private func encode(_ json: JSON) throws(RPCError) -> [UInt8] {
        do {
            return Array(try JSONEncoder().encode(json))
        } catch {
            throw RPCError(.malformedResponse, message: "could not encode request")
        }
    }

    // MARK: - Validation

    static func checkHTTP(_ response: CurlConnection.Response) throws(RPCError) {
        switch response.status {
        case 200..<300: return
        case 429:
            throw RPCError(
                .http, message: "HTTP 429 Too Many Requests", httpStatus: 429,
                retryAfterSeconds: response.retryAfterSeconds)
        default:
            throw RPCError(
                .http, message: "HTTP \(response.status)", httpStatus: response.status,
                retryAfterSeconds: response.retryAfterSeconds)
        }
    }

    static func validateSingle(_ json: JSON, id: Int64) throws(RPCError) -> Result<JSON, RPCError> {
        guard case .object(let object) = json else {
            throw RPCError(.malformedResponse, message: "response is not a JSON-RPC object")
        }
        guard object["id"] == .integer(id) else {
            throw RPCError(.malformedResponse, message: "response id does not match the request")
        }
        return try outcome(of: object)
    }

    static func validateBatch(_ json: JSON, ids: [Int64]) throws(RPCError) -> [Result<JSON, RPCError>] {
        guard case .array(let items) = json else {
            // A node may answer a whole batch with one error object.
            if case .object(let object) = json, object["error"] != nil {
                _ = try outcome(of: object).get()
            }
            throw RPCError(.malformedResponse, message: "batch response is not an array")
        }
        var byID: [Int64: Result<JSON, RPCError>] = [:]
        for item in items {
            guard case .object(let object) = item, case .integer(let id)? = object["id"] else {
                throw RPCError(.malformedResponse, message: "batch response item without a numeric id")
            }
            guard byID[id] == nil else {
                throw RPCError(.malformedResponse, message: "batch response repeats id \(id)")
            }
            byID[id] = try outcome(of: object)
        }
        return try ids.map { id throws(RPCError) in
            guard let result = byID[id] else {
                throw RPCError(.malformedResponse, message: "batch response lacks id \(id)")
            }
            return result
        }
    }

    /// A JSON-RPC response object: exactly one of `result` and `error`.
    private static func outcome(of object: [String: JSON]) throws(RPCError) -> Result<JSON, RPCError> {
        if let error = object["error"], error != .null {
            guard case .object(let fields) = error, case .integer(let code)? = fields["code"] else {
                throw RPCError(.malformedResponse, message: "JSON-RPC error without a numeric code")
            }
            let message = fields["message"]?.stringValue ?? ""
            let rpcError = RPCError(
                .node, message: String(message.prefix(500)), nodeCode: Int(clamping: code),
                data: fields["data"]?.stringValue)
            // Rate limits arrive as JSON-RPC errors too; they are worth a retry.
            if rpcError.isRateLimit { throw rpcError }
            return .failure(rpcError)
        }
        guard let result = object["result"] else {
            throw RPCError(.malformedResponse, message: "JSON-RPC response without result or error")
        }
        return .success(result)
    }
}

/// A lock-protected counter (ids and the preferred node).
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Int64 = 0

    var value: Int64 { lock.withLock { current } }

    func increment(by step: Int64 = 1) -> Int64 {
        lock.withLock {
            current &+= step
            return current - step + 1
        }
    }

    func set(_ value: Int64) { lock.withLock { current = value } }
}
