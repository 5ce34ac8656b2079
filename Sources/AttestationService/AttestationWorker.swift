import Attestation
import Ethereum
import EthereumRPC
import Foundation
import Logging
import Postgres
import Registry
import ServiceLifecycle

/// The daemon's worker: requested -> committed -> batched -> signed ->
/// submitted -> mined -> confirmed. Each step is a committed database
/// transaction, so a killed process resumes from the rows; chain work is
/// done only by the holder of the signer lease.
public final class AttestationWorker: Service, Sendable {
    let configuration: WorkerConfiguration
    let database: PostgresPool
    let ethereum: EthereumClient
    let logger: Logger
    let metrics: WorkerMetrics
    private let lease: SignerLease
    let memory = WorkerMemory()

    public init(configuration: WorkerConfiguration, database: PostgresPool, ethereum: EthereumClient, logger: Logger) {
        self.configuration = configuration
        self.database = database
        self.ethereum = ethereum
        self.logger = logger
        self.metrics = WorkerMetrics()
        self.lease = SignerLease(url: configuration.databaseURL, chainID: configuration.chainID,
                                 signer: configuration.signer.address, logger: logger)
    }

    var signer: Address { configuration.signer.address }

    public func run() async throws {
        let wake = WakeSignal()
        let listenerTask = Task { await listenForWork(wake: wake) }
        defer { listenerTask.cancel() }
        logger.info("attestation worker started", metadata: [
            "signer": "\(signer.checksummed)", "contract": "\(configuration.contract.checksummed)",
            "batch_max": "\(configuration.batchMax)", "batch_wait_s": "\(configuration.batchWait)",
            "confirmations": "\(configuration.tracking.confirmations)",
        ])
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var busy = false
            do {
                busy = try await tick()
                failures = 0
            } catch {
                failures += 1
                logger.warning("worker step failed; will retry", metadata: ["error": "\(error)", "consecutive": "\(failures)"])
            }
            // Back off while the database or the node is down; wake early on notifications.
            if busy { continue }  // requests still waiting: no pause between passes
            let delay = failures == 0 ? configuration.pollInterval : min(.seconds(5), configuration.pollInterval * (1 << min(failures, 5)))
            await wake.wait(upTo: delay)
        }
        await lease.release()
        logger.info("attestation worker stopped at a durable state")
    }

    /// One pass over the pipeline; true when requests were left for the next
    /// pass (each pass commits a bounded number, so chain work starts early).
    @discardableResult
    public func tick() async throws -> Bool {
        let clock = ContinuousClock()
        var timings: Logger.Metadata = [:]
        func timed<T>(_ step: String, _ body: () async throws -> T) async rethrows -> T {
            let start = clock.now
            defer { timings[step] = "\((clock.now - start).components.attoseconds / 1_000_000_000_000_000 + (clock.now - start).components.seconds * 1000)ms" }
            return try await body()
        }
        try await timed("intake") { try await intake() }
        let busy = try await timed("commit") { try await commit() }
        try await timed("batch") { try await batch() }
        try await recordStateCounts()
        defer { logger.trace("pass", metadata: timings) }
        guard await lease.holds() else { return busy }
        if memory.reconciledGeneration != lease.generation {
            try await reconcileNonces()
            memory.reconciledGeneration = lease.generation
        }
        try await timed("sign") { try await signBatches() }
        try await timed("track") { try await track() }
        await checkBalance()
        return busy
    }

    // MARK: - Intake

    private func listenForWork(wake: WakeSignal) async {
        do {
            let listener = try PostgresListener(url: configuration.databaseURL, logger: logger)
            defer { listener.close() }
            try await listener.listen("caseattest_case_resolved")
            try await listener.listen(AttestationIntake.workChannel)
            for await notification in listener.notifications {
                if notification.channel == "caseattest_case_resolved", let caseID = Int64(notification.payload) {
                    memory.enqueueResolved(caseID)
                }
                wake.signal()
            }
        } catch {
            logger.warning("cannot LISTEN for new work; relying on polling and the sweep", metadata: ["error": "\(error)"])
        }
    }

    private func intake() async throws {
        guard configuration.automaticIntake else { return }
        let intake = AttestationIntake(database: database, pseudonymKey: configuration.pseudonymKey, logger: logger)
        // Notified cases go one by one: a re-resolved case may need a new version.
        for caseID in Set(memory.drainResolved()).sorted() {
            let outcome = try await intake.request(caseID: caseID, source: "auto")
            if case .created = outcome { metrics.requested.increment() }
        }
        let now = Date().timeIntervalSince1970
        guard now - memory.lastSweep >= configuration.sweepInterval else { return }
        memory.lastSweep = now
        // The sweep catches what missed notifications left: resolved cases with
        // no attestation at all, requested in one statement. The unique
        // (case_id, version) key keeps two daemons from doubling a request.
        let swept = try await database.query("""
            INSERT INTO caseattestation (case_id, counsellor_id, version, status, requested_by)
            SELECT c.id, c.counsellor_id, 1, 'requested', 'sweep' FROM cases c
            WHERE c.status IN ('resolved', 'closed')
              AND NOT EXISTS (SELECT 1 FROM caseattestation a WHERE a.case_id = c.id)
            ON CONFLICT (case_id, version) DO NOTHING
            """).affectedRows ?? 0
        if swept > 0 {
            metrics.requested.increment(by: swept)
            logger.info("sweep requested attestations for resolved cases", metadata: ["cases": "\(swept)"])
        }
    }

    /// Attestations per state, for the `caseattest_attestations{state}` gauge; every 10 s.
    private func recordStateCounts() async throws {
        let now = Date().timeIntervalSince1970
        guard now - memory.lastStateCount >= 10 else { return }
        memory.lastStateCount = now
        let rows = try await database.query("SELECT status, count(*)::bigint AS n FROM caseattestation GROUP BY status").rows
        var counts: [String: Int] = [:]
        for row in rows { counts[try row.decode(String.self, "status")] = Int(try row.decode(Int64.self, "n")) }
        metrics.casesByState(counts)
    }

    // MARK: - Commit and batch

    /// Commits up to 2,048 requests; true when more are waiting.
    private func commit() async throws -> Bool {
        let key = configuration.pseudonymKey
        for _ in 0..<4 {
            let committed = try await database.transaction { connection in
                try PipelineStore.commitRequested(limit: 512, key: key, now: Date(), on: connection)
            }
            metrics.committed.increment(by: committed)
            if committed < 512 { return false }
        }
        return true
    }

    private func batch() async throws {
        let configuration = configuration
        for _ in 0..<1000 {
            let created = try await database.transaction { connection in
                try PipelineStore.closeBatch(max: configuration.batchMax, wait: configuration.batchWait,
                                             chainID: configuration.chainID, contract: configuration.contract,
                                             now: Date(), on: connection)
            }
            guard let created else { return }
            metrics.batchSize.record(created.leafCount)
            logger.info("batch built", metadata: ["batch_id": "\(created.id)", "root": "\(created.root)", "leaves": "\(created.leafCount)"])
        }
    }
}

/// Wakes the worker loop early (a notification arrived) or after a delay.
final class WakeSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var pending = false
    private var continuation: CheckedContinuation<Void, Never>?

    func signal() {
        let waiting: CheckedContinuation<Void, Never>? = lock.withLock {
            if let continuation {
                self.continuation = nil
                return continuation
            }
            pending = true
            return nil
        }
        waiting?.resume()
    }

    func wait(upTo delay: Duration) async {
        let timer = Task { [weak self] in
            try? await Task.sleep(for: delay)
            self?.signal()
        }
        defer { timer.cancel() }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow: Bool = lock.withLock {
                if pending {
                    pending = false
                    return true
                }
                self.continuation = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
        lock.withLock { pending = false }
    }
}

/// In-process bookkeeping of the single worker loop.
final class WorkerMemory: @unchecked Sendable {
    private let lock = NSLock()
    private var resolved: [Int64] = []
    /// The signer-lease generation whose nonces were reconciled.
    var reconciledGeneration = 0
    var lastSweep: Double = 0
    var lastBalanceCheck: Double = 0
    var lastStateCount: Double = 0
    var lastCeilingWarning: [Int64: Double] = [:]
    /// Passes in which a transaction's nonce was seen used by another one.
    var nonceElsewhereSightings: [Int64: Int] = [:]
    /// Batches whose signing failed recently, with the time to try again.
    var retryBatchAt: [Int64: Double] = [:]

    func enqueueResolved(_ caseID: Int64) {
        lock.withLock { resolved.append(caseID) }
    }

    func drainResolved() -> [Int64] {
        lock.withLock {
            defer { resolved.removeAll() }
            return resolved
        }
    }
}
