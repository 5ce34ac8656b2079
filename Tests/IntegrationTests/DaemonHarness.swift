import AttestationService
import Ethereum
import EthereumRPC
import Foundation
import Logging
import Postgres
import Registry
import Testing

/// What the daemon tests need: the real `caseattest` binary (CASEATTEST_BIN,
/// set by `make test`), PostgreSQL and the dev chain. Without them a test
/// prints why it skipped, unless CASEATTEST_REQUIRE_SERVICES=1.
struct DaemonEnvironment: Sendable {
    let binary: String
    let serverURL: String
    let rpcURL: String

    /// The repository root: three levels above Tests/IntegrationTests/ThisFile.swift.
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static var python: String {
        if let python = ProcessInfo.processInfo.environment["PYTHON"], !python.isEmpty { return python }
        return repoRoot + "/.venv/bin/python"
    }

    static func require(_ test: String = #function) -> DaemonEnvironment? {
        guard let serverURL = TestEnvironment.requireDatabase(test), let rpcURL = TestEnvironment.requireRPC(test)
        else {
            return nil
        }
        guard let binary = ProcessInfo.processInfo.environment["CASEATTEST_BIN"], !binary.isEmpty,
            FileManager.default.isExecutableFile(atPath: binary)
        else {
            let reason =
                """
                CASEATTEST_BIN does not name an executable caseattest (set it to $(swift build \
                --show-bin-path)/caseattest, or run make test)
                """
            if TestEnvironment.required {
                Issue.record("\(test): \(reason), but CASEATTEST_REQUIRE_SERVICES=1")
            } else {
                print("SKIP \(test): \(reason)")
            }
            return nil
        }
        return DaemonEnvironment(binary: binary, serverURL: serverURL, rpcURL: rpcURL)
    }
}

/// At most this many daemon tests run at once: each drives a daemon, the
/// database and the chain, and the machine has two cores.
actor DaemonSlots {
    static let shared = DaemonSlots(
        limit: Int(ProcessInfo.processInfo.environment["CASEATTEST_DAEMON_TESTS_PARALLEL"] ?? "") ?? 2)

    private let limit: Int
    private var inUse = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = max(1, limit) }

    func acquire() async {
        if inUse < limit {
            inUse += 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            inUse -= 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}

/// One daemon test's world: a fresh migrated database, a temp dir with the
/// key files, the daemons and helper processes it started. Everything is
/// torn down at the end; the daemons' logs are printed when the test failed.
final class DaemonTestContext: @unchecked Sendable {
    let environment: DaemonEnvironment
    let name: String
    let databaseName: String
    let databaseURL: String
    let database: PostgresPool
    let directory: String
    let started = ContinuousClock.now
    private let lock = NSLock()
    private var processes: [ManagedProcess] = []
    private var failures = 0
    private var seedCounter = 0
    /// The test's own cluster, when it asked for one.
    var postgres: DedicatedPostgres?

    static let quietLogger: Logger = {
        var logger = Logger(label: "daemon-tests")
        logger.logLevel = .critical
        return logger
    }()

    private init(
        environment: DaemonEnvironment, name: String, databaseName: String, databaseURL: String,
        database: PostgresPool, directory: String
    ) {
        self.environment = environment
        self.name = name
        self.databaseName = databaseName
        self.databaseURL = databaseURL
        self.database = database
        self.directory = directory
    }

    /// Runs `body` in a fresh context; tears it down whatever happens.
    /// `ownPostgres`: on a PostgreSQL cluster of the test's own (`context.postgres`),
    /// which the test may restart without disturbing the others.
    static func run(
        _ test: String = #function, ownPostgres: Bool = false,
        _ body: (DaemonTestContext) async throws -> Void
    ) async throws {
        guard var environment = DaemonEnvironment.require(test) else { return }
        await DaemonSlots.shared.acquire()
        let context: DaemonTestContext
        var cluster: DedicatedPostgres?
        do {
            if ownPostgres {
                let started = try await DedicatedPostgres.start(name: test)
                cluster = started
                environment = DaemonEnvironment(
                    binary: environment.binary, serverURL: started.url, rpcURL: environment.rpcURL)
            }
            context = try await make(environment: environment, name: test)
            context.postgres = cluster
        } catch {
            await cluster?.stop()
            await DaemonSlots.shared.release()
            throw error
        }
        print("[\(test)] database \(context.databaseName), files in \(context.directory)")
        var thrown: (any Error)?
        do {
            try await body(context)
        } catch {
            thrown = error
        }
        let failed = thrown != nil || context.failureCount > 0
        await context.tearDown(printLogs: failed)
        await cluster?.stop()
        await DaemonSlots.shared.release()
        print("[\(test)] \(failed ? "FAILED" : "passed") after \(context.elapsed)")
        if let thrown { throw thrown }
    }

    private static func make(environment: DaemonEnvironment, name: String) async throws -> DaemonTestContext {
        let databaseName =
            "caseattest_daemon_" + (0..<12).map { _ in String("0123456789abcdef".randomElement() ?? "0") }.joined()
        guard var components = URLComponents(string: environment.serverURL) else {
            throw HarnessError("DATABASE_URL is not a URL")
        }
        components.path = "/" + databaseName
        guard let databaseURL = components.string else { throw HarnessError("cannot build the test database URL") }
        let admin = try PostgresPool(url: environment.serverURL, maxConnections: 1, logger: quietLogger)
        try await admin.withConnection {
            try $0.simpleExecute("CREATE DATABASE \(try $0.quoteIdentifier(databaseName))")
        }
        await admin.close()
        _ = try await Migrator(
            databaseURL: databaseURL, directory: DaemonEnvironment.repoRoot + "/migrations",
            logger: quietLogger
        ).migrate()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(databaseName).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let database = try PostgresPool(url: databaseURL, maxConnections: 4, logger: quietLogger)
        return DaemonTestContext(
            environment: environment, name: name, databaseName: databaseName,
            databaseURL: databaseURL, database: database, directory: directory)
    }

    private func tearDown(printLogs: Bool) async {
        let all = lock.withLock { processes }
        for process in all {
            let stopping = ContinuousClock.now
            await process.stop()
            let took = ContinuousClock.now - stopping
            if took > .seconds(2) { log("stopping \(process.label) took \(took)") }
        }
        if printLogs {
            for process in all where process.isDaemon {
                print("---- \(name): last lines of \(process.label) (\(process.logPath)) ----")
                print(process.tail(60))
            }
        }
        let closing = ContinuousClock.now
        await database.close()
        defer {
            let took = ContinuousClock.now - closing
            if took > .seconds(2) { log("closing and dropping the database took \(took)") }
        }
        if let admin = try? PostgresPool(url: environment.serverURL, maxConnections: 1, logger: Self.quietLogger) {
            let databaseName = databaseName
            _ = try? await admin.withConnection {
                try $0.simpleExecute("DROP DATABASE IF EXISTS \(try $0.quoteIdentifier(databaseName)) WITH (FORCE)")
            }
            await admin.close()
        }
        // Logs are kept when the test failed, for a closer look.
        if !printLogs { try? FileManager.default.removeItem(atPath: directory) }
    }

    var elapsed: Duration { ContinuousClock.now - started }
    var failureCount: Int { lock.withLock { failures } }

    /// Records a failed expectation; the daemons' logs are printed at the end.
    @discardableResult
    func check(
        _ condition: Bool, _ message: @autoclosure () -> String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        if !condition {
            lock.withLock { failures += 1 }
            Issue.record(Comment(rawValue: message()), sourceLocation: sourceLocation)
        }
        return condition
    }

    func log(_ message: String) {
        print(
            "[\(name) +\(elapsed.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1))))] \(message)")
    }

    func register(_ process: ManagedProcess) {
        lock.withLock { processes.append(process) }
    }

    func nextSeedTag() -> Int {
        lock.withLock {
            seedCounter += 1
            return seedCounter
        }
    }

    func ethereum(_ url: String? = nil, attempts: Int = 5) throws -> EthereumClient {
        var configuration = RPCConfiguration(urls: [url ?? environment.rpcURL])
        configuration.maxAttempts = attempts
        return EthereumClient(rpc: try JSONRPCClient(configuration: configuration, logger: Self.quietLogger))
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// MARK: - Polling

extension DaemonTestContext {
    /// Polls `condition` until it holds or `timeout` passes; true when it held.
    func waitUntil(
        _ what: String, timeout: Duration, every interval: Duration = .milliseconds(500),
        _ condition: () async throws -> Bool
    ) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            if try await condition() { return true }
            if ContinuousClock.now >= deadline {
                log("gave up waiting for \(what) after \(timeout)")
                return false
            }
            try await Task.sleep(for: interval)
        }
    }
}

// MARK: - Seed data

extension DaemonTestContext {
    /// Inserts `count` cases (each with its own student, one of three
    /// counsellors and two appointments) in `status`; returns their ids.
    @discardableResult
    func seedCases(_ count: Int, status: String = "resolved") async throws -> [Int64] {
        let tag = "\(databaseName)-\(nextSeedTag())"
        return try await database.transaction { connection in
            try connection.query(
                """
                INSERT INTO users (email, hashed_password, role, full_name, faculty, created_at)
                SELECT 'counsellor-' || \(tag)::text || '-' || g || '@test.invalid', 'x', 'counsellor', 'Counsellor ' \
                || g,
                       'Psychology', now() - interval '200 days'
                FROM generate_series(1, 3) g
                """)
            try connection.query(
                """
                INSERT INTO users (email, hashed_password, role, full_name, nim, faculty, created_at)
                SELECT 'student-' || \(tag)::text || '-' || g || '@test.invalid', 'x', 'user', 'Student ' || g,
                       'NIM-' || g, 'Engineering', now() - interval '100 days'
                FROM generate_series(1, \(count)::int) g
                """)
            let ids = try connection.query(
                """
                INSERT INTO cases (user_id, counsellor_id, status, risk_level_at_creation, created_at, resolved_at)
                SELECT s.id,
                       (SELECT c.id FROM users c WHERE c.email = 'counsellor-' || \(tag)::text || '-' || (1 + s.id % \
                3) || '@test.invalid'),
                       \(status)::text, (s.id % 4)::int, now() - interval '30 days',
                       CASE WHEN \(status)::text IN ('resolved', 'closed') THEN now() - interval '1 day' END
                FROM users s WHERE s.email LIKE 'student-' || \(tag)::text || '-%'
                ORDER BY s.id
                RETURNING id
                """
            ).rows.map { try $0.decode(Int64.self, "id") }
            try connection.query(
                """
                INSERT INTO appointments (case_id, user_id, counsellor_id, scheduled_at, status, location_type)
                SELECT k.id, k.user_id, k.counsellor_id, k.created_at + (n || ' days')::interval,
                       CASE WHEN n = 1 THEN 'completed' ELSE 'no_show' END,
                       CASE WHEN k.id % 2 = 0 THEN 'online' ELSE 'in_person' END
                FROM cases k CROSS JOIN generate_series(1, 2) n
                WHERE k.user_id IN (SELECT id FROM users WHERE email LIKE 'student-' || \(tag)::text || '-%')
                """)
            return ids
        }
    }

    /// Moves up to `count` in-progress cases to resolved (the trigger NOTIFYs).
    @discardableResult
    func resolveCases(_ count: Int) async throws -> Int {
        try await database.query(
            """
            WITH moved AS (
                UPDATE cases SET status = 'resolved', resolved_at = now()
                WHERE id IN (SELECT id FROM cases WHERE status = 'in_progress' ORDER BY id LIMIT \(count)::int)
                RETURNING id)
            SELECT count(*) AS n FROM moved
            """
        ).rows[0].decode(Int.self, "n")
    }

    /// Attestations per status, as readers see them (in-flight rows show their batch's).
    func attestationCounts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await database.query("SELECT status, count(*) AS n FROM attestation_state GROUP BY status").rows
        {
            counts[try row.decode(String.self, "status")] = try row.decode(Int.self, "n")
        }
        return counts
    }

    func int(_ query: PostgresQuery) async throws -> Int {
        try await database.query(query).rows[0].decode(Int.self, "n")
    }
}

// MARK: - Signer, registry and key files

/// A signer key of the test's own, funded by the faucet, the registry it
/// deployed (owner and attester), and the key files the daemon reads.
struct DaemonSigner: Sendable {
    let key: any TransactionSigner
    let contract: Address
    let keyFile: String
    let pseudonymKeyFile: String
    let rpcURL: String
    /// The signer's nonce after deploying: the daemon's first.
    let firstNonce: UInt64
    /// The first block the daemon can have anchored in.
    let firstBlock: UInt64
}

extension DaemonTestContext {
    /// A fresh funded signer and a registry deployed by it, on `rpcURL`
    /// (the shared dev chain by default).
    func makeSigner(rpcURL: String? = nil, label: String = "signer") async throws -> DaemonSigner {
        let url = rpcURL ?? environment.rpcURL
        var secret = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        var key: PrivateKey?
        for _ in 0..<8 where key == nil {
            for index in secret.indices { secret[index] = generator.next() }
            key = try? PrivateKey(bytes: secret)
        }
        guard let key else { throw HarnessError("could not generate a key") }
        let keyFile = directory + "/\(label).key"
        try write(Hex.encode(secret) + "\n", to: keyFile)
        for index in secret.indices { secret[index] = 0 }
        _ = try await DevFaucet.shared.fund(key, rpcURL: url, wei: UInt256(10).power(20))

        let pseudonymKeyFile = directory + "/\(label).pseudonym"
        try write(Hex.encode((0..<32).map { _ in UInt8.random(in: 0...255) }) + "\n", to: pseudonymKeyFile)

        let eth = try ethereum(url)
        let sender = OneShotSender(ethereum: eth, key: key, chainID: TestEnvironment.chainID, logger: Self.quietLogger)
        let deployment = try await sender.send(to: nil, data: try RegistryCalls.deployment(), timeout: .seconds(60))
        guard let contract = deployment.contractAddress else {
            throw HarnessError("deployment receipt has no contract address")
        }
        _ = try await sender.send(
            to: contract, data: try RegistryCalls.setAttester(key.address, enabled: true), timeout: .seconds(60))
        let nonce = try await eth.transactionCount(of: key.address, at: .latest)
        let block = try await eth.blockNumber()
        log("signer \(key.address.checksummed), registry \(contract.checksummed) on \(url) at block \(block)")
        return DaemonSigner(
            key: key, contract: contract, keyFile: keyFile, pseudonymKeyFile: pseudonymKeyFile,
            rpcURL: url, firstNonce: nonce, firstBlock: block)
    }

    private func write(_ text: String, to path: String) throws {
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data(text.utf8),
                attributes: [.posixPermissions: 0o600])
        else {
            throw HarnessError("cannot write \(path)")
        }
    }
}

// MARK: - Processes

/// A child process of the test (a daemon, a dev chain, a proxy) whose
/// output goes to a log file; stopped at tear-down.
final class ManagedProcess: @unchecked Sendable {
    let label: String
    let logPath: String
    let isDaemon: Bool
    private let executable: String
    private let arguments: [String]
    private let environment: [String: String]
    private let lock = NSLock()
    private var process: Process?
    private(set) var starts = 0

    init(
        label: String, executable: String, arguments: [String], environment: [String: String],
        logPath: String, isDaemon: Bool
    ) {
        self.label = label
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.logPath = logPath
        self.isDaemon = isDaemon
        FileManager.default.createFile(atPath: logPath, contents: nil)
    }

    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        guard let log = FileHandle(forWritingAtPath: logPath) else { throw HarnessError("cannot open \(logPath)") }
        log.seekToEndOfFile()
        if starts > 0 { log.write(Data("==== restart \(starts) ====\n".utf8)) }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? log.close()
        lock.withLock {
            self.process = process
            starts += 1
        }
    }

    var isRunning: Bool { lock.withLock { process?.isRunning ?? false } }
    var pid: Int32 { lock.withLock { process?.processIdentifier ?? 0 } }

    /// SIGKILL, then waits for the process to be gone.
    func kill() async {
        guard let process = lock.withLock({ self.process }), process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        await waitForExit(process, timeout: .seconds(10))
    }

    /// SIGTERM and a bounded wait; returns the exit status (nil: it had to be killed).
    @discardableResult
    func terminate(timeout: Duration = .seconds(15)) async -> Int32? {
        guard let process = lock.withLock({ self.process }) else { return nil }
        if !process.isRunning { return process.terminationStatus }
        process.terminate()
        if await waitForExit(process, timeout: timeout) { return process.terminationStatus }
        Foundation.kill(process.processIdentifier, SIGKILL)
        await waitForExit(process, timeout: .seconds(10))
        return nil
    }

    /// Daemons get time to stop at a durable state; helpers (a dev chain
    /// waits for its keep-alive clients) are killed after a short grace.
    func stop() async {
        await terminate(timeout: isDaemon ? .seconds(10) : .seconds(2))
    }

    @discardableResult
    private func waitForExit(_ process: Process, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    var output: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    func tail(_ lines: Int) -> String {
        output.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    /// Waits for a line containing `marker` in the output; returns that line.
    func waitForLine(containing marker: String, timeout: Duration) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = output.split(separator: "\n").first(where: { $0.contains(marker) }) { return String(line) }
            guard isRunning else { throw HarnessError("\(label) exited before printing \"\(marker)\": \(tail(20))") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("\(label) did not print \"\(marker)\" within \(timeout): \(tail(20))")
    }
}

/// The daemon's flags; the defaults suit the shared dev chain (1 s blocks).
/// Batches close as before the anchoring schedule (no slots, no fillers)
/// unless a test asks: the daemon's own defaults (1 h slots) are for production.
struct DaemonOptions: Sendable {
    var batchMax = 256
    var batchWait = 1.0
    /// --anchor-interval ("0": no slots).
    var anchorInterval = "0"
    /// --batch-min-leaves (0: no filler leaves).
    var batchMinLeaves = 0
    var confirmations = 2
    var replaceAfter = 60.0
    var rebroadcastAfter = 15.0
    var maxFeeGwei: UInt64 = 500
    var sweepInterval = 5.0
    var autoIntake = true
    var finalDepth: UInt64?
    var stallAfter: Double?
    var extra: [String] = []
    /// More environment for the daemon (e.g. SOFTHSM2_CONF for a token signer).
    var environment: [String: String] = [:]

    var arguments: [String] {
        var arguments = [
            "serve", "--batch-max", "\(batchMax)", "--batch-wait", "\(batchWait)", "--confirmations",
            "\(confirmations)",
            "--anchor-interval", anchorInterval, "--batch-min-leaves", "\(batchMinLeaves)",
            "--replace-after", "\(replaceAfter)", "--rebroadcast-after", "\(rebroadcastAfter)",
            "--max-fee-gwei", "\(maxFeeGwei)", "--sweep-interval", "\(sweepInterval)", "--monitor-interval", "5",
            // Several daemons run at once in these tests: let each API take a free port.
            "--http-port", "0",
        ]
        if !autoIntake { arguments.append("--no-auto-intake") }
        if let finalDepth { arguments += ["--final-depth", "\(finalDepth)"] }
        if let stallAfter { arguments += ["--stall-after", "\(stallAfter)"] }
        return arguments + extra
    }
}

extension DaemonTestContext {
    /// The test database as the daemon sees it in a deployment: with only the
    /// rights of the service role (migration 0009), taken at connect.
    var serviceDatabaseURL: String { databaseURL + "?options=-c%20role%3Dcaseattest_service" }

    /// A `caseattest serve` process for `signer` (not started yet: call `start()`).
    func daemon(
        _ signer: DaemonSigner, rpcURL: String? = nil, options: DaemonOptions = DaemonOptions(),
        label: String = "daemon"
    ) -> ManagedProcess {
        var environment = ProcessInfo.processInfo.environment
        for name in ["CASEATTEST_KEYSTORE", "CASEATTEST_KEYSTORE_PASSWORD_FILE"] { environment[name] = nil }
        environment["DATABASE_URL"] = serviceDatabaseURL
        environment["CASEATTEST_RPC_URL"] = rpcURL ?? signer.rpcURL
        environment["CASEATTEST_CHAIN_ID"] = String(TestEnvironment.chainID)
        environment["CASEATTEST_CONTRACT"] = signer.contract.checksummed
        environment["CASEATTEST_PRIVATE_KEY_FILE"] = signer.keyFile
        environment["CASEATTEST_PSEUDONYM_KEY_FILE"] = signer.pseudonymKeyFile
        environment.merge(options.environment) { $1 }
        let process = ManagedProcess(
            label: label, executable: self.environment.binary, arguments: options.arguments,
            environment: environment, logPath: directory + "/\(label).log", isDaemon: true)
        register(process)
        return process
    }

    /// A Python helper (dev chain, proxy) started now; returns once it printed `marker`.
    func startPython(
        label: String, script: String, arguments: [String], marker: String
    ) async throws -> (ManagedProcess, String) {
        let process = ManagedProcess(
            label: label, executable: DaemonEnvironment.python,
            arguments: ["-u", DaemonEnvironment.repoRoot + "/" + script] + arguments,
            environment: ProcessInfo.processInfo.environment,
            logPath: directory + "/\(label).log", isDaemon: false)
        register(process)
        try process.start()
        let line = try await process.waitForLine(containing: marker, timeout: .seconds(60))
        guard let url = line.split(separator: " ").first(where: { $0.hasPrefix("http://127.0.0.1:") }) else {
            throw HarnessError("\(label) printed no loopback URL: \(line)")
        }
        return (process, String(url))
    }

    /// A dev chain of the test's own that mines only when told (`evm_mine`),
    /// with a funded signer and its registry deployed there.
    func manualChainWithSigner() async throws -> (url: String, signer: DaemonSigner, eth: EthereumClient) {
        let url = try await startDedicatedChain()
        let signer = try await makeSigner(rpcURL: url)
        let eth = try ethereum(url)
        let automine = try await eth.rpc.call("evm_setAutomine", [.bool(false)])
        let interval = try await eth.rpc.call("evm_setIntervalMining", [.integer(0)])
        guard automine == .bool(true), interval == .bool(true) else {
            throw HarnessError("the dev chain refused manual mining")
        }
        return (url, signer, eth)
    }

    /// A dev chain of the test's own (reorgs, mining control), stopped at tear-down.
    func startDedicatedChain(arguments: [String] = []) async throws -> String {
        let (_, url) = try await startPython(
            label: "devchain", script: "devchain/server.py",
            arguments: ["--port", "0", "--chain-id", String(TestEnvironment.chainID)] + arguments,
            marker: "devchain listening on")
        log("dedicated dev chain at \(url)")
        return url
    }
}
