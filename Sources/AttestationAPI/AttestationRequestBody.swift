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
        if let counsellorID = plainCounsellorID(bytes) { return AttestationRequestBody(counsellorID: counsellorID) }
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

    private init(counsellorID: Int64) {
        self.counsellorID = counsellorID
    }

    /// The id of the body every backend sends, `{"counsellorId": N}` with N
    /// of 1 to 18 digits and only JSON whitespace around, read without
    /// JSONDecoder (a tenth of a POST's server CPU); nil for anything else,
    /// which the decoder then accepts or refuses as always.
    static func plainCounsellorID(_ bytes: Data) -> Int64? {
        var position = bytes.startIndex
        func skipSpace() {
            while position < bytes.endIndex, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
        }
        func take(_ expected: StaticString) -> Bool {
            skipSpace()
            let count = expected.utf8CodeUnitCount
            guard bytes.endIndex - position >= count else { return false }
            for offset in 0..<count where bytes[position + offset] != expected.utf8Start[offset] { return false }
            position += count
            return true
        }
        guard take("{"), take("\"counsellorId\""), take(":") else { return nil }
        skipSpace()
        let start = position
        var value: Int64 = 0
        while position < bytes.endIndex, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
            if position - start == 18 { return nil }  // a 19th digit may overflow: the decoder judges it
            value = value * 10 + Int64(bytes[position] - UInt8(ascii: "0"))
            position += 1
        }
        guard position > start, bytes[start] != UInt8(ascii: "0"), take("}") else { return nil }
        skipSpace()
        return position == bytes.endIndex ? value : nil
    }

    /// Client text echoed in an error is kept short.
    private static func clipped(_ text: String) -> String {
        text.count <= 64 ? text : String(text.prefix(64)) + "..."
    }
}
