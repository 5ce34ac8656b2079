import Attestation
import AttestationService
import Foundation

/// One attestation version as the API shows it. Every field is always
/// present (null when not reached yet), so clients need no guesswork. Salt
/// and attested document stay private: they are for the verifier.
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
}

/// RFC 3339 UTC timestamps with milliseconds, as the API writes them.
enum Timestamps {
    static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
    }
}
