import Foundation
import Hummingbird

/// A request the API refuses, as the client sees it: a status, a stable
/// machine-readable code and a human message, sent as
/// `{"error": {"code": "...", "message": "..."}}`. Messages never carry
/// tokens, keys or personal data.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let unauthorized = Code("unauthorized")
        public static let forbidden = Code("forbidden")
        public static let counsellorMismatch = Code("counsellor_mismatch")
        public static let notFound = Code("not_found")
        public static let caseNotFound = Code("case_not_found")
        public static let attestationNotFound = Code("attestation_not_found")
        public static let caseNotResolved = Code("case_not_resolved")
        public static let methodNotAllowed = Code("method_not_allowed")
        public static let invalidParameter = Code("invalid_parameter")
        public static let invalidBody = Code("invalid_body")
        public static let unsupportedMediaType = Code("unsupported_media_type")
        public static let payloadTooLarge = Code("payload_too_large")
        public static let rateLimited = Code("rate_limited")
        public static let unavailable = Code("unavailable")
        public static let internalError = Code("internal")
        public static let badRequest = Code("bad_request")
    }

    public let status: HTTPResponse.Status
    public let code: Code
    public let message: String
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ code: Code, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    /// The JSON body, built by hand: the message is the only free text and is
    /// escaped by JSONSerialization's string rules via `JSONEncoder`.
    func response() -> Response {
        struct Envelope: Encodable {
            struct Body: Encodable { let code: String; let message: String }
            let error: Body
        }
        let bytes =
            (try? JSONEncoder().encode(Envelope(error: .init(code: code.rawValue, message: message))))
            ?? Data(#"{"error":{"code":"internal","message":"error encoding failed"}}"#.utf8)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

extension APIError {
    static func unauthorized(_ message: String) -> APIError {
        APIError(.unauthorized, .unauthorized, message, headers: [.wwwAuthenticate: #"Bearer realm="caseattest""#])
    }

    static func invalidParameter(_ message: String) -> APIError {
        APIError(.badRequest, .invalidParameter, message)
    }

    static func invalidBody(_ message: String) -> APIError {
        APIError(.badRequest, .invalidBody, message)
    }
}
