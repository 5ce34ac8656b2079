/// What a request for a case does with the case's latest attestation, decided
/// without I/O (the intake reads the rows and applies the answer).
enum IntakeDecision: Sendable, Equatable {
    /// The latest attestation covers the case as it is: nothing is written.
    case existing
    /// The case was erased (`caseattest forget`) and no operator asked for it
    /// again: nothing is written, whoever asks (a notice, the sweep, the API).
    case erased
    /// The latest failed: tried again in place (same version).
    case retryInPlace
    /// A new version is requested.
    case newVersion

    /// - Parameters:
    ///   - latest: the case's latest attestation, nil when it has none.
    ///   - matchesCase: whether `latest`'s document, rebuilt from the case's
    ///     rows with its salt, has its content hash (asked only when needed).
    ///   - afterErasure: an operator asked explicitly to attest a case that
    ///     was erased (`caseattest attest --after-erasure`); only this
    ///     re-attests it, as a new version with a new salt.
    static func decide(
        latest: AttestationRecord?, afterErasure: Bool,
        matchesCase: () throws -> Bool
    ) rethrows -> IntakeDecision {
        try decide(
            latest: latest.map { Latest(status: $0.status, erased: $0.erasedAt != nil) },
            afterErasure: afterErasure, matchesCase: matchesCase)
    }

    /// What the decision needs of the latest attestation.
    struct Latest: Sendable, Equatable {
        var status: AttestationStatus
        var erased: Bool
    }

    static func decide(
        latest: Latest?, afterErasure: Bool,
        matchesCase: () throws -> Bool
    ) rethrows -> IntakeDecision {
        guard let latest else { return .newVersion }
        if latest.erased { return afterErasure ? .newVersion : .erased }
        switch latest.status {
        case .failed: return .retryInPlace
        case .requested: return .existing
        // Committed or further: covered while the case still has that content.
        case .committed, .batched, .signed, .submitted, .mined, .confirmed:
            return try matchesCase() ? .existing : .newVersion
        }
    }
}
