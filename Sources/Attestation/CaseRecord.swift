/// One row of `cases` as the attestation needs it. `userID` is only ever
/// turned into a pseudonym; no other user data is read.
public struct CaseRecord: Hashable, Sendable {
    public var id: Int64
    public var userID: Int64
    public var counsellorID: Int64?
    public var status: String
    public var riskLevelAtCreation: Int64?
    public var createdAt: Timestamp
    public var resolvedAt: Timestamp?

    public init(
        id: Int64, userID: Int64, counsellorID: Int64?, status: String, riskLevelAtCreation: Int64?,
        createdAt: Timestamp, resolvedAt: Timestamp?
    ) {
        self.id = id
        self.userID = userID
        self.counsellorID = counsellorID
        self.status = status
        self.riskLevelAtCreation = riskLevelAtCreation
        self.createdAt = createdAt
        self.resolvedAt = resolvedAt
    }
}

/// One row of `appointments` belonging to a case.
public struct AppointmentRecord: Hashable, Sendable {
    public var id: Int64
    public var scheduledAt: Timestamp?
    public var status: String?
    public var locationType: String?

    public init(id: Int64, scheduledAt: Timestamp?, status: String?, locationType: String?) {
        self.id = id
        self.scheduledAt = scheduledAt
        self.status = status
        self.locationType = locationType
    }
}
