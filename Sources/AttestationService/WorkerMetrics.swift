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

    func rpcError(method: String) {
        Counter(label: "caseattest_rpc_errors_total", dimensions: [("method", method)]).increment()
    }

    func casesByState(_ counts: [String: Int]) {
        for status in AttestationStatus.allCases {
            Gauge(label: "caseattest_attestations", dimensions: [("state", status.rawValue)]).record(counts[status.rawValue] ?? 0)
        }
    }
}
