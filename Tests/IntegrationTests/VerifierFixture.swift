import Attestation
import Ethereum
import EthereumRPC
import Foundation
import Logging
import Postgres
import Registry
import Testing

@testable import AttestationService

/// A world for verifier tests: a fresh database with the migrations applied,
/// a funded key, a registry deployed by it, a pseudonym key file, and helpers
/// that write attested cases exactly as the daemon's schema contract says.
struct VerifierWorld: Sendable {
    let serverURL: String
    let databaseURL: String
    let databaseName: String
    let rpcURL: String
    let database: PostgresPool
    let eth: EthereumClient
    let key: PrivateKey
    let chainID: UInt64
    let registry: Address
    let pseudonymKey: PseudonymKey
    let pseudonymKeyFile: String

    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let logger: Logger = {
        var logger = Logger(label: "verifier-tests", factory: { _ in SwiftLogNoOpLogHandler() })
        logger.logLevel = .critical
        return logger
    }()

    /// Runs `body` in a fresh world; nil services skip (see `TestEnvironment`).
    /// `key` replaces the faucet (for a dedicated chain the faucet does not serve).
    static func with(
        rpcURL overrideRPC: String? = nil, key givenKey: PrivateKey? = nil, _ test: String = #function,
        _ body: (VerifierWorld) async throws -> Void
    ) async throws {
        guard let serverURL = TestEnvironment.requireDatabase(test) else { return }
        guard let rpcURL = overrideRPC ?? TestEnvironment.requireRPC(test) else { return }
        let name = "caseattest_verify_" + (0..<12).map { _ in String("0123456789abcdef".randomElement()!) }.joined()
        let databaseURL = try replacingDatabase(in: serverURL, with: name)
        try await admin(serverURL) { try $0.simpleExecute("CREATE DATABASE \(try $0.quoteIdentifier(name))") }
        let keyFile = NSTemporaryDirectory() + "caseattest-pseudonym-\(name)"
        let database = try PostgresPool(url: databaseURL, maxConnections: 2, logger: logger)
        do {
            _ = try await Migrator(
                databaseURL: databaseURL, directory: repoRoot.appendingPathComponent("migrations").path,
                logger: logger
            ).migrate()
            let keyText = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
            try Data(keyText.utf8).write(to: URL(fileURLWithPath: keyFile))
            let eth = EthereumClient(rpc: try JSONRPCClient(configuration: .init(urls: [rpcURL]), logger: logger))
            let key: PrivateKey
            if let givenKey { key = givenKey } else { key = try await DevFaucet.shared.fundedKey(rpcURL: rpcURL) }
            let chainID = try await eth.chainID()
            let registry = try await deployRegistry(eth: eth, key: key, chainID: chainID)
            let world = VerifierWorld(
                serverURL: serverURL, databaseURL: databaseURL, databaseName: name, rpcURL: rpcURL, database: database,
                eth: eth, key: key, chainID: chainID, registry: registry,
                pseudonymKey: try PseudonymKey(contentsOfFile: keyFile), pseudonymKeyFile: keyFile)
            try await body(world)
        } catch {
            await cleanUp(database, serverURL, name, keyFile)
            throw error
        }
        await cleanUp(database, serverURL, name, keyFile)
    }

    private static func cleanUp(_ database: PostgresPool, _ serverURL: String, _ name: String, _ keyFile: String) async
    {
        await database.close()
        try? await dropDatabase(serverURL: serverURL, name: name)
        try? FileManager.default.removeItem(atPath: keyFile)
    }

    static func dropDatabase(serverURL: String, name: String) async throws {
        try await admin(serverURL) {
            try $0.simpleExecute("DROP DATABASE IF EXISTS \(try $0.quoteIdentifier(name)) WITH (FORCE)")
        }
    }

    static func deployRegistry(eth: EthereumClient, key: PrivateKey, chainID: UInt64) async throws -> Address {
        let sender = OneShotSender(ethereum: eth, key: key, chainID: chainID, logger: logger)
        let deployed = try await sender.send(to: nil, data: try RegistryCalls.deployment())
        let registry = try #require(deployed.contractAddress)
        _ = try await sender.send(to: registry, data: try RegistryCalls.setAttester(key.address, enabled: true))
        return registry
    }

    private static func admin(
        _ serverURL: String, _ body: @escaping @Sendable (PostgresConnection) throws -> Void
    ) async throws {
        let pool = try PostgresPool(url: serverURL, maxConnections: 1, logger: logger)
        do {
            try await pool.withConnection(body)
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
    }

    private static func replacingDatabase(in url: String, with name: String) throws -> String {
        var components = try #require(URLComponents(string: url))
        components.path = "/" + name
        return try #require(components.string)
    }

    // MARK: - Cases

    /// Inserts resolved cases with `appointments` appointments each; returns their ids.
    func seedCases(_ count: Int, appointments: Int = 2) async throws -> [Int64] {
        try await database.transaction { connection in
            let suffix = UUID().uuidString
            let user = try connection.query(
                """
                INSERT INTO users (email, hashed_password, role) VALUES (\("student-\(suffix)@example.test"), 'x', \
                'user') RETURNING id
                """
            ).rows[0].decode(Int64.self, "id")
            let counsellor = try connection.query(
                """
                INSERT INTO users (email, hashed_password, role) VALUES (\("counsellor-\(suffix)@example.test"), 'x', \
                'counsellor') RETURNING id
                """
            ).rows[0].decode(Int64.self, "id")
            var ids: [Int64] = []
            for index in 0..<count {
                let id = try connection.query(
                    """
                    INSERT INTO cases (user_id, counsellor_id, status, risk_level_at_creation, created_at, resolved_at)
                    VALUES (\(user), \(counsellor), 'resolved', \(Int32(index % 4)),
                            timestamptz '2026-01-05 09:00:00.123456+00' + make_interval(mins => \(Int32(index))),
                            timestamptz '2026-02-01 10:30:00.654321+00' + make_interval(mins => \(Int32(index))))
                    RETURNING id
                    """
                ).rows[0].decode(Int64.self, "id")
                for slot in 0..<appointments {
                    try connection.query(
                        """
                        INSERT INTO appointments (case_id, user_id, counsellor_id, scheduled_at, status, location_type)
                        VALUES (\(id), \(user), \(counsellor), timestamptz '2026-01-10 14:00:00+00' + \
                        make_interval(days => \(Int32(slot))),
                                'completed', \(slot % 2 == 0 ? "online" : "in_person"))
                        """)
                }
                ids.append(id)
            }
            return ids
        }
    }

    struct Batch: Sendable {
        let root: [UInt8]
        let txHash: [UInt8]
        let blockNumber: UInt64
        let attestationIDs: [Int64]
    }

    /// Commits salts and documents for the cases, builds the Merkle batch in
    /// attestation id order, anchors its root in `registry` (default: the
    /// world's) and writes the confirmed rows. `beforeAnchor` runs just before
    /// the anchoring transaction is sent (reorg tests take a snapshot there).
    @discardableResult
    /// `schema`: the document version written (v1: as before the v2 upgrade).
    func attest(
        _ caseIDs: [Int64], registry: Address? = nil, schema: CaseDocument.Schema = .v1,
        beforeAnchor: (() async throws -> Void)? = nil
    ) async throws -> Batch {
        let pseudonymKey = self.pseudonymKey
        let committed = try await database.transaction { connection -> [(id: Int64, hash: ContentHash)] in
            let snapshots = try CaseRows.load(ids: caseIDs, on: connection)
            var rows: [(id: Int64, hash: ContentHash)] = []
            for caseID in caseIDs {
                guard let snapshot = snapshots[caseID] else {
                    throw PostgresError(.decoding, message: "no case \(caseID)")
                }
                let salt = try Salt.random()
                let bytes = try snapshot.document(pseudonymKey: pseudonymKey, salt: salt, schema: schema)
                    .canonicalBytes()
                let hash = ContentHash(canonicalBytes: bytes)
                let id = try connection.query(
                    """
                    INSERT INTO attestation (case_id, counsellor_id, content_hash, status, version, schema_version,
                                                 salt, attested_document, requested_by)
                    VALUES (\(caseID), \(snapshot.record.counsellorID), \(hash.hex), 'batched',
                            (SELECT coalesce(max(version), 0) + 1 FROM attestation WHERE case_id = \(caseID)),
                            \(schema.rawValue), \(salt.bytes), \(bytes), 'cli')
                    RETURNING id
                    """
                ).rows[0].decode(Int64.self, "id")
                rows.append((id, hash))
            }
            return rows.sorted { $0.id < $1.id }
        }
        let tree = try MerkleTree(contentHashes: committed.map(\.hash))
        let target = registry ?? self.registry
        try await beforeAnchor?()
        let sender = OneShotSender(ethereum: eth, key: key, chainID: chainID, logger: Self.logger)
        let receipt = try await sender.send(
            to: target, data: try RegistryCalls.anchor(root: tree.root, leafCount: UInt32(tree.leafCount)))
        let block = try #require(try await eth.block(.number(receipt.blockNumber)))
        let (root, chainID) = (tree.root, Int64(self.chainID))
        var leavesAndProofs: [(leaf: String, proof: String)] = []
        for index in committed.indices {
            let proof = try tree.proof(forValueAt: index).map { "\"\(Hex.encodePrefixed($0))\"" }.joined(separator: ",")
            leavesAndProofs.append((Hex.encodePrefixed(try tree.leaf(forValueAt: index)), "[" + proof + "]"))
        }
        let proofs = leavesAndProofs
        try await database.transaction { connection in
            let batchID = try connection.query(
                """
                INSERT INTO attestation_batch (root, leaf_count, status, chain_id, contract_address)
                VALUES (\(Hex.encodePrefixed(root)), \(committed.count), 'confirmed', \(chainID), \(target.lowercased))
                RETURNING id
                """
            ).rows[0].decode(Int64.self, "id")
            for (index, row) in committed.enumerated() {
                try connection.query(
                    """
                    UPDATE attestation SET status = 'batched', batch_id = \(batchID), leaf_index = \(index),
                        leaf = \(proofs[index].leaf), proof = \(proofs[index].proof)::jsonb, chain_id = \(chainID),
                        contract_address = \(target.lowercased), updated_at = now()
                    WHERE id = \(row.id)
                    """)
            }
            // Published as the daemon's confirmation does (one place: SeedRecord).
            let inclusion = TrackedTransaction.Inclusion(
                hash: receipt.transactionHash, blockNumber: receipt.blockNumber, blockHash: receipt.blockHash,
                succeeded: true)
            let attestedAt = Date(timeIntervalSince1970: TimeInterval(block.timestamp))
            try SeedRecord.confirm(batch: batchID, inclusion, attestedAt: attestedAt, on: connection)
            // No transaction row of ours sent it (a one-shot sender did): the
            // rows carry their anchor themselves, as rows confirmed before
            // migration 0017 do. The daemon's tests cover rows whose batch and
            // transaction carry it.
            try connection.query(
                """
                UPDATE attestation SET status = 'confirmed', tx_hash = \(Hex.encodePrefixed(receipt.transactionHash)),
                    block_number = \(Int64(receipt.blockNumber)), block_hash = \(Hex.encodePrefixed(receipt.blockHash)),
                    confirmations = 2, attested_at = \(attestedAt)
                WHERE batch_id = \(batchID)
                """)
        }
        return Batch(
            root: root, txHash: receipt.transactionHash, blockNumber: receipt.blockNumber,
            attestationIDs: committed.map(\.id))
    }

    /// Mines blocks so anchors gain confirmations (harmless on a shared chain).
    func mine(_ blocks: Int = 2) async throws {
        for _ in 0..<blocks { _ = try await eth.rpc.call("evm_mine") }
    }

    func execute(_ sql: PostgresQuery) async throws {
        try await database.query(sql)
    }

    func verifier(
        confirmations: UInt64 = 2, registry: Address? = nil,
        pageSize: Int = Verifier.defaultPageSize
    ) throws -> Verifier {
        Verifier(
            database: database, rpc: eth.rpc,
            configuration: VerifierConfiguration(
                registry: registry ?? self.registry, chainID: chainID,
                confirmations: confirmations, pseudonymKey: pseudonymKey),
            logger: Self.logger, pageSize: pageSize)
    }

    /// The environment the CLI gets: only what it needs, nothing inherited.
    func cliEnvironment(database: Bool = true) -> [String: String] {
        var environment = [
            "PATH": "/usr/bin:/bin", "CASEATTEST_RPC_URL": rpcURL, "CASEATTEST_CONTRACT": registry.lowercased,
            "CASEATTEST_CHAIN_ID": String(chainID), "CASEATTEST_PSEUDONYM_KEY_FILE": pseudonymKeyFile,
        ]
        if database { environment["DATABASE_URL"] = databaseURL }
        return environment
    }
}

/// Runs the `caseattest` binary ($CASEATTEST_BIN, else the debug build).
enum CLI {
    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["CASEATTEST_BIN"], !path.isEmpty { return path }
        return VerifierWorld.repoRoot.appendingPathComponent(".build/debug/caseattest").path
    }

    static func run(
        _ arguments: [String], environment: [String: String], stdin: String? = nil,
        timeout: Duration = .seconds(120)
    ) async throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = environment
        let directory = NSTemporaryDirectory() + "caseattest-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outPath = directory + "/out", errPath = directory + "/err", inPath = directory + "/in"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        FileManager.default.createFile(atPath: inPath, contents: Data((stdin ?? "").utf8))
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            Issue.record("caseattest \(arguments.first ?? "") did not finish within \(timeout)")
        }
        let stdout = String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self)
        let stderr = String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self)
        return Output(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }

    /// `verify --json` output, parsed: verdicts by case id and the summary.
    static func verdicts(_ output: Output) throws -> (byCase: [Int64: JSONValue], summary: JSONValue) {
        let document = try JSONValue.parse(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        guard case .array(let cases)? = document["cases"], let summary = document["summary"] else {
            throw CLIError(
                message:
                    "verify --json printed no cases/summary: \(output.stdout.prefix(200)) \(output.stderr.prefix(400))")
        }
        var byCase: [Int64: JSONValue] = [:]
        for entry in cases {
            if let id = entry["case_id"]?.numberValue { byCase[Int64(id)] = entry }
        }
        return (byCase, summary)
    }

    struct CLIError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}

extension JSONValue {
    var verdict: String? { self["verdict"]?.stringValue }
    var changedFields: [String] {
        guard case .array(let fields)? = self["changed_fields"] else { return [] }
        return fields.compactMap(\.stringValue)
    }
}
