/// Where the API listens and how much it lets each caller do.
public struct APIConfiguration: Sendable {
    public static let defaultHost = "127.0.0.1"
    public static let defaultPort = 8080
    /// Request bodies are one small JSON object; anything bigger is refused.
    public static let defaultMaxBodyBytes = 16 * 1024

    /// The API's own PostgreSQL pool when `--api-db-connections` is not
    /// given: four connections a core, at least 4 and at most 32. A request
    /// holds its connection for a whole round trip (its query on a blocked
    /// pool thread while PostgreSQL runs it), so with one connection a core
    /// the cores idle between queries: on 2 cores, 4 connections did ~1,460
    /// POST/s and 8 ~2,070 (docs/performance.md). The cap leaves PostgreSQL's
    /// connections (100 by default) to the daemon and other replicas.
    public static func defaultDatabaseConnections(cores: Int) -> Int {
        min(32, max(4, 4 * cores))
    }

    public var host: String
    public var port: Int
    public var rateLimits: RateLimits
    public var serverName: String?

    public init(
        host: String = defaultHost, port: Int = defaultPort, rateLimits: RateLimits = .defaults,
        serverName: String? = nil
    ) {
        self.host = host
        self.port = port
        self.rateLimits = rateLimits
        self.serverName = serverName
    }
}

/// Requests allowed per caller and endpoint in each fixed 60-second window.
public struct RateLimits: Sendable, Equatable {
    public static let windowSeconds: Int64 = 60

    /// The override name of `perCounsellor`.
    public static let perCounsellorName = "request_attestation_per_counsellor"
    /// The override name of `receiptsPerToken`.
    public static let receiptsPerTokenName = "receipts_per_token_per_hour"
    /// The receipt quota's window: an hour, so the quota bounds how many
    /// cases one token can link to their anchors in a day, not just in a burst.
    public static let receiptWindowSeconds: Int64 = 3600

    public var perWindow: [APIEndpoint: Int]
    /// Attestation requests per counsellor, whichever token sends them: a
    /// backend bug looping on one counsellor's cases stops here first.
    public var perCounsellor: Int
    /// Receipts one token may fetch per hour, apart from the receipt
    /// endpoint's per-minute rate limit. Each receipt carries a salt that
    /// links a case to its anchor, so the default is low: an auditor samples.
    public var receiptsPerToken: Int

    public init(perWindow: [APIEndpoint: Int], perCounsellor: Int = 120, receiptsPerToken: Int = 20) {
        self.perWindow = perWindow
        self.perCounsellor = perCounsellor
        self.receiptsPerToken = receiptsPerToken
    }

    /// Generous for one backend process, tight enough to stop a runaway loop.
    public static let defaults = RateLimits(perWindow: [
        .requestAttestation: 600,
        .listAttestations: 1200,
        .verification: 120,
        .receipt: 600,
    ])

    public func limit(for endpoint: APIEndpoint) -> Int {
        perWindow[endpoint] ?? 60
    }

    /// Applies overrides written as `endpoint=count[,endpoint=count...]`
    /// (e.g. `request_attestation=100000`), as given on the command line or
    /// in CASEATTEST_API_RATE_LIMITS.
    public func overriding(with text: String) throws(APIConfigurationError) -> RateLimits {
        var result = self
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", omittingEmptySubsequences: false)
            let name = parts.first.map { String($0).trimmingWhitespace() } ?? ""
            if parts.count == 2, name == Self.perCounsellorName || name == Self.receiptsPerTokenName {
                guard let count = Int(String(parts[1]).trimmingWhitespace()), count > 0 else {
                    throw APIConfigurationError("rate limit \"\(item)\": COUNT must be a positive integer")
                }
                if name == Self.perCounsellorName {
                    result.perCounsellor = count
                } else {
                    result.receiptsPerToken = count
                }
                continue
            }
            guard parts.count == 2, let endpoint = APIEndpoint(rawValue: name) else {
                let known = (APIEndpoint.limited.map(\.rawValue) + [Self.perCounsellorName, Self.receiptsPerTokenName])
                    .joined(separator: ", ")
                throw APIConfigurationError(
                    "rate limit \"\(item)\": expected ENDPOINT=COUNT with ENDPOINT one of \(known)")
            }
            guard endpoint.isRateLimited, let count = Int(String(parts[1]).trimmingWhitespace()), count > 0 else {
                throw APIConfigurationError("rate limit \"\(item)\": COUNT must be a positive integer")
            }
            result.perWindow[endpoint] = count
        }
        return result
    }
}

public struct APIConfigurationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension String {
    func trimmingWhitespace() -> String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        while let last = view.last, last.isWhitespace { view.removeLast() }
        return String(view)
    }
}
