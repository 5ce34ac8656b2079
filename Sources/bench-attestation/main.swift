// Benchmark: case documents built from rows, canonicalised (RFC 8785) and
// SHA-256 hashed, on one core. Writes the canonical documents and their
// hashes to a file so bench/canonical_peer.py can time Python on the very
// same documents and check it gets the same hashes.
//
// usage: bench-attestation [--count N] [--repeat R] [--write PATH]
import Attestation
import Ethereum

#if canImport(Glibc)
import Glibc
#endif

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func printError(_ message: String) {
    let bytes = Array((message + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

struct Arguments {
    var count = 100_000
    var repeats = 5
    var writePath: String?
    /// Run only the named measurement (for profiling): direct, jsonvalue, prebuilt.
    var only: String?

    init() {
        var iterator = CommandLine.arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--count": count = iterator.next().flatMap(Int.init) ?? count
            case "--repeat": repeats = iterator.next().flatMap(Int.init) ?? repeats
            case "--write": writePath = iterator.next()
            case "--only": only = iterator.next()
            default:
                printError("usage: bench-attestation [--count N] [--repeat R] [--write PATH] [--only NAME]")
                exit(2)
            }
        }
    }
}

/// Synthetic but realistic rows: ids, statuses, 0-5 appointments, nulls,
/// timestamps around 2026 in microseconds.
func syntheticInputs(count: Int) throws -> [CaseDocumentV1] {
    var rng = SplitMix64(state: 20_260_301)
    let key = try PseudonymKey(bytes: Array("bench-pseudonym-key-not-secret".utf8))
    let statuses = ["resolved", "closed", "resolved_referred"]
    let appointmentStatuses = ["completed", "cancelled", "no_show", "scheduled"]
    let locations = ["online", "in_person", "phone"]
    let base: Int64 = 1_767_225_600_000_000  // 2026-01-01T00:00:00Z
    var inputs: [CaseDocumentV1] = []
    inputs.reserveCapacity(count)
    for index in 0..<count {
        let created = base + Int64.random(in: 0..<31_536_000_000_000, using: &rng)
        let resolved: Timestamp? =
            Int.random(in: 0..<10, using: &rng) == 0
            ? nil
            : Timestamp(microsecondsSinceEpoch: created + Int64.random(in: 0..<5_000_000_000_000, using: &rng))
        let userID = Int64.random(in: 1...2_000_000, using: &rng)
        let record = CaseRecord(
            id: Int64(index + 1), userID: userID,
            counsellorID: Bool.random(using: &rng) ? Int64.random(in: 1...5000, using: &rng) : nil,
            status: statuses.randomElement(using: &rng)!,
            riskLevelAtCreation: Int.random(in: 0..<5, using: &rng) == 0 ? nil : Int64.random(in: 0...4, using: &rng),
            createdAt: Timestamp(microsecondsSinceEpoch: created), resolvedAt: resolved)
        let appointments = (0..<Int.random(in: 0...5, using: &rng)).map { _ in
            AppointmentRecord(
                id: Int64.random(in: 1...10_000_000, using: &rng),
                scheduledAt: Int.random(in: 0..<8, using: &rng) == 0
                    ? nil
                    : Timestamp(microsecondsSinceEpoch: created + Int64.random(in: 0..<3_000_000_000_000, using: &rng)),
                status: Int.random(in: 0..<10, using: &rng) == 0
                    ? nil : appointmentStatuses.randomElement(using: &rng)!,
                locationType: Int.random(in: 0..<4, using: &rng) == 0 ? nil : locations.randomElement(using: &rng)!)
        }
        let salt = try Salt(bytes: (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) })
        inputs.append(
            CaseDocumentV1(
                record: record, appointments: appointments, userHash: key.userHash(for: userID),
                salt: salt))
    }
    return inputs
}

func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// Best (fastest) of `repeats` runs of `body`, in documents per second.
func bestRate(count: Int, repeats: Int, _ body: () throws -> UInt8) rethrows -> (rate: Double, check: UInt8) {
    var best = 0.0
    var check: UInt8 = 0
    for _ in 0..<repeats {
        let start = now()
        check ^= try body()
        let elapsed = now() - start
        best = max(best, Double(count) / elapsed)
    }
    return (best, check)
}

/// From rows, the hot path: `CaseDocumentV1.contentHash()` (direct
/// canonical writer into one exactly-sized buffer, then SHA-256).
func fromRowsDirect(_ inputs: [CaseDocumentV1], repeats: Int) throws -> (rate: Double, check: UInt8) {
    try bestRate(count: inputs.count, repeats: repeats) {
        var fold: UInt8 = 0
        for input in inputs { fold ^= try input.contentHash().bytes[0] }
        return fold
    }
}

/// From rows through the generic JSON value: `CaseDocument.v1`, then
/// `canonicalBytes()`, then SHA-256.
func fromRowsViaJSONValue(_ inputs: [CaseDocumentV1], repeats: Int) throws -> (rate: Double, check: UInt8) {
    try bestRate(count: inputs.count, repeats: repeats) {
        var fold: UInt8 = 0
        for input in inputs { fold ^= SHA256Digest.hash(try input.json().canonicalBytes())[0] }
        return fold
    }
}

/// The Python peer's work: prebuilt documents, canonicalise + hash.
func prebuilt(_ documents: [JSONValue], repeats: Int) -> (rate: Double, check: UInt8) {
    bestRate(count: documents.count, repeats: repeats) {
        var fold: UInt8 = 0
        for document in documents { fold ^= SHA256Digest.hash(document.canonicalBytes())[0] }
        return fold
    }
}

func appended(_ document: JSONValue) -> [UInt8] {
    var out: [UInt8] = []
    document.writeCanonical(into: &out)
    return out
}

let arguments = Arguments()
let inputs = try syntheticInputs(count: arguments.count)
let documents = try inputs.map { try $0.json() }
// Both paths must give the same bytes before any figure counts.
for (input, document) in zip(inputs, documents)
where try input.canonicalBytes() != document.canonicalBytes() || document.canonicalBytes() != appended(document) {
    printError("bench-attestation: direct writer and JSON value disagree for case \(input.record.id)")
    exit(1)
}
func wanted(_ name: String) -> Int { arguments.only == nil || arguments.only == name ? arguments.repeats : 0 }
let direct = try fromRowsDirect(inputs, repeats: wanted("direct"))
let generic = try fromRowsViaJSONValue(inputs, repeats: wanted("jsonvalue"))
let prebuiltRate = prebuilt(documents, repeats: wanted("prebuilt"))

var totalBytes = 0
for document in documents { totalBytes += document.canonicalBytes().count }

if let path = arguments.writePath {
    // One line per document: "<content hash hex> <canonical JSON>".
    guard let file = fopen(path, "wb") else {
        printError("bench-attestation: cannot write \(path)")
        exit(1)
    }
    for document in documents {
        let bytes = document.canonicalBytes()
        var line = Array(ContentHash(canonicalBytes: bytes).hex.utf8) + [UInt8(ascii: " ")] + bytes + [0x0A]
        fwrite(&line, 1, line.count, file)
    }
    fclose(file)
}

print("documents=\(inputs.count)")
print("average_canonical_bytes=\(totalBytes / max(documents.count, 1))")
print("swift_from_rows_docs_per_s=\(Int(direct.rate))")
print("swift_from_rows_jsonvalue_docs_per_s=\(Int(generic.rate))")
print("swift_prebuilt_docs_per_s=\(Int(prebuiltRate.rate))")
print("check=\(direct.check ^ generic.check ^ prebuiltRate.check)")
