import ArgumentParser
import AttestationService
import Ethereum

/// How the worker batches, confirms and prices.
struct WorkerOptions: ParsableArguments {
    @Option(name: .customLong("batch-max"), help: "At most this many cases a batch (and the largest bucket).")
    var batchMax: Int = 256

    @Option(name: .customLong("batch-wait"),
            help: "With --anchor-interval 0: close a batch when its oldest case has waited this many seconds.")
    var batchWait: Double = 10

    @Option(name: .customLong("anchor-interval"),
            help: ArgumentHelp("Close batches only on wall-clock slot boundaries this far apart, aligned to UTC "
                               + "(e.g. 1h, 15m, 30s); 0: close at --batch-max or after --batch-wait. "
                               + "See docs/anchoring-schedule.md.", valueName: "duration"))
    var anchorInterval: String = "1h"

    @Option(name: .customLong("batch-min-leaves"),
            help: ArgumentHelp("Pad each batch with random filler leaves to a power of two at least this large "
                               + "(capped at --batch-max); 0: no filler leaves."))
    var batchMinLeaves: Int = AnchorSchedule.defaultMinimumLeaves

    @Option(name: .customLong("confirmations"), help: "Blocks (including the anchor's) before an attestation is confirmed.")
    var confirmations: UInt64 = 2

    @Option(name: .customLong("final-depth"),
            help: "Blocks after which a confirmed anchor is no longer watched for reorgs (default: max(64, 4 x confirmations)).")
    var finalDepth: UInt64?

    @Option(name: .customLong("stall-after"),
            help: "Seconds without progress while work waits before the worker reports a stall (readyz, status, metric).")
    var stallAfter: Double = 300

    @Option(name: .customLong("replace-after"), help: "Seconds without a receipt before a transaction is replaced with higher fees.")
    var replaceAfter: Double = 60

    @Option(name: .customLong("rebroadcast-after"), help: "Seconds between re-sends of an unmined transaction.")
    var rebroadcastAfter: Double = 15

    @Option(name: .customLong("max-fee-gwei"), help: "Fee ceiling in gwei per gas; never exceeded.")
    var maxFeeGwei: UInt64 = 500

    @Flag(name: .customLong("no-auto-intake"),
          help: "Do not request attestations for resolved cases automatically (LISTEN/NOTIFY and the sweep).")
    var noAutoIntake = false

    @Option(name: .customLong("sweep-interval"), help: "Seconds between sweeps for resolved cases without an attestation.")
    var sweepInterval: Double = 30

    func validate() throws {
        guard batchMax >= 1, batchMax <= 65_536 else { throw ValidationError("--batch-max must be 1...65536") }
        guard batchWait >= 0, replaceAfter > 0, rebroadcastAfter > 0, sweepInterval > 0 else {
            throw ValidationError("durations must be positive")
        }
        guard confirmations >= 1 else { throw ValidationError("--confirmations must be at least 1") }
        if let finalDepth, finalDepth < confirmations { throw ValidationError("--final-depth must be at least --confirmations") }
        guard stallAfter > 0 else { throw ValidationError("--stall-after must be positive") }
        guard anchorIntervalSeconds != nil else {
            throw ValidationError("--anchor-interval must be 0 or a duration such as 1h, 15m or 30s")
        }
        guard batchMinLeaves >= 0, batchMinLeaves <= 65_536, batchMinLeaves & (batchMinLeaves - 1) == 0 else {
            throw ValidationError("--batch-min-leaves must be 0 or a power of two up to 65536")
        }
    }

    /// --anchor-interval in seconds (nil when it does not parse).
    var anchorIntervalSeconds: Double? { AnchorSchedule.parseDuration(anchorInterval) }

    func feePolicy() -> FeePolicy {
        FeePolicy(ceiling: UInt256(maxFeeGwei) * UInt256(1_000_000_000))
    }

    func tracking() -> TrackingPolicy {
        TrackingPolicy(confirmations: confirmations, replaceAfter: replaceAfter, rebroadcastAfter: rebroadcastAfter,
                       fees: feePolicy(), finalityDepth: finalDepth)
    }
}
