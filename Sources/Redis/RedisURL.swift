import Foundation

/// `redis://[[user]:password@]host[:port][/db]`, parsed once so the password
/// is held apart from what may be logged (`redacted`).
public struct RedisURL: Sendable, Equatable {
    public static let defaultPort = 6379

    public let host: String
    public let port: Int
    public let user: String?
    let password: String?
    public let database: Int

    public init(_ text: String) throws(RedisError) {
        // The error never repeats the URL: it may hold a password.
        guard text.hasPrefix("redis://"), let components = URLComponents(string: text),
            let host = components.host, !host.isEmpty
        else {
            throw RedisError(.badURL, "the Redis URL must look like redis://[:password@]host[:port][/db]")
        }
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard path.isEmpty || Int(path) != nil, (components.port ?? Self.defaultPort) > 0 else {
            throw RedisError(.badURL, "the Redis URL's port and database must be numbers")
        }
        self.host = host
        port = components.port ?? Self.defaultPort
        let user = components.user.flatMap { $0.isEmpty ? nil : $0 }
        self.user = user
        password = components.password.flatMap { $0.isEmpty ? nil : $0 }
        database = Int(path) ?? 0
    }

    /// host:port/db, safe to log.
    public var redacted: String {
        "redis://\(password == nil ? "" : "***@")\(host):\(port)/\(database)"
    }
}
