import Attestation
import Foundation
import Hummingbird
import HummingbirdTesting
import Postgres
import Testing

@testable import AttestationAPI

/// The attestation routes against a real, migrated PostgreSQL database.
@Suite struct AttestationRouteTests {
    static func post(
        _ client: some TestClientProtocol, _ tokens: TestTokens, caseID: String, counsellor: Int,
        _ check: @escaping (TestResponse) throws -> Void
    ) async throws {
        try await client.execute(
            uri: "/v1/cases/\(caseID)/attestations", method: .post,
            headers: tokens.jsonHeaders(tokens.backend),
            body: TestSupport.body(#"{"counsellorId": \#(counsellor)}"#)
        ) { try check($0) }
    }

    @Test func requestIsAcceptedThenIdempotent() async throws {
        try await TestDatabase.withSeededDatabase { pool in
            let tokens = TestTokens()
            let app = TestSupport.application(try TestSupport.dependencies(pool: pool, tokens: tokens))
            try await app.test(.router) { client in
                var firstID: Int?
                try await Self.post(client, tokens, caseID: "10", counsellor: 1) { response in
                    #expect(response.status == .accepted)
                    #expect(response.headers[.location] == "/v1/cases/10/attestations")
                    let body = TestSupport.json(response)
                    #expect(body["status"] as? String == "requested")
                    #expect(body["version"] as? Int == 1)
                    #expect(body["caseId"] as? Int == 10)
                    #expect(body["contentHash"] is NSNull)
                    firstID = body["id"] as? Int
                }
                try await Self.post(client, tokens, caseID: "10", counsellor: 1) { response in
                    #expect(response.status == .ok)
                    #expect(TestSupport.json(response)["id"] as? Int == firstID)
                }
            }
            let rows = try await pool.query(
                "SELECT count(*) AS n, min(requested_by) AS by FROM attestation WHERE case_id = 10")
            #expect(try rows.rows[0].decode(Int64.self, "n") == 1)
            #expect(try rows.rows[0].decode(String.self, "by") == "api")
        }
    }

    @Test func refusalsMapToStatuses() async throws {
        try await TestDatabase.withSeededDatabase { pool in
            let tokens = TestTokens()
            let app = TestSupport.application(try TestSupport.dependencies(pool: pool, tokens: tokens))
            try await app.test(.router) { client in
                try await Self.post(client, tokens, caseID: "10", counsellor: 2) {
                    #expect($0.status == .forbidden)
                    #expect(TestSupport.errorCode($0) == "counsellor_mismatch")
                }
                try await Self.post(client, tokens, caseID: "12", counsellor: 1) {
                    #expect($0.status == .conflict)
                    #expect(TestSupport.errorCode($0) == "case_not_resolved")
                }
                try await Self.post(client, tokens, caseID: "9223372036854775807", counsellor: 1) {
                    #expect($0.status == .notFound)
                    #expect(TestSupport.errorCode($0) == "case_not_found")
                }
                // A counsellor id with no user behind it is a mismatch, not a crash.
                try await Self.post(client, tokens, caseID: "11", counsellor: 999_999) {
                    #expect($0.status == .forbidden)
                }
            }
            let rows = try await pool.query("SELECT count(*) AS n FROM attestation")
            #expect(try rows.rows[0].decode(Int64.self, "n") == 0)
        }
    }

    @Test func listShowsEveryVersionToBothRoles() async throws {
        try await TestDatabase.withSeededDatabase { pool in
            let tokens = TestTokens()
            let app = TestSupport.application(try TestSupport.dependencies(pool: pool, tokens: tokens))
            // Version 1 confirmed on chain, as the daemon leaves it; the case then changes.
            try await pool.withConnection { connection in
                try connection.simpleExecute(
                    """
                    INSERT INTO attestation (case_id, counsellor_id, version, status, content_hash, tx_hash, \
                    block_number,
                        block_hash, confirmations, attested_at, chain_id, contract_address, requested_by)
                    VALUES (11, 2, 1, 'confirmed', '0x\(String(repeating: "1", count: 64))', \
                    '0x\(String(repeating: "2", count: 64))',
                        42, '0x\(String(repeating: "3", count: 64))', 12, '2026-02-05T10:00:00Z', 1337,
                        '0x\(String(repeating: "4", count: 40))', 'sweep');
                    INSERT INTO attestation (case_id, counsellor_id, version, status, requested_by)
                    VALUES (11, 2, 2, 'requested', 'api');
                    """)
            }
            try await app.test(.router) { client in
                for token in [tokens.backend, tokens.auditor] {
                    try await client.execute(
                        uri: "/v1/cases/11/attestations", method: .get, headers: tokens.headers(token)
                    ) { response in
                        #expect(response.status == .ok)
                        let body = TestSupport.json(response)
                        #expect(body["caseId"] as? Int == 11)
                        let list = body["attestations"] as? [[String: Any]] ?? []
                        #expect(list.map { $0["version"] as? Int } == [1, 2])
                        #expect(list.first?["status"] as? String == "confirmed")
                        #expect(list.first?["txHash"] as? String == "0x" + String(repeating: "2", count: 64))
                        #expect(list.first?["blockNumber"] as? Int == 42)
                        #expect(list.first?["confirmations"] as? Int == 12)
                        #expect(list.first?["attestedAt"] as? String == "2026-02-05T10:00:00.000Z")
                        #expect(list.last?["txHash"] is NSNull)
                        // The dev chain's profile names no explorer: the link is null, never guessed.
                        #expect(list.first?["explorerTxUrl"] is NSNull && list.last?["explorerTxUrl"] is NSNull)
                        // Salt and attested document are never exposed.
                        #expect(list.first?["salt"] == nil && list.first?["attestedDocument"] == nil)
                    }
                }
            }
            // A profile naming an explorer for the chain: the anchoring transaction's page, null before one.
            var profiles = ChainProfiles.builtIn
            profiles.add([
                ChainProfile(
                    chainID: 1337, name: "campus", finality: .blocks(2), feeModel: .auto, minimumTipWei: 0,
                    blockTime: 1, explorerTransaction: "https://explorer.campus.example/tx/{tx}")
            ])
            let linked = TestSupport.application(
                try TestSupport.dependencies(pool: pool, tokens: tokens, chainProfiles: profiles))
            try await linked.test(.router) { client in
                try await client.execute(
                    uri: "/v1/cases/11/attestations", method: .get, headers: tokens.headers(tokens.backend)
                ) { response in
                    let list = TestSupport.json(response)["attestations"] as? [[String: Any]] ?? []
                    let url = "https://explorer.campus.example/tx/0x" + String(repeating: "2", count: 64)
                    #expect(list.first?["explorerTxUrl"] as? String == url)
                    #expect(list.last?["explorerTxUrl"] is NSNull)
                }
            }
            try await app.test(.router) { client in
                try await client.execute(
                    uri: "/v1/cases/13/attestations", method: .get, headers: tokens.headers(tokens.auditor)
                ) { response in
                    #expect(response.status == .ok)
                    #expect((TestSupport.json(response)["attestations"] as? [Any])?.isEmpty == true)
                }
                try await client.execute(
                    uri: "/v1/cases/404/attestations", method: .get, headers: tokens.headers(tokens.auditor)
                ) { response in
                    #expect(response.status == .notFound)
                    #expect(TestSupport.errorCode(response) == "case_not_found")
                }
            }
        }
    }

    @Test func readinessStandardProbeAgainstTheDatabase() async throws {
        try await TestDatabase.withSeededDatabase { pool in
            let probe = ReadinessProbe(checks: [.init(name: "database") { _ = try await pool.query("SELECT 1") }])
            let results = await probe.evaluate(logger: TestSupport.quietLogger)
            #expect(results.map(\.failure) == [nil])
        }
    }
}
