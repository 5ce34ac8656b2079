import CHiredis
import Foundation

/// One blocking hiredis connection (Debian 12 ships hiredis 0.14: RESP2). Not thread-safe: `RedisClient` uses it
/// from its own serial queue only. Every socket call is bounded by `timeout`,
/// so a hung server costs at most that long per call.
final class RedisConnection {
    private let context: UnsafeMutablePointer<redisContext>

    init(url: RedisURL, timeout: Duration) throws(RedisError) {
        let tv = Self.makeTimeval(timeout)
        guard let context = redisConnectWithTimeout(url.host, Int32(url.port), tv) else {
            throw RedisError(.unavailable, "cannot allocate a connection")
        }
        // Checked before `self` owns the context: from then on deinit frees it.
        if context.pointee.err != 0 {
            let message = Self.errorString(context)
            redisFree(context)
            throw RedisError(.unavailable, message)
        }
        self.context = context
        // The connect timeout does not cover reads and writes; this does.
        _ = redisSetTimeout(context, tv)
        if let password = url.password {
            let auth = url.user.map { ["AUTH", $0, password] } ?? ["AUTH", password]
            _ = try command(auth)
        }
        if url.database != 0 {
            _ = try command(["SELECT", String(url.database)])
        }
    }

    deinit { redisFree(context) }

    /// True once the socket failed; the connection must then be replaced.
    var isBroken: Bool { context.pointee.err != 0 }

    func command(_ arguments: [String]) throws(RedisError) -> RedisValue {
        let bytes = arguments.map { Array($0.utf8) }
        let lengths = bytes.map(\.count)
        // hiredis copies the arguments into its output buffer before returning.
        let reply: UnsafeMutableRawPointer? = Self.withCStrings(bytes) { pointers in
            redisCommandArgv(context, Int32(bytes.count), pointers, lengths)
        }
        guard let reply else {
            throw RedisError(.unavailable, Self.errorString(context))
        }
        defer { freeReplyObject(reply) }
        return try Self.decode(reply.assumingMemoryBound(to: redisReply.self))
    }

    private static func decode(_ reply: UnsafeMutablePointer<redisReply>) throws(RedisError) -> RedisValue {
        let node = reply.pointee
        switch Int32(node.type) {
        case REDIS_REPLY_STRING:
            return .string(text(node))
        case REDIS_REPLY_STATUS:
            return .status(text(node))
        case REDIS_REPLY_ERROR:
            throw RedisError(.server, String(text(node).prefix(200)))
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(node.integer))
        case REDIS_REPLY_NIL:
            return .null
        case REDIS_REPLY_ARRAY:
            var items: [RedisValue] = []
            for index in 0..<Int(node.elements) {
                guard let element = node.element[index] else {
                    throw RedisError(.protocolError, "an array reply has a hole")
                }
                items.append(try decode(element))
            }
            return .array(items)
        default:
            throw RedisError(.protocolError, "unexpected reply type \(node.type)")
        }
    }

    private static func text(_ node: redisReply) -> String {
        guard let str = node.str else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: str, count: Int(node.len)), as: UTF8.self)
    }

    private static func errorString(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return bytes.isEmpty ? "connection failed" : String(decoding: bytes, as: UTF8.self)
        }
    }

    private static func makeTimeval(_ duration: Duration) -> timeval {
        let (seconds, attoseconds) = duration.components
        return timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }

    private static func withCStrings<R>(
        _ arguments: [[UInt8]],
        _ body: (UnsafeMutablePointer<UnsafePointer<CChar>?>) -> R
    ) -> R {
        // Copies with a trailing NUL each; hiredis reads `lengths` bytes only.
        let copies = arguments.map { bytes -> UnsafeMutablePointer<CChar> in
            let copy = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
            bytes.withUnsafeBufferPointer { source in
                source.withMemoryRebound(to: CChar.self) { copy.update(from: $0.baseAddress!, count: bytes.count) }
            }
            copy[bytes.count] = 0
            return copy
        }
        defer { copies.forEach { $0.deallocate() } }
        var pointers: [UnsafePointer<CChar>?] = copies.map { UnsafePointer($0) }
        return pointers.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }
}
