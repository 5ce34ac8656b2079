import Attestation
import Ethereum

/// Something the chain knows that the database no longer agrees with.
public struct ReconciliationFinding: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        /// A batch anchored with N leaves has fewer than N attestation rows
        /// (erased rows keep a tombstone and still count).
        case deleted
        /// A root anchored by one of our attesters that no batch in the database has.
        case unknownAnchor = "unknown-anchor"
        /// The database's batch and the chain disagree on the leaf count.
        case leafCountMismatch = "leaf-count-mismatch"
    }

    public let kind: Kind
    public let anchor: ChainAnchor
    public let batchID: Int64?
    public let databaseLeafCount: Int?
    public let rowsFound: Int?
    /// Leaf positions of the anchored batch with no row (for `deleted`).
    public let missingLeafIndexes: [Int]
    public let reason: String

    public var json: JSONValue {
        func optional(_ number: Int?) -> JSONValue { number.map { .number(Double($0)) } ?? .null }
        return .object([
            ("finding", .string(kind.rawValue)),
            ("reason", .string(reason)),
            ("root", .string(Hex.encodePrefixed(anchor.root))),
            ("attester", .string(anchor.attester.lowercased)),
            ("block_number", .number(Double(anchor.blockNumber))),
            ("tx_hash", anchor.transactionHash.map { .string(Hex.encodePrefixed($0)) } ?? .null),
            ("chain_leaf_count", .number(Double(anchor.leafCount))),
            ("batch_id", batchID.map { .number(Double($0)) } ?? .null),
            ("database_leaf_count", optional(databaseLeafCount)),
            ("rows_found", optional(rowsFound)),
            ("missing_leaf_indexes", .array(missingLeafIndexes.map { .number(Double($0)) })),
        ])
    }
}

/// Chain-to-database reconciliation: every Anchored log of the registry
/// since its deployment, held against the database's batches.
public struct ReconciliationReport: Sendable {
    public let registry: Address
    public let chainID: UInt64
    public let deploymentBlock: UInt64
    public let scannedTo: UInt64
    /// Our attesters: configured, recorded in attestation_signer, or the
    /// sender of an anchor whose root a batch of ours has.
    public let attesters: [Address]
    public let anchors: Int
    /// Filler leaves in our anchored batches: counted as filler, not as missing rows.
    public let fillerLeaves: Int
    public let findings: [ReconciliationFinding]
    /// Anchored by another attester of a shared registry: not a finding.
    public let foreignAnchors: [ChainAnchor]
    /// Erased attestations (`forget`) in anchored batches of ours: each still
    /// counts as the leaf it was, so erasure is never a `deleted` finding.
    public let tombstones: Int
    public let logRequests: Int
    public let logRefusals: Int

    public var hasFindings: Bool { !findings.isEmpty }

    public func count(_ kind: ReconciliationFinding.Kind) -> Int { findings.count { $0.kind == kind } }

    public var summaryJSON: JSONValue {
        var members: [(key: String, value: JSONValue)] = [("findings", .number(Double(findings.count)))]
        for kind in ReconciliationFinding.Kind.allCases {
            members.append((kind.rawValue, .number(Double(count(kind)))))
        }
        members.append(("anchors", .number(Double(anchors))))
        members.append(("filler_leaves", .number(Double(fillerLeaves))))
        members.append(("foreign_anchors", .number(Double(foreignAnchors.count))))
        members.append(("erased_tombstones", .number(Double(tombstones))))
        return .object(members)
    }

    public var json: JSONValue {
        .object([
            ("registry", .string(registry.lowercased)),
            ("chain_id", .number(Double(chainID))),
            ("deployment_block", .number(Double(deploymentBlock))),
            ("scanned_to", .number(Double(scannedTo))),
            ("attesters", .array(attesters.map { .string($0.lowercased) })),
            ("log_requests", .number(Double(logRequests))),
            ("log_refusals", .number(Double(logRefusals))),
            ("summary", summaryJSON),
            ("findings", .array(findings.map(\.json))),
            (
                "foreign_anchors",
                .array(
                    foreignAnchors.map { anchor in
                        .object([
                            ("root", .string(Hex.encodePrefixed(anchor.root))),
                            ("attester", .string(anchor.attester.lowercased)),
                            ("block_number", .number(Double(anchor.blockNumber))),
                            ("leaf_count", .number(Double(anchor.leafCount))),
                        ])
                    })
            ),
        ])
    }

    /// The human form: one line per finding, then the counts.
    public var text: String {
        var lines: [String] = []
        for finding in findings {
            lines.append("FINDING \(finding.kind.rawValue): \(finding.reason)")
        }
        for anchor in foreignAnchors {
            lines.append(
                "other attester \(anchor.attester.lowercased) anchored \(Hex.encodePrefixed(anchor.root)) "
                    + "(\(anchor.leafCount) leaves, block \(anchor.blockNumber)): not ours, not a finding")
        }
        let parts = ReconciliationFinding.Kind.allCases.compactMap { kind -> String? in
            count(kind) == 0 ? nil : "\(count(kind)) \(kind.rawValue)"
        }
        lines.append(
            "reconciliation: \(anchors) anchors in blocks \(deploymentBlock)-\(scannedTo), "
                + "\(findings.count) findings" + (parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")")
                + ", \(fillerLeaves) filler leaves"
                + ", \(foreignAnchors.count) by other attesters, \(tombstones) erased attestations counted")
        return lines.joined(separator: "\n") + "\n"
    }
}
