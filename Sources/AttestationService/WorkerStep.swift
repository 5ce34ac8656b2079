/// The worker's steps. Each has its own schedule and back-off, so one that
/// fails (a dead node, a bad row, a fee ceiling) never holds back the others.
public enum WorkerStep: String, Sendable, Hashable, CaseIterable {
    /// Store notified case ids as requests.
    case intake
    /// Request resolved cases that have no current attestation, and retry
    /// failed attestations that are due.
    case sweep
    case commit
    case batch
    /// Take or confirm the signer lease (and reconcile nonces on a new epoch).
    case lease
    case sign
    /// Follow transactions until final.
    case track
    case balance
    /// Count attestations per state; the stall signal is computed from it.
    case census

    /// The worker runs one loop per lane, side by side: commits and batches
    /// never wait behind a slow node, and tracking never behind a long commit.
    /// Batches have a lane of their own: a commit and a batch close take
    /// disjoint rows (requested, committed) and each keeps one PostgreSQL
    /// backend busy, so a backlog uses two cores instead of one.
    /// The census reads every row: on its own lane it never holds back a
    /// commit (on the commits' lane it took a tenth of a backfill's time).
    /// Steps of one lane run one after the other, as the machine orders them.
    public enum Lane: Sendable, Hashable, CaseIterable {
        case database
        case batching
        case chain
        case census
    }

    public var lane: Lane {
        switch self {
        case .lease, .sign, .track, .balance: return .chain
        case .batch: return .batching
        case .census: return .census
        case .intake, .sweep, .commit: return .database
        }
    }

    /// Steps only the signer-lease holder runs.
    public var needsLease: Bool {
        switch self {
        case .sign, .track, .balance: return true
        default: return false
        }
    }
}

/// Why a step failed, as far as the worker's decisions care.
public enum WorkerFault: Sendable, Hashable {
    /// PostgreSQL unreachable or refusing (connection, timeout, lock).
    case database(String)
    /// The node unreachable or answering errors.
    case node(String)
    /// This process no longer holds the signer lease (the fence refused a write).
    case leaseLost
    case other(String)

    var stallReason: StallReason {
        switch self {
        case .database: return .database
        case .node: return .node
        case .leaseLost: return .lease
        case .other: return .unknown
        }
    }

    var detail: String {
        switch self {
        case .database(let text), .node(let text), .other(let text): return text
        case .leaseLost: return "the signer lease was taken by another process"
        }
    }
}

/// What keeps the worker from progressing, as `/readyz`, `status` and the
/// `caseattest_worker_stalled{reason}` metric name it.
public enum StallReason: String, Sendable, Hashable, CaseIterable {
    case feeCeiling = "fee_ceiling"
    case balance
    case node
    case database
    case failingCase = "failing_case"
    case lease
    case unknown
}

/// A bounded exponential back-off: `base`, 2·`base`, ... up to `maximum`.
public struct Backoff: Sendable, Hashable {
    public var base: Double
    public var maximum: Double

    public init(base: Double, maximum: Double) {
        self.base = base
        self.maximum = max(base, maximum)
    }

    /// The delay after `failures` consecutive failures (1 = the first).
    public func delay(afterFailures failures: Int) -> Double {
        guard failures > 0 else { return 0 }
        let exponent = min(failures - 1, 30)
        return min(maximum, base * Double(1 << exponent))
    }
}
