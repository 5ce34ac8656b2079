import Attestation
import AttestationService
import Foundation
import Postgres

/// One attestation version as the API shows it. Every field is always
/// present (null when not reached yet), so clients need no guesswork. Salt
/// and attested document stay private: they are for the verifier.
///
/// Answers are written by `write(to:)`; this `Encodable` form is the
/// reference it must match (AttestationJSONTests).
struct AttestationJSON: Encodable {
    let record: AttestationRecord
    /// The explorer page of its anchoring transaction; nil when there is no
    /// transaction yet or the chain's profile names no explorer.
    let explorerTxURL: String?

    init(record: AttestationRecord, profiles: ChainProfiles) {
        self.record = record
        let profile = record.chainID.flatMap { $0 >= 0 ? profiles[UInt64($0)] : nil }
        explorerTxURL = record.txHash.flatMap { profile?.transactionURL($0) }
    }

    enum Key: String, CodingKey {
        case id, caseId, version, status, counsellorId, schemaVersion, contentHash, batchId, leafIndex, chainId,
            contractAddress, txHash, explorerTxUrl, blockNumber, blockHash, confirmations, attestedAt, requestedAt,
            updatedAt, erased, erasedAt, legacy, lastError
    }

    func encode(to encoder: any Encoder) throws {
        var out = encoder.container(keyedBy: Key.self)
        try out.encode(record.id, forKey: .id)
        try out.encode(record.caseID, forKey: .caseId)
        try out.encode(record.version, forKey: .version)
        // The backend's old rows were never anchored: not `confirmed`, whatever 0002 left in the column.
        try out.encode(record.legacy ? "legacy" : record.status.rawValue, forKey: .status)
        try out.encode(record.counsellorID, forKey: .counsellorId)
        try out.encode(record.schemaVersion, forKey: .schemaVersion)
        try out.encode(record.contentHash, forKey: .contentHash)
        try out.encode(record.batchID, forKey: .batchId)
        try out.encode(record.leafIndex, forKey: .leafIndex)
        try out.encode(record.chainID, forKey: .chainId)
        try out.encode(record.contractAddress, forKey: .contractAddress)
        try out.encode(record.txHash, forKey: .txHash)
        try out.encode(explorerTxURL, forKey: .explorerTxUrl)
        try out.encode(record.blockNumber, forKey: .blockNumber)
        try out.encode(record.blockHash, forKey: .blockHash)
        try out.encode(record.confirmations, forKey: .confirmations)
        try out.encode(record.attestedAt.map(Timestamps.format), forKey: .attestedAt)
        try out.encode(Timestamps.format(record.requestedAt), forKey: .requestedAt)
        try out.encode(Timestamps.format(record.updatedAt), forKey: .updatedAt)
        try out.encode(record.erasedAt != nil, forKey: .erased)
        try out.encode(record.erasedAt.map(Timestamps.format), forKey: .erasedAt)
        try out.encode(record.legacy, forKey: .legacy)
        try out.encode(record.lastError, forKey: .lastError)
    }
}

/// `GET /v1/cases/{caseId}/attestations`: every version, oldest first.
struct AttestationListJSON: Encodable {
    let caseId: Int64
    let attestations: [AttestationJSON]

    /// The body `JSONEncoder` would write (sorted keys), written directly.
    func bytes() -> [UInt8] {
        var out = JSONBodyWriter(capacity: 64 + 900 * attestations.count)
        out.raw("{")
        out.key("attestations")
        out.raw("[")
        for (index, attestation) in attestations.enumerated() {
            if index > 0 { out.raw(",") }
            attestation.write(to: &out)
        }
        out.raw("],")
        out.key("caseId")
        out.integer(caseId)
        out.raw("}")
        return out.bytes
    }
}

extension AttestationJSON {
    /// The body `JSONEncoder` would write (sorted keys), written directly.
    func bytes() -> [UInt8] {
        var out = JSONBodyWriter()
        write(to: &out)
        return out.bytes
    }

    /// The members of `encode(to:)`, in the order `.sortedKeys` puts them.
    func write(to out: inout JSONBodyWriter) {
        out.raw("{")
        out.key("attestedAt")
        out.timestamp(record.attestedAt)
        out.raw(",")
        out.key("batchId")
        out.integer(record.batchID)
        out.raw(",")
        out.key("blockHash")
        out.string(record.blockHash)
        out.raw(",")
        out.key("blockNumber")
        out.integer(record.blockNumber)
        out.raw(",")
        out.key("caseId")
        out.integer(record.caseID)
        out.raw(",")
        out.key("chainId")
        out.integer(record.chainID)
        out.raw(",")
        out.key("confirmations")
        out.integer(record.confirmations)
        out.raw(",")
        out.key("contentHash")
        out.string(record.contentHash)
        out.raw(",")
        out.key("contractAddress")
        out.string(record.contractAddress)
        out.raw(",")
        out.key("counsellorId")
        out.integer(record.counsellorID)
        out.raw(",")
        out.key("erased")
        out.bool(record.erasedAt != nil)
        out.raw(",")
        out.key("erasedAt")
        out.timestamp(record.erasedAt)
        out.raw(",")
        out.key("explorerTxUrl")
        out.string(explorerTxURL)
        out.raw(",")
        out.key("id")
        out.integer(record.id)
        out.raw(",")
        out.key("lastError")
        out.string(record.lastError)
        out.raw(",")
        out.key("leafIndex")
        out.integer(record.leafIndex)
        out.raw(",")
        out.key("legacy")
        out.bool(record.legacy)
        out.raw(",")
        out.key("requestedAt")
        out.timestamp(record.requestedAt)
        out.raw(",")
        out.key("schemaVersion")
        out.string(record.schemaVersion)
        out.raw(",")
        out.key("status")
        out.string(record.legacy ? "legacy" : record.status.rawValue)
        out.raw(",")
        out.key("txHash")
        out.string(record.txHash)
        out.raw(",")
        out.key("updatedAt")
        out.timestamp(record.updatedAt)
        out.raw(",")
        out.key("version")
        out.integer(record.version)
        out.raw("}")
    }
}

/// RFC 3339 UTC timestamps with milliseconds, as the API writes them.
enum Timestamps {
    static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
    }

    /// Seconds since 1970 of 10000-01-01T00:00:00Z: the fast path covers the
    /// four-digit years from 1970 on, Foundation the rest.
    static let fastRangeEnd: Double = 253_402_300_800

    /// Appends `format(date)`'s bytes. Like Foundation's style, milliseconds
    /// are truncated from the floating-point seconds (a stored .168 may be
    /// written .167): the same bytes as before, checked by AttestationJSONTests.
    static func append(_ date: Date, to bytes: inout [UInt8]) {
        let seconds = date.timeIntervalSince1970
        guard seconds >= 0, seconds < fastRangeEnd else {
            bytes.append(contentsOf: format(date).utf8)
            return
        }
        let whole = seconds.rounded(.down)
        let milliseconds = Int64(((seconds - whole) * 1000).rounded(.down))
        let total = Int64(whole)
        let (year, month, day) = CivilCalendar.civil(fromDays: total / 86_400)
        let secondOfDay = total % 86_400
        digits(year, 4, &bytes)
        bytes.append(UInt8(ascii: "-"))
        digits(month, 2, &bytes)
        bytes.append(UInt8(ascii: "-"))
        digits(day, 2, &bytes)
        bytes.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2, &bytes)
        bytes.append(UInt8(ascii: ":"))
        digits(secondOfDay / 60 % 60, 2, &bytes)
        bytes.append(UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2, &bytes)
        bytes.append(UInt8(ascii: "."))
        digits(milliseconds, 3, &bytes)
        bytes.append(UInt8(ascii: "Z"))
    }

    private static func digits(_ value: Int64, _ width: Int, _ bytes: inout [UInt8]) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }
}
