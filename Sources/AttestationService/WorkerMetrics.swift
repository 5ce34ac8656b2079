import Metrics

/// The worker's metrics (swift-metrics); the executable chooses the backend
/// (Prometheus, served by the HTTP API at /metrics).
struct WorkerMetrics: Sendable {
    let requested = Counter(label: "caseattest_attestations_requested_total")
    let committed = Counter(label: "caseattest_attestations_committed_total")
    let confirmed = Counter(label: "caseattest_attestations_confirmed_total")
    let failed = Counter(label: "caseattest_attestations_failed_total")
    let batchSize = Recorder(label: "caseattest_batch_size", aggregate: true)
    /// From signing to the confirmed receipt.
    let anchorLatency = Metrics.Timer(label: "caseattest_anchor_latency_seconds", preferredDisplayUnit: .seconds)
    let replacements = Counter(label: "caseattest_transaction_replacements_total")
    let reorgs = Counter(label: "caseattest_reorgs_total")
    let chainHead = Gauge(label: "caseattest_chain_head_block")
    let signerBalanceWei = Gauge(label: "caseattest_signer_balance_gwei")
    /// How many more anchors the signer's balance pays for at the fee ceiling.
    let signerAnchorsLeft = Gauge(label: "caseattest_signer_anchors_left")
    /// 1 while pricing is above the fee ceiling: new signing waits.
    let feeCeilingReached = Gauge(label: "caseattest_fee_ceiling_reached")
    /// 1 while new anchors wait for the daily spending budget (batches wait, nothing fails).
    let budgetReached = Gauge(label: "caseattest_budget_reached")
    /// The budget's UTC day: fees mined, and the worst case of what is in flight.
    let budgetSpentTodayGwei = Gauge(label: "caseattest_budget_spent_today_gwei")
    let budgetInFlightGwei = Gauge(label: "caseattest_budget_in_flight_gwei")
    /// --max-spend-per-day in gwei; 0: no limit.
    let budgetLimitGwei = Gauge(label: "caseattest_budget_limit_gwei")
    /// Unix time of the worker's last progress (a state moved forward).
    let lastProgress = Gauge(label: "caseattest_worker_last_progress_timestamp_seconds")
    /// Attestations that could not be committed (their case cannot become a document).
    let commitFailures = Counter(label: "caseattest_commit_failures_total")

    /// 1 for the reason the worker is stalled (work waits, nothing moved for
    /// the configured time), 0 for every other reason; all 0 when not stalled.
    func stalled(_ reason: String?) {
        for candidate in WorkerMetrics.stallReasons {
            Gauge(label: "caseattest_worker_stalled", dimensions: [("reason", candidate)]).record(
                candidate == reason ? 1 : 0)
        }
    }

    static let stallReasons = ["fee_ceiling", "balance", "node", "database", "failing_case", "lease", "unknown"]

    /// How long each run of a step took, failed runs included: where a pass's
    /// time goes (the steps of a pass run one after the other).
    func stepRan(_ step: WorkerStep, for duration: Duration) {
        Metrics.Timer(
            label: "caseattest_worker_step_seconds", dimensions: [("step", step.rawValue)],
            preferredDisplayUnit: .seconds
        )
        .recordNanoseconds(
            duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    func rpcError(method: String) {
        Counter(label: "caseattest_rpc_errors_total", dimensions: [("method", method)]).increment()
    }

    func casesByState(_ counts: [String: Int]) {
        for status in AttestationStatus.allCases {
            Gauge(label: "caseattest_attestations", dimensions: [("state", status.rawValue)]).record(
                counts[status.rawValue] ?? 0)
        }
    }
}
