/// Where the sweep's next windows of cases start, by case id; nil: at the
/// first case. Each window is a bounded slice of `cases`, so one sweep costs
/// the same at a million cases as at a thousand, and successive sweeps go round.
public struct SweepCursor: Sendable, Hashable {
    /// Cases with no attestation at all (missed notices, a first install's history).
    public var unattestedAfter: Int64?
    /// Cases whose rows are compared with their latest attestation's fingerprint.
    public var changedAfter: Int64?

    public init(unattestedAfter: Int64? = nil, changedAfter: Int64? = nil) {
        self.unattestedAfter = unattestedAfter
        self.changedAfter = changedAfter
    }
}
