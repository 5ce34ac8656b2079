import ArgumentParser
import Attestation
import AttestationService
import Ethereum

/// How the worker batches, confirms and prices.
struct WorkerOptions: ParsableArguments {
    @Option(name: .customLong("batch-max"), help: "At most this many cases a batch (and the largest bucket).")
    var batchMax: Int = 256

    @Option(
        name: .customLong("batch-wait"),
        help: "With --anchor-interval 0: close a batch when its oldest case has waited this many seconds.")
    var batchWait: Double = 10

    @Option(
        name: .customLong("anchor-interval"),
        help: ArgumentHelp(
            "Close batches only on wall-clock slot boundaries this far apart, aligned to UTC "
                + "(e.g. 1h, 15m, 30s); 0: close at --batch-max or after --batch-wait. "
                + "See docs/anchoring-schedule.md.", valueName: "duration"))
    var anchorInterval: String = "1h"

    @Option(
        name: .customLong("batch-min-leaves"),
        help: ArgumentHelp(
            "Pad each batch with random filler leaves to a power of two at least this large "
                + "(capped at --batch-max); 0: no filler leaves."))
    var batchMinLeaves: Int = AnchorSchedule.defaultMinimumLeaves

    @Option(
        name: .customLong("confirmations"),
        help: """
            Blocks (including the anchor's) before an attestation is confirmed\
             (default: the chain profile's, else 2).
            """)
    var confirmationsOption: UInt64?

    @Option(
        name: .customLong("finality"),
        help: """
            When an attestation is confirmed: blocks:N, safe or finalized (the node's block tags; \
            default: blocks:<confirmations> when given, else the chain profile's).
            """)
    var finality: Finality?

    @Option(
        name: .customLong("final-depth"),
        help:
            """
            Blocks after which a confirmed anchor is no longer watched for reorgs (default: max(64, 4 x \
            confirmations)).
            """
    )
    var finalDepth: UInt64?

    @Option(
        name: .customLong("stall-after"),
        help: "Seconds without progress while work waits before the worker reports a stall (readyz, status, metric).")
    var stallAfter: Double = 300

    @Option(
        name: .customLong("replace-after"),
        help: "Seconds without a receipt before a transaction is replaced with higher fees.")
    var replaceAfter: Double = 60

    @Option(name: .customLong("rebroadcast-after"), help: "Seconds between re-sends of an unmined transaction.")
    var rebroadcastAfter: Double = 15

    @Option(name: .customLong("max-fee-gwei"), help: "Fee ceiling in gwei per gas; never exceeded.")
    var maxFeeGwei: UInt64 = 500

    @Option(
        name: .customLong("fee-model"),
        help: """
            auto (EIP-1559 where blocks have a base fee, legacy gasPrice where not), eip1559 or legacy \
            (default: the chain profile's, else auto).
            """)
    var feeModel: FeeModel?

    @Option(
        name: .customLong("min-tip-gwei"),
        help: """
            The chain's price floor in gwei: no tip, no legacy gas price below it\
             (default: the chain profile's, else 1).
            """)
    var minTipGwei: Double?

    @Option(
        name: .customLong("max-spend-per-day"),
        help: ArgumentHelp(
            "The most the signer's transactions may cost per UTC day, in the chain's native unit (e.g. 0.05); "
                + "new anchors wait beyond it, nothing fails. Default: no limit. See docs/spending-budget.md.",
            valueName: "amount"))
    var maxSpendPerDay: String?

    @Option(
        name: .customLong("min-anchor-interval"),
        help: ArgumentHelp(
            "At least this long between two new anchors (e.g. 10m, 1h); 0: no spacing.", valueName: "duration"))
    var minAnchorInterval: String = "0"

    @Flag(
        name: .customLong("no-auto-intake"),
        help: "Do not request attestations for resolved cases automatically (LISTEN/NOTIFY and the sweep).")
    var noAutoIntake = false

    @Option(
        name: .customLong("sweep-interval"), help: "Seconds between sweeps for resolved cases without an attestation.")
    var sweepInterval: Double = 30

    func validate() throws {
        guard batchMax >= 1, batchMax <= 65_536 else { throw ValidationError("--batch-max must be 1...65536") }
        guard batchWait >= 0, replaceAfter > 0, rebroadcastAfter > 0, sweepInterval > 0 else {
            throw ValidationError("durations must be positive")
        }
        if let confirmationsOption, confirmationsOption < 1 {
            throw ValidationError("--confirmations must be at least 1")
        }
        if let finalDepth, let confirmationsOption, finalDepth < confirmationsOption {
            throw ValidationError("--final-depth must be at least --confirmations")
        }
        guard stallAfter > 0 else { throw ValidationError("--stall-after must be positive") }
        guard anchorIntervalSeconds != nil else {
            throw ValidationError("--anchor-interval must be 0 or a duration such as 1h, 15m or 30s")
        }
        guard batchMinLeaves >= 0, batchMinLeaves <= 65_536, batchMinLeaves & (batchMinLeaves - 1) == 0 else {
            throw ValidationError("--batch-min-leaves must be 0 or a power of two up to 65536")
        }
        if let maxSpendPerDay, SpendingBudget.parseAmount(maxSpendPerDay) == nil {
            throw ValidationError(
                "--max-spend-per-day must be a decimal amount of the native unit with at most 18 decimals, e.g. 0.05")
        }
        guard AnchorSchedule.parseDuration(minAnchorInterval) != nil else {
            throw ValidationError("--min-anchor-interval must be 0 or a duration such as 1h, 15m or 30s")
        }
        if let minTipGwei, minTipGwei < 0 || minTipGwei > Double(maxFeeGwei) {
            throw ValidationError("--min-tip-gwei must be between 0 and --max-fee-gwei")
        }
    }

    /// --anchor-interval in seconds (nil when it does not parse).
    var anchorIntervalSeconds: Double? { AnchorSchedule.parseDuration(anchorInterval) }

    /// --max-spend-per-day (wei) and --min-anchor-interval; `clockOffset` is TestClock's.
    func spendingBudget(clockOffset: Double) -> SpendingBudget {
        SpendingBudget(
            limitPerDay: maxSpendPerDay.flatMap { SpendingBudget.parseAmount($0) },
            minimumInterval: AnchorSchedule.parseDuration(minAnchorInterval) ?? 0, clockOffset: clockOffset)
    }

    /// Flags first, then the chain's profile, then the defaults.
    func resolvedConfirmations(profile: ChainProfile?) -> UInt64 {
        if let confirmationsOption { return confirmationsOption }
        if case .blocks(let count)? = finality ?? profile?.finality { return count }
        return 2
    }

    /// An explicit --confirmations means blocks:N unless --finality says otherwise.
    func resolvedFinality(profile: ChainProfile?) -> Finality {
        Finality.resolved(explicit: finality, confirmations: confirmationsOption, profile: profile)
    }

    func feePolicy(profile: ChainProfile?) -> FeePolicy {
        // Whole wei: a fractional gwei floor is exact to the wei.
        let minimumTip =
            minTipGwei.map { UInt256(UInt64(($0 * 1_000_000_000).rounded(.up))) }
            ?? profile.map { UInt256($0.minimumTipWei) }
        return FeePolicy(
            ceiling: UInt256(maxFeeGwei) * UInt256(1_000_000_000),
            model: feeModel ?? profile?.feeModel ?? .auto, minimumPriorityFee: minimumTip)
    }

    func tracking(profile: ChainProfile?) -> TrackingPolicy {
        TrackingPolicy(
            confirmations: resolvedConfirmations(profile: profile), replaceAfter: replaceAfter,
            rebroadcastAfter: rebroadcastAfter, fees: feePolicy(profile: profile), finalityDepth: finalDepth,
            finality: resolvedFinality(profile: profile))
    }
}
