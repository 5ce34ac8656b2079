import Hummingbird

/// Authentication, role check and rate limit, in that order, for one
/// endpoint: 401 without a known token, 403 for a token of the wrong role,
/// 429 once the caller's window for this endpoint is used up.
struct AccessGuard: Sendable {
    let tokens: TokenStore
    let limits: RateLimits
    let store: any RateLimitStore

    func admit(_ request: Request, to endpoint: APIEndpoint) async throws(APIError) -> Caller {
        guard let allowed = endpoint.allowedRoles else {
            return Caller(id: "anonymous", roles: [])
        }
        guard let header = request.headers[.authorization] else {
            throw .unauthorized("this endpoint needs `Authorization: Bearer <token>`")
        }
        guard let token = TokenStore.bearerToken(fromAuthorization: header), let caller = tokens.caller(token: token)
        else {
            throw .unauthorized("the bearer token is not valid")
        }
        guard !caller.roles.isDisjoint(with: allowed) else {
            let names = allowed.map(\.rawValue).sorted().joined(separator: " or ")
            throw APIError(.forbidden, .forbidden, "this endpoint needs the \(names) role")
        }
        let key = RateLimiter.key(caller: caller.id, endpoint: endpoint)
        try Self.check(await store.admit(key: key, limit: limits.limit(for: endpoint)), what: endpoint.rawValue)
        return caller
    }

    /// The counsellor's own window, once the body has named them.
    func admit(counsellor counsellorID: Int64) async throws(APIError) {
        let decision = await store.admit(key: RateLimiter.counsellorKey(counsellorID), limit: limits.perCounsellor)
        try Self.check(decision, what: "\(APIEndpoint.requestAttestation.rawValue) for counsellor \(counsellorID)")
    }

    /// The token's receipt quota (`receipts_per_token_per_hour`), counted
    /// apart from the endpoint's rate limit.
    func admitReceipt(for caller: Caller) async throws(APIError) {
        let decision = await store.admit(
            key: RateLimiter.receiptQuotaKey(caller: caller.id),
            limit: limits.receiptsPerToken, windowSeconds: RateLimits.receiptWindowSeconds)
        try Self.check(decision, what: "receipts per token per hour")
    }

    private static func check(_ decision: RateLimiter.Decision, what: String) throws(APIError) {
        guard case .limited(let seconds) = decision else { return }
        throw APIError(
            .tooManyRequests, .rateLimited, "rate limit for \(what) reached; retry in \(seconds) s",
            headers: [.retryAfter: String(seconds)])
    }
}
