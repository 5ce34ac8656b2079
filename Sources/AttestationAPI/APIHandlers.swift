import Attestation
import AttestationService
import Foundation
import Hummingbird
import Prometheus

/// The endpoint handlers. Each one is admitted by the access guard first
/// (401/403/429), then validates its input (400/413/415) before any query.
struct APIHandlers: Sendable {
    let dependencies: APIDependencies
    let access: AccessGuard

    func respond(to endpoint: APIEndpoint, request: Request, context: APIRequestContext) async throws -> Response {
        guard endpoint.isNeverCached else { return try await handle(endpoint, request: request, context: context) }
        // Receipts carry a salt and verdicts name a case: no cache along the
        // way (a proxy, the browser) may keep a copy, of an answer or a refusal.
        do {
            var response = try await handle(endpoint, request: request, context: context)
            response.headers[.cacheControl] = "no-store"
            return response
        } catch let error as APIError {
            var refusal = error
            refusal.headers[.cacheControl] = "no-store"
            throw refusal
        }
    }

    private func handle(
        _ endpoint: APIEndpoint, request: Request,
        context: APIRequestContext
    ) async throws -> Response {
        let caller = try await access.admit(request, to: endpoint)
        switch endpoint {
        case .requestAttestation: return try await requestAttestation(request, context)
        case .listAttestations: return try await listAttestations(context)
        case .verification: return try await verification(context)
        case .receipt: return try await receipt(context, caller: caller)
        case .health: return Self.json(.ok, Data(#"{"status":"ok"}"#.utf8))
        case .readiness: return await readiness()
        case .metrics: return metrics()
        case .openAPI: return Self.openAPI()
        case .verifyPage: return Self.verifyPage()
        }
    }

    // MARK: Attestations

    private func requestAttestation(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let caseID = try Self.identifier("caseId", in: context)
        let body = try await Self.jsonBody(of: request, limit: context.maxUploadSize)
        let parsed = try AttestationRequestBody.decode(body)
        try await access.admit(counsellor: parsed.counsellorID)
        let outcome = try await dependencies.intake.request(
            caseID: caseID, counsellorID: parsed.counsellorID, source: "api")
        let location: HTTPFields = [.location: "/v1/cases/\(caseID)/attestations"]
        switch outcome {
        case .created(let record):
            return Self.json(.accepted, view(record).bytes(), headers: location)
        case .existing(let record):
            return Self.json(.ok, view(record).bytes(), headers: location)
        case .erased(let record):
            // Erased on purpose: the API never re-requests it (only an
            // operator can, with `caseattest attest --after-erasure`).
            return Self.json(.ok, view(record).bytes(), headers: location)
        case .unknownCase:
            throw APIError(.notFound, .caseNotFound, "case \(caseID) does not exist")
        case .notResolved(let status):
            throw APIError(
                .conflict, .caseNotResolved,
                "case \(caseID) is \(status); only resolved or closed cases are attested")
        case .counsellorMismatch:
            throw APIError(
                .forbidden, .counsellorMismatch,
                "counsellor \(parsed.counsellorID) is not the counsellor of case \(caseID)")
        }
    }

    /// An attestation as the API shows it, with its explorer link.
    private func view(_ record: AttestationRecord) -> AttestationJSON {
        AttestationJSON(record: record, profiles: dependencies.chainProfiles)
    }

    private func listAttestations(_ context: APIRequestContext) async throws -> Response {
        let caseID = try Self.identifier("caseId", in: context)
        let records = try await dependencies.queries.attestations(caseID: caseID)
        if records.isEmpty, try await !dependencies.queries.caseExists(caseID) {
            throw APIError(.notFound, .caseNotFound, "case \(caseID) does not exist")
        }
        let attestations = records.map(view)
        return Self.json(.ok, AttestationListJSON(caseId: caseID, attestations: attestations).bytes())
    }

    // MARK: Verifier

    private func verification(_ context: APIRequestContext) async throws -> Response {
        let caseID = try Self.identifier("caseId", in: context)
        let verifier = try requireVerifier()
        guard let verdict = try await verifier.verification(caseID: caseID) else {
            throw APIError(.notFound, .caseNotFound, "case \(caseID) does not exist")
        }
        return Self.json(.ok, Data(verdict.canonicalBytes()))
    }

    private func receipt(_ context: APIRequestContext, caller: Caller) async throws -> Response {
        let id = try Self.identifier("attestationId", in: context)
        let verifier = try requireVerifier()
        try await access.admitReceipt(for: caller)
        guard let receipt = try await verifier.receipt(attestationID: id, issuedTo: .token(id: caller.id)) else {
            throw APIError(.notFound, .attestationNotFound, "attestation \(id) does not exist or is not confirmed yet")
        }
        return Self.json(.ok, Data(receipt.canonicalBytes()))
    }

    private func requireVerifier() throws(APIError) -> any VerificationService {
        guard let verifier = dependencies.verification else {
            throw APIError(.serviceUnavailable, .unavailable, "verification is not available in this server")
        }
        return verifier
    }

    // MARK: Operations

    private func readiness() async -> Response {
        let results = await dependencies.readiness.evaluate(logger: dependencies.logger)
        let ready = results.allSatisfy { $0.failure == nil || !$0.critical }
        let degraded = results.contains { $0.failure != nil }
        var checks: [String: [String: String]] = [:]
        for result in results {
            let failed = result.critical ? "failed" : "degraded"
            checks[result.name] = result.failure.map { ["status": failed, "reason": $0] } ?? ["status": "ok"]
        }
        struct Body: Encodable {
            let status: String
            let checks: [String: [String: String]]
        }
        let body = Body(status: !ready ? "not_ready" : degraded ? "degraded" : "ready", checks: checks)
        return (try? Self.json(ready ? .ok : .serviceUnavailable, body))
            ?? APIError(.serviceUnavailable, .unavailable, "not ready").response()
    }

    private func metrics() -> Response {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        dependencies.metricsRegistry.emit(into: &buffer)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
    }

    private static func openAPI() -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
    }

    /// The auditor's page. Its own CSP lets it call only the node the auditor
    /// types; the header repeats that, and forbids framing.
    static let verifyPageSecurityPolicy =
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
        + "connect-src http: https:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    private static func verifyPage() -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/html; charset=utf-8", .contentSecurityPolicy: verifyPageSecurityPolicy,
                .xContentTypeOptions: "nosniff", .cacheControl: "no-cache",
            ],
            body: .init(byteBuffer: ByteBuffer(string: VerifyPageDocument.html)))
    }

    // MARK: Input and output

    /// A path id: 1 to 19 ASCII digits, positive, within Int64.
    static func identifier(_ name: String, in context: APIRequestContext) throws(APIError) -> Int64 {
        let text = context.parameters.get(name) ?? ""
        guard !text.isEmpty, text.utf8.count <= 19,
            text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let value = Int64(text), value > 0
        else {
            throw .invalidParameter("\(name) must be a positive integer below 2^63")
        }
        return value
    }

    /// The body of a JSON request, refused early when the type is wrong or
    /// the declared length is over the limit.
    static func jsonBody(of request: Request, limit: Int) async throws -> Data {
        let contentType = request.headers[.contentType]
        // The exact header every backend sends skips the general parse.
        let mediaType =
            contentType == "application/json"
            ? contentType
            : contentType?
                .split(separator: ";", maxSplits: 1).first
                .map { String($0).trimmingWhitespace().lowercased() }
        guard mediaType == "application/json" else {
            throw APIError(
                .unsupportedMediaType, .unsupportedMediaType, "the body must be sent as Content-Type: application/json")
        }
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw APIError(.contentTooLarge, .payloadTooLarge, "request bodies are limited to \(limit) bytes")
        }
        let buffer = try await request.body.collect(upTo: limit)
        return Data(buffer.readableBytesView)
    }

    static func json(
        _ status: HTTPResponse.Status, _ value: some Encodable, headers: HTTPFields = [:]
    ) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return json(status, try encoder.encode(value), headers: headers)
    }

    /// A body written by `JSONBodyWriter`.
    static func json(_ status: HTTPResponse.Status, _ bytes: [UInt8], headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func json(_ status: HTTPResponse.Status, _ bytes: Data, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
