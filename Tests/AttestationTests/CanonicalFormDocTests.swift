import Attestation
import Ethereum
import Foundation
import Testing

/// Recomputes the worked example of docs/canonical-form.md with our code,
/// reading the inputs and the stated results from the document itself.
struct CanonicalFormDocTests {
    static func exampleBlocks() throws -> [String: String] {
        let url = Vectors.repositoryRoot.appendingPathComponent("docs/canonical-form.md")
        let lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
        var blocks: [String: String] = [:]
        var index = 0
        while index < lines.count {
            let line = lines[index]
            index += 1
            guard line.hasPrefix("<!-- example:"), line.hasSuffix(" -->") else { continue }
            let name = String(line.dropFirst("<!-- example:".count).dropLast(" -->".count))
            while index < lines.count, !lines[index].hasPrefix("```") { index += 1 }
            index += 1
            var body: [String] = []
            while index < lines.count, !lines[index].hasPrefix("```") {
                body.append(lines[index])
                index += 1
            }
            blocks[name] = body.joined(separator: "\n")
        }
        return blocks
    }

    /// "2026-03-01 10:30:00+01:00" / "...16:05:30.25+00:00" as PostgreSQL
    /// shows a timestamptz: local time plus offset.
    static func timestamp(_ value: JSONValue?) throws -> Timestamp? {
        guard let text = value?.stringValue else { return nil }
        let local = String(text.prefix(19))
        var rest = text.dropFirst(19)
        var fraction = ""
        if rest.first == "." {
            rest = rest.dropFirst()
            fraction = String(rest.prefix { $0.isNumber })
            rest = rest.dropFirst(fraction.count)
        }
        let sign: Int64 = rest.first == "-" ? -1 : 1
        let offsetParts = rest.dropFirst().split(separator: ":").compactMap { Int64($0) }
        let offsetMinutes = (offsetParts.first ?? 0) * 60 + (offsetParts.dropFirst().first ?? 0)
        let padded = fraction + String(repeating: "0", count: 6 - fraction.count)
        let utcAsIfLocal = try Timestamp(rfc3339: local.replacingOccurrences(of: " ", with: "T") + "." + padded + "Z")
        return Timestamp(
            microsecondsSinceEpoch: utcAsIfLocal.microsecondsSinceEpoch - sign * offsetMinutes * 60_000_000)
    }

    static func integer(_ value: JSONValue?) -> Int64? {
        value?.numberValue.map { Int64($0) }
    }

    @Test func workedExampleMatchesOurImplementation() throws {
        let blocks = try Self.exampleBlocks()
        let rows = try JSONValue.parse(try #require(blocks["rows"]))
        let caseRow = try #require(rows["case"])
        let record = CaseRecord(
            id: try #require(Self.integer(caseRow["id"])),
            userID: try #require(Self.integer(caseRow["user_id"])),
            counsellorID: Self.integer(caseRow["counsellor_id"]),
            status: try #require(caseRow["status"]?.stringValue),
            riskLevelAtCreation: Self.integer(caseRow["risk_level_at_creation"]),
            createdAt: try #require(try Self.timestamp(caseRow["created_at"])),
            resolvedAt: try Self.timestamp(caseRow["resolved_at"]))
        guard case .array(let appointmentRows)? = rows["appointments"] else {
            Issue.record("rows lack appointments")
            return
        }
        let appointments = try appointmentRows.map { row in
            AppointmentRecord(
                id: try #require(Self.integer(row["id"])), scheduledAt: try Self.timestamp(row["scheduled_at"]),
                status: row["status"]?.stringValue, locationType: row["location_type"]?.stringValue)
        }
        let key = try PseudonymKey(bytes: Array(try #require(blocks["pseudonym-key"]).utf8) + [0x0A])
        let salt = try Salt(hex: try #require(blocks["salt"]))

        let userHash = key.userHash(for: record.userID)
        #expect(userHash == blocks["user-hash"])
        let document = try CaseDocument.v1(case: record, appointments: appointments, userHash: userHash, salt: salt)
        let canonical = document.canonicalBytes()
        #expect(String(decoding: canonical, as: UTF8.self) == blocks["canonical"])
        let contentHash = ContentHash(of: document)
        #expect(contentHash.hex == blocks["content-hash"])
        #expect(Hex.encodePrefixed(MerkleTree.leafHash(contentHash)) == blocks["leaf"])

        let batch = try (blocks["batch-content-hashes"] ?? "").split(separator: "\n").map {
            try ContentHash(hex: String($0))
        }
        #expect(batch.first == contentHash)
        let tree = try MerkleTree(contentHashes: batch)
        #expect(Hex.encodePrefixed(tree.root) == blocks["batch-root"])
        #expect(try String(tree.treeIndex(forValueAt: 0)) == blocks["batch-tree-index"])
        let proof = try tree.proof(forValueAt: 0)
        #expect(proof.map { Hex.encodePrefixed($0) }.joined(separator: "\n") == blocks["batch-proof"])
        #expect(MerkleTree.verify(leaf: MerkleTree.leafHash(contentHash), proof: proof, root: tree.root))
        // The stated byte count is right too.
        #expect(
            try #require(
                try String(
                    contentsOf: Vectors.repositoryRoot.appendingPathComponent("docs/canonical-form.md"), encoding: .utf8
                )
            )
            .contains("no trailing newline, \(canonical.count) bytes"))
    }
}

/// The v2 worked example (section 9): case-scoped `user_hash`.
struct CanonicalFormV2DocTests {
    @Test func workedExampleV2MatchesOurImplementation() throws {
        let blocks = try CanonicalFormDocTests.exampleBlocks()
        let rows = try JSONValue.parse(try #require(blocks["rows"]))
        let caseRow = try #require(rows["case"])
        let record = CaseRecord(
            id: try #require(CanonicalFormDocTests.integer(caseRow["id"])),
            userID: try #require(CanonicalFormDocTests.integer(caseRow["user_id"])),
            counsellorID: CanonicalFormDocTests.integer(caseRow["counsellor_id"]),
            status: try #require(caseRow["status"]?.stringValue),
            riskLevelAtCreation: CanonicalFormDocTests.integer(caseRow["risk_level_at_creation"]),
            createdAt: try #require(try CanonicalFormDocTests.timestamp(caseRow["created_at"])),
            resolvedAt: try CanonicalFormDocTests.timestamp(caseRow["resolved_at"]))
        guard case .array(let appointmentRows)? = rows["appointments"] else {
            Issue.record("rows lack appointments")
            return
        }
        let appointments = try appointmentRows.map { row in
            AppointmentRecord(
                id: try #require(CanonicalFormDocTests.integer(row["id"])),
                scheduledAt: try CanonicalFormDocTests.timestamp(row["scheduled_at"]),
                status: row["status"]?.stringValue, locationType: row["location_type"]?.stringValue)
        }
        let key = try PseudonymKey(bytes: Array(try #require(blocks["pseudonym-key"]).utf8))
        let salt = try Salt(hex: try #require(blocks["salt"]))

        let message = PseudonymKey.caseUserHashMessage(caseID: record.id, userID: record.userID)
        #expect(Hex.encode(message) == blocks["v2-user-hash-message"])
        let userHash = key.caseUserHash(caseID: record.id, userID: record.userID)
        #expect(userHash == blocks["v2-user-hash"])
        #expect(CaseDocument.Schema.v2.userHash(key: key, caseID: record.id, userID: record.userID) == userHash)
        #expect(key.caseUserHash(caseID: 1043, userID: record.userID) == blocks["v2-user-hash-case-1043"])
        // Apart from v1's value for the same student.
        #expect(userHash != key.userHash(for: record.userID))

        let input = CaseDocumentV1(
            record: record, appointments: appointments, userHash: userHash, salt: salt,
            schema: .v2)
        let canonical = try input.canonicalBytes()
        #expect(String(decoding: canonical, as: UTF8.self) == blocks["v2-canonical"])
        #expect(try input.json().canonicalBytes() == canonical, "the direct writer and the JSON value agree")
        let contentHash = ContentHash(canonicalBytes: canonical)
        #expect(contentHash.hex == blocks["v2-content-hash"])
        #expect(Hex.encodePrefixed(MerkleTree.leafHash(contentHash)) == blocks["v2-leaf"])
    }

    @Test func theMessageEncodingIsUnambiguousAndSigned() {
        // Fixed widths: (1, 256) and (256, 1) differ, and negative ids keep their sign.
        #expect(
            PseudonymKey.caseUserHashMessage(caseID: 1, userID: 256)
                != PseudonymKey.caseUserHashMessage(caseID: 256, userID: 1))
        #expect(PseudonymKey.caseUserHashMessage(caseID: 1, userID: 2).count == 53)
        let negative = PseudonymKey.caseUserHashMessage(caseID: -1, userID: 0)
        #expect(Array(negative[37..<45]) == Array(repeating: 0xFF, count: 8))
    }

    @Test func storedSchemaVersionsMapToTheirSchemas() {
        #expect(CaseDocument.Schema(stored: nil) == .v1)
        #expect(CaseDocument.Schema(stored: "aicare.case-attestation/v1") == .v1)
        #expect(CaseDocument.Schema(stored: "aicare.case-attestation/v2") == .v2)
        #expect(CaseDocument.Schema(stored: "aicare.case-attestation/v3") == nil)
        #expect(CaseDocument.Schema.current == .v2)
    }
}
