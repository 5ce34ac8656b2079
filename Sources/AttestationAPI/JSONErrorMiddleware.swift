import Hummingbird
import Logging

/// Turns every error into the API's JSON error body with the right status:
/// our own `APIError`s as they are, Hummingbird's (404 for unknown paths, 413
/// for big bodies) mapped to our codes, anything else a logged 500 whose
/// message reveals nothing internal.
struct JSONErrorMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let logger: Logger

    func handle(
        _ request: Request, context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response()
        } catch let error as any HTTPResponseError {
            if error.status == .notFound, let allowed = APIRoutes.allowedMethods(forPath: Substring(request.uri.path)) {
                let allow = allowed.joined(separator: ", ")
                return APIError(
                    .methodNotAllowed, .methodNotAllowed, "\(request.method) is not allowed here; use \(allow)",
                    headers: [.allow: allow]
                ).response()
            }
            return Self.translate(error).response()
        } catch {
            logger.error(
                "request failed",
                metadata: [
                    "route": "\(context.endpointPath ?? "NotFound")", "method": "\(request.method)",
                    "error": "\(error)",
                ])
            return APIError(.internalServerError, .internalError, "internal error; the server log has the details")
                .response()
        }
    }

    static func translate(_ error: any HTTPResponseError) -> APIError {
        switch error.status {
        case .notFound: APIError(.notFound, .notFound, "no such resource")
        case .contentTooLarge:
            APIError(
                .contentTooLarge, .payloadTooLarge,
                "request bodies are limited to \(APIConfiguration.defaultMaxBodyBytes) bytes")
        case .unsupportedMediaType: APIError(.unsupportedMediaType, .unsupportedMediaType, "unsupported media type")
        case .methodNotAllowed: APIError(.methodNotAllowed, .methodNotAllowed, "method not allowed")
        case let status where status.code >= 400 && status.code < 500:
            APIError(status, .badRequest, status.reasonPhrase)
        case let status:
            APIError(status, .internalError, status.reasonPhrase)
        }
    }
}
