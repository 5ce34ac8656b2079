import Attestation
import Ethereum

/// Everything the attestation worker is told at start-up.
public struct WorkerConfiguration: Sendable {
    public var databaseURL: String
    public var chainID: UInt64
    public var contract: Address
    public var signer: any TransactionSigner
    public var pseudonymKey: PseudonymKey
    /// A batch holds at most this many cases...
    public var batchMax: Int = 256
    /// ...and without an anchor interval it closes at that many, or when its
    /// oldest case has waited this long (seconds).
    public var batchWait: Double = 10
    /// Seconds between the slot boundaries batches close on; 0: no slots.
    public var anchorInterval: Double = AnchorSchedule.defaultInterval
    /// The smallest bucket batches are padded to with filler leaves; 0: none.
    public var batchMinLeaves: Int = AnchorSchedule.defaultMinimumLeaves
    public var tracking: TrackingPolicy
    /// How often the loop runs when no notification wakes it.
    public var pollInterval: Duration = .milliseconds(250)
    /// Resolved cases without an attestation are requested automatically
    /// (LISTEN/NOTIFY plus this periodic sweep); off leaves intake to the API/CLI.
    public var automaticIntake: Bool = true
    public var sweepInterval: Double = 30
    /// Warn when the signer cannot pay for this many more anchors.
    public var balanceWarningAnchors: UInt64 = 100
    /// Work waits and nothing moved for this long: the worker reports a stall.
    public var stallAfter: Double = 300
    /// When failed attestations are tried again by themselves.
    public var retry = RetryPolicy()
    /// The daily spending budget and the spacing of new anchors (none by default).
    public var spendingBudget = SpendingBudget()

    public var anchorSchedule: AnchorSchedule {
        AnchorSchedule(
            interval: anchorInterval, batchMax: batchMax, batchWait: batchWait, minimumLeaves: batchMinLeaves)
    }

    var machineSettings: WorkerMachine.Settings {
        let poll = Double(pollInterval.components.seconds) + Double(pollInterval.components.attoseconds) / 1e18
        var settings = WorkerMachine.Settings(sweepInterval: sweepInterval, poll: poll)
        settings.automaticIntake = automaticIntake
        settings.stallAfter = stallAfter
        settings.anchorSchedule = anchorSchedule
        settings.spendingBudget = spendingBudget
        settings.nonceEvidence.blocks = tracking.confirmations
        settings.nonceEvidence.seconds = max(5, tracking.rebroadcastAfter / 3)
        return settings
    }

    public init(
        databaseURL: String, chainID: UInt64, contract: Address, signer: any TransactionSigner,
        pseudonymKey: PseudonymKey, tracking: TrackingPolicy
    ) {
        self.databaseURL = databaseURL
        self.chainID = chainID
        self.contract = contract
        self.signer = signer
        self.pseudonymKey = pseudonymKey
        self.tracking = tracking
    }
}
