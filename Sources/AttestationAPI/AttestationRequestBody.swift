import Foundation

/// The body of `POST /v1/cases/{caseId}/attestations`: exactly
/// `{"counsellorId": N}` with N a positive 64-bit integer. Unknown members,
/// missing members, other types and fractions are all refused.
struct AttestationRequestBody: Decodable, Equatable {
    let counsellorID: Int64

    struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    static let counsellorKey = AnyKey(stringValue: "counsellorId")

    init(from decoder: any Decoder) throws {
        let members = try decoder.container(keyedBy: AnyKey.self)
        if let unknown = members.allKeys.first(where: { $0.stringValue != Self.counsellorKey.stringValue }) {
            throw APIError.invalidBody(
                "unknown member \"\(Self.clipped(unknown.stringValue))\"; the body is {\"counsellorId\": N}")
        }
        guard members.contains(Self.counsellorKey) else {
            throw APIError.invalidBody("counsellorId is required")
        }
        guard let value = try? members.decode(Int64.self, forKey: Self.counsellorKey), value > 0 else {
            throw APIError.invalidBody("counsellorId must be a positive integer below 2^63")
        }
        counsellorID = value
    }

    /// Strict decoding of a collected body; every failure is a 400.
    static func decode(_ bytes: Data) throws(APIError) -> AttestationRequestBody {
        do {
            return try JSONDecoder().decode(AttestationRequestBody.self, from: bytes)
        } catch let error as APIError {
            throw error
        } catch is DecodingError {
            throw .invalidBody("the body must be a JSON object {\"counsellorId\": N}")
        } catch {
            throw .invalidBody("the body is not valid JSON")
        }
    }

    /// Client text echoed in an error is kept short.
    private static func clipped(_ text: String) -> String {
        text.count <= 64 ? text : String(text.prefix(64)) + "..."
    }
}
