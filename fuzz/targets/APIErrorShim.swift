// The one piece of AttestationAPI's APIError that AttestationRequestBody.swift
// uses. The real APIError carries Hummingbird's HTTP types; the fuzz build
// leaves Hummingbird out, so this stand-in records the code only.
struct APIError: Error {
    let code: String
    let message: String

    static func invalidBody(_ message: String) -> APIError {
        APIError(code: "invalid_body", message: message)
    }
}
