import Attestation
import Ethereum
import EthereumRPC
import Foundation
import Logging
import Postgres
import ServiceLifecycle

/// The daemon's worker: requested -> committed -> batched -> signed ->
/// submitted -> mined -> confirmed (then watched until final). Every
/// decision is `WorkerMachine`'s; this class runs its actions (SQL and RPC)
/// and reports each outcome back. Each step is a committed database
/// transaction, so a killed process resumes from the rows; chain work is
/// done only by the holder of the signer lease, and fenced by its epoch.
public final class AttestationWorker: Service, Sendable {
    let configuration: WorkerConfiguration
    let database: PostgresPool
    let ethereum: EthereumClient
    let logger: Logger
    let metrics: WorkerMetrics
    let lease: SignerLease
    let machine: MachineBox
    /// Wakes the database lane (a case was resolved) and the chain lane (a
    /// batch is ready to sign) before their next step is due; the batching
    /// and census lanes keep to their schedules.
    let wake = WakeSignal()
    let chainWake = WakeSignal()
    let batchingWake = WakeSignal()
    let censusWake = WakeSignal()
    /// This process's name in `attestation_worker` and the lease.
    let instance: String

    public init(configuration: WorkerConfiguration, database: PostgresPool, ethereum: EthereumClient, logger: Logger) {
        self.configuration = configuration
        self.database = database
        self.ethereum = ethereum
        self.logger = logger
        self.metrics = WorkerMetrics()
        instance = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UUID().uuidString.prefix(8))"
        self.lease = SignerLease(
            url: configuration.databaseURL, chainID: configuration.chainID,
            signer: configuration.signer.address, holder: instance, logger: logger)
        machine = MachineBox(WorkerMachine(settings: configuration.machineSettings, now: Date().timeIntervalSince1970))
    }

    var signer: Address { configuration.signer.address }

    /// The stall signal as of now (for `/readyz`).
    public func stall() -> StallStatus {
        machine.withLock { $0.stall(now: Date().timeIntervalSince1970) }
    }

    /// Set while new anchors wait for the daily spending budget (not for the spacing), for `/readyz`.
    public func budgetWait() -> WorkerMachine.BudgetWait? {
        machine.withLock { $0.budgetReached ? $0.budgetWait : nil }
    }

    public func run() async throws {
        let listenerTask = Task { await listenForWork() }
        defer { listenerTask.cancel() }
        logger.info(
            "attestation worker started",
            metadata: [
                "signer": "\(signer.checksummed)", "contract": "\(configuration.contract.checksummed)",
                "batch_max": "\(configuration.batchMax)", "batch_wait_s": "\(configuration.batchWait)",
                "anchor_interval_s": "\(configuration.anchorInterval)",
                "batch_min_leaves": "\(configuration.batchMinLeaves)",
                "confirmations": "\(configuration.tracking.confirmations)",
                "final_depth": "\(configuration.tracking.finalityDepth)",
            ])
        await withDiscardingTaskGroup { group in
            for lane in WorkerStep.Lane.allCases {
                group.addTask { await self.run(lane) }
            }
        }
        await lease.release()
        logger.info("attestation worker stopped at a durable state")
    }

    /// One lane's loop, until shutdown.
    private func run(_ lane: WorkerStep.Lane) async {
        let signal: WakeSignal
        switch lane {
        case .database: signal = wake
        case .batching: signal = batchingWake
        case .chain: signal = chainWake
        case .census: signal = censusWake
        }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await pass(lane)
            let delay = machine.withLock { $0.nextWake(now: Date().timeIntervalSince1970, lane: lane) }
            if delay > 0 { await signal.wait(upTo: .milliseconds(Int64(delay * 1000))) }
        }
    }

    /// One pass of a lane: every action of it the machine finds due, each
    /// isolated from the others.
    public func pass(_ lane: WorkerStep.Lane) async {
        let actions = machine.withLock { $0.tick(now: Date().timeIntervalSince1970, lane: lane) }
        for action in actions {
            let started = ContinuousClock.now
            defer { metrics.stepRan(action.step, for: ContinuousClock.now - started) }
            do {
                try await perform(action)
            } catch {
                let fault = WorkerFault(error)
                let failures: Int = machine.withLock {
                    $0.failed(action.step, fault, now: Date().timeIntervalSince1970)
                    return $0.failures(of: action.step)
                }
                // The first failure and then every tenth: a dead node must not flood the log.
                if failures == 1 || failures % 10 == 0 {
                    logger.warning(
                        "worker step failed; it alone backs off",
                        metadata: [
                            "step": "\(action.step.rawValue)", "error": "\(error)", "consecutive": "\(failures)",
                        ])
                }
            }
        }
    }

    private func perform(_ action: WorkerAction) async throws {
        switch action {
        case .storeNotices(let caseIDs): try await storeNotices(caseIDs)
        case .sweep: try await sweep()
        case .commit: try await commit()
        case .closeBatches(let slot): try await closeBatches(slot: slot)
        case .checkLease: await checkLease()
        case .reconcileNonces: try await reconcileNonces()
        case .signBatches(let onHold): try await signBatches(onHold: onHold)
        case .track: try await track()
        case .checkBalance: try await checkBalance()
        case .census: try await census()
        }
    }

    func now() -> Double { Date().timeIntervalSince1970 }

    /// Reports a step's success to the machine.
    func completed(_ step: WorkerStep, more: Bool = false, progressed: Bool = false) {
        let time = now()
        machine.withLock { $0.completed(step, now: time, more: more, progressed: progressed) }
        if progressed { metrics.lastProgress.record(time) }
    }

    /// The fence of the lease this process holds; throws when it holds none.
    func fence() throws -> SignerFence {
        guard let fence = lease.currentFence else { throw LeaseLost() }
        return fence
    }
}

extension WorkerFault {
    init(_ error: Error) {
        switch error {
        case is LeaseLost: self = .leaseLost
        case let error as PostgresError: self = .database(error.code.description)
        case let error as RPCError: self = .node(error.code == .node ? "the node refused a call" : "\(error.code)")
        case let error as FeePolicy.CeilingTooLow: self = .other(error.description)
        default: self = .other(String(describing: type(of: error)))
        }
    }
}

/// The machine, shared by the loop and the listener (which adds notices).
final class MachineBox: @unchecked Sendable {
    private let lock = NSLock()
    private var machine: WorkerMachine

    init(_ machine: WorkerMachine) {
        self.machine = machine
    }

    func withLock<T>(_ body: (inout WorkerMachine) throws -> T) rethrows -> T {
        try lock.withLock { try body(&machine) }
    }
}
