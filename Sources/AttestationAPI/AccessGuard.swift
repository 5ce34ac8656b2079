import Hummingbird

/// Authentication, role check and rate limit, in that order, for one
/// endpoint: 401 without a known token, 403 for a token of the wrong role,
/// 429 once the caller's window for this endpoint is used up.
struct AccessGuard: Sendable {
    let tokens: TokenStore
    let limiter: RateLimiter

    func admit(_ request: Request, to endpoint: APIEndpoint) throws(APIError) -> Caller {
        guard let allowed = endpoint.allowedRoles else {
            return Caller(id: "anonymous", roles: [])
        }
        guard let header = request.headers[.authorization] else {
            throw .unauthorized("this endpoint needs `Authorization: Bearer <token>`")
        }
        guard let token = TokenStore.bearerToken(fromAuthorization: header), let caller = tokens.caller(token: token) else {
            throw .unauthorized("the bearer token is not valid")
        }
        guard !caller.roles.isDisjoint(with: allowed) else {
            let names = allowed.map(\.rawValue).sorted().joined(separator: " or ")
            throw APIError(.forbidden, .forbidden, "this endpoint needs the \(names) role")
        }
        switch limiter.admit(caller: caller.id, endpoint: endpoint) {
        case .allowed:
            return caller
        case .limited(let seconds):
            throw APIError(.tooManyRequests, .rateLimited,
                           "rate limit for \(endpoint.rawValue) reached; retry in \(seconds) s",
                           headers: [.retryAfter: String(seconds)])
        }
    }
}
