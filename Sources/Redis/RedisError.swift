/// A Redis failure. Descriptions come from hiredis's socket errors or the
/// server's error replies, never from the command's arguments or the URL,
/// so neither a password nor a key ever shows up in a log.
public struct RedisError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// The URL is not a `redis://host[:port][/db]` URL.
        case badURL
        /// No connection: refused, timed out, or reset.
        case unavailable
        /// The server answered with an error reply.
        case server
        /// The reply was not of the expected shape.
        case protocolError
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "redis \(kind.rawValue): \(message)" }
}
