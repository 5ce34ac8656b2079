import Foundation

// The API's request body (`POST /v1/cases/{caseId}/attestations`), decoded by
// the real AttestationRequestBody.swift compiled into this target: any bytes
// give a body with a positive counsellor id or an invalidBody error.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAPIBody(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = fuzzBytes(data, size)
    do {
        let body = try AttestationRequestBody.decode(Data(input))
        invariant(body.counsellorID > 0, "accepted a non-positive counsellor id")
    } catch {
        invariant(error.code == "invalid_body", "unexpected error code \(error.code)")
    }
    return 0
}
