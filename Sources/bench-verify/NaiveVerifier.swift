import Attestation
import AttestationService
import Ethereum
import EthereumRPC
import Foundation
import Postgres
import Registry

/// The naive design the issue compares against: the same bulk row reads and
/// local hashing, then one `eth_call` (registry.verifyContentHash) per case,
/// each waiting for the previous answer. Prints naive_seconds and counts.
struct NaiveVerifier {
    let databaseURL: String
    let contract: Address
    let keyFile: String

    func run() async throws {
        let start = ContinuousClock.now
        let pseudonymKey = try PseudonymKey(contentsOfFile: keyFile)
        let database = try PostgresPool(url: databaseURL, maxConnections: 1, limits: .none, logger: logger)
        let (rows, snapshots) = try await database.withConnection {
            connection -> ([(Int64, String, [UInt8], String, String, String?)], [Int64: CaseSnapshot]) in
            let rows = try connection.query(
                """
                SELECT a.case_id, a.content_hash, a.salt, a.proof::text AS proof, b.root, a.schema_version
                FROM attestation a JOIN attestation_batch b ON b.id = a.batch_id ORDER BY a.case_id
                """
            ).rows.map { row in
                (
                    try row.decode(Int64.self, "case_id"), try row.decode(String.self, "content_hash"),
                    try row.decode([UInt8].self, "salt"), try row.decode(String.self, "proof"),
                    try row.decode(String.self, "root"), try row.decode(String?.self, "schema_version")
                )
            }
            return (rows, try CaseRows.load(ids: rows.map(\.0), on: connection))
        }
        await database.close()

        let eth = EthereumClient(
            rpc: try JSONRPCClient(configuration: .init(urls: [environment("CASEATTEST_RPC_URL")]), logger: logger))
        var verified = 0, failed = 0
        for (caseID, contentHashText, saltBytes, proofText, rootText, schemaText) in rows {
            guard let snapshot = snapshots[caseID] else { failed += 1; continue }
            // Each row in the schema it was committed as (the daemon commits v2).
            let schema = CaseDocument.Schema(stored: schemaText) ?? .v1
            let hash = try snapshot.document(
                pseudonymKey: pseudonymKey, salt: try Salt(bytes: saltBytes), schema: schema
            )
            .contentHash()
            let proof = try (JSONSerialization.jsonObject(with: Data(proofText.utf8)) as? [String] ?? []).map {
                try ContentHash(hex: $0).bytes
            }
            guard hash.hex == contentHashText else { failed += 1; continue }
            let data = try ABI.encodeCall(
                "verifyContentHash(bytes32,bytes32,bytes32[])",
                [
                    .fixedBytes(try ContentHash(hex: rootText).bytes), .fixedBytes(hash.bytes),
                    .array(proof.map { .fixedBytes($0) }),
                ])
            let answer = try await eth.call(CallRequest(to: contract, data: data))
            if try RegistryCalls.decodeBool(answer) { verified += 1 } else { failed += 1 }
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("naive_cases=\(rows.count)")
        print("naive_verified=\(verified)")
        print("naive_failed=\(failed)")
        print("naive_seconds=\(String(format: "%.3f", seconds))")
    }
}
