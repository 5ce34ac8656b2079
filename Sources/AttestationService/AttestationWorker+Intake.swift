import Attestation
import Foundation
import Postgres

/// The database half of the worker's actions: intake, sweep, commit, batch, census.
extension AttestationWorker {
    // MARK: - Intake

    /// LISTENs for resolved cases and new requests until cancelled. Notices go
    /// to the machine (kept until stored); after every reconnect the sweep
    /// runs, since notices sent meanwhile are lost.
    func listenForWork() async {
        var attempt = 0
        while !Task.isCancelled {
            do {
                let listener = try PostgresListener(url: configuration.databaseURL, logger: logger)
                defer { listener.close() }
                try await listener.listen(Self.resolvedChannel)
                try await listener.listen(AttestationIntake.workChannel)
                attempt = 0
                var reconnects = listener.reconnectCount
                machine.withLock { $0.listenerConnected(now: now()) }
                for await notification in listener.notifications {
                    if listener.reconnectCount != reconnects {
                        reconnects = listener.reconnectCount
                        machine.withLock { $0.listenerConnected(now: now()) }
                        logger.info("LISTEN connection restored; sweeping for notices it missed")
                    }
                    if notification.channel == Self.resolvedChannel, let caseID = Int64(notification.payload) {
                        machine.withLock { $0.noticed([caseID]) }
                    }
                    wake.signal()
                }
            } catch {
                attempt += 1
                if attempt == 1 {
                    logger.warning(
                        "cannot LISTEN for new work; retrying, and the sweep covers meanwhile",
                        metadata: ["error": "\(error)"])
                }
            }
            try? await Task.sleep(for: .seconds(min(30, 1 << min(attempt, 5))))
        }
    }

    static let resolvedChannel = "caseattest_case_resolved"

    /// Notified cases become stored requests one by one (a re-resolved case
    /// may need a new version); those that fail stay in the machine.
    func storeNotices(_ caseIDs: [Int64]) async throws {
        let intake = AttestationIntake(database: database, pseudonymKey: configuration.pseudonymKey, logger: logger)
        var stored: [Int64] = []
        var firstError: Error?
        // One case that cannot be stored never holds back the others; it
        // stays pending (the step backs off) and the sweep covers it too.
        for caseID in caseIDs {
            do {
                if case .created = try await intake.request(caseID: caseID, source: "auto") {
                    metrics.requested.increment()
                }
                stored.append(caseID)
            } catch {
                firstError = firstError ?? error
            }
        }
        machine.withLock { $0.stored(stored) }
        if let firstError { throw firstError }
        completed(.intake)
    }

    /// What missed notices, lost processes and failures left: attestable cases
    /// with no attestation, cases changed since attested, failures due for a retry.
    func sweep() async throws {
        let time = Date()
        var cursor = machine.withLock { $0.sweepCursor }
        let (unattested, requeued) = try await database.transaction { [cursor] connection in
            (
                try PipelineStore.requestUnattested(
                    after: cursor.unattestedAfter, scan: PipelineStore.backfillWindow, now: time, on: connection),
                try PipelineStore.requeueDueFailures(now: time, limit: 1000, on: connection)
            )
        }
        let swept = unattested.requested
        cursor.unattestedAfter = unattested.next
        let (changed, next) = try await database.withConnection { [cursor] in
            try PipelineStore.casesChangedSinceAttested(
                after: cursor.changedAfter, scan: PipelineStore.sweepWindow, limit: 500, on: $0)
        }
        cursor.changedAfter = next
        machine.withLock { $0.swept(to: cursor) }
        let intake = AttestationIntake(database: database, pseudonymKey: configuration.pseudonymKey, logger: logger)
        var renewed = 0
        for caseID in changed {
            do {
                if case .created = try await intake.request(caseID: caseID, source: "sweep") { renewed += 1 }
            } catch {
                // That case alone waits for the next sweep.
                logger.warning(
                    "sweep could not request a changed case", metadata: ["case_id": "\(caseID)", "error": "\(error)"])
            }
        }
        if swept + renewed > 0 { metrics.requested.increment(by: swept + renewed) }
        if swept + requeued + renewed > 0 {
            logger.info(
                "sweep requested attestations",
                metadata: [
                    "unattested": "\(swept)", "retried": "\(requeued)", "changed": "\(renewed)",
                ])
        }
        // Again at once while the backfill finds cases (a first install's
        // history) or the fingerprints a full answer.
        completed(.sweep, more: swept > 0 || changed.count == 500)
    }

    // MARK: - Commit and batch

    /// Commits the requests the schedule's claim allows (`commitClaim`),
    /// closing full batches itself where it may; again at once while more
    /// wait. `commitTransactions` commits run side by side, each on rows of
    /// its own (the claims skip locked rows), so a backlog's commits use
    /// every core PostgreSQL and the hashing have.
    func commit() async throws {
        let key = configuration.pseudonymKey
        let target = PipelineStore.BatchTarget(
            schedule: configuration.anchorSchedule, chainID: configuration.chainID, contract: configuration.contract)
        let claim = target.schedule.commitClaim
        let database = database
        let outcomes = await withTaskGroup(of: Result<PipelineStore.CommitResult, Error>.self) { group in
            for _ in 0..<Self.commitTransactions {
                group.addTask {
                    do {
                        return .success(
                            try await database.transaction { connection in
                                try PipelineStore.commitRequested(
                                    limit: claim, key: key, closing: target, now: Date(), on: connection)
                            })
                    } catch {
                        return .failure(error)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        var (more, failedAlone) = (false, false)
        for case .success(let result) in outcomes {
            committed(result)
            more = more || result.claimed == claim
            failedAlone = failedAlone || !result.failed.isEmpty
        }
        // What the others committed is reported above; the step backs off.
        for case .failure(let error) in outcomes { throw error }
        completed(.commit, more: more, progressed: failedAlone)
    }

    /// Commit transactions of one commit step.
    static let commitTransactions = 2

    private func committed(_ result: PipelineStore.CommitResult) {
        metrics.committed.increment(by: result.committed)
        for failure in result.failed {
            metrics.failed.increment()
            metrics.commitFailures.increment()
            logger.error(
                "attestation failed alone; the others go on",
                metadata: [
                    "attestation_id": "\(failure.attestationID)", "reason": "\(failure.reason)",
                ])
        }
        for batch in result.batches { built(batch) }
    }

    /// One batch of what was committed by `slot` (nil: no slots, the
    /// batch-max/batch-wait rule); again at once while one was built.
    func closeBatches(slot: Double?) async throws {
        let configuration = configuration
        let created = try await database.transaction { connection in
            try PipelineStore.closeBatch(
                schedule: configuration.anchorSchedule,
                slot: slot.map(Date.init(timeIntervalSince1970:)),
                chainID: configuration.chainID, contract: configuration.contract,
                now: Date(), on: connection)
        }
        if let created { built(created) }
        completed(.batch, more: created != nil)
    }

    /// A batch was closed (by a commit or a batch step): signing it is due.
    private func built(_ created: PipelineStore.BatchCreated) {
        metrics.batchSize.record(created.leafCount - created.fillerCount)
        logger.info(
            "batch built",
            metadata: [
                "batch_id": "\(created.id)", "root": "\(created.root)", "leaves": "\(created.leafCount)",
                "filler_leaves": "\(created.fillerCount)",
            ])
        machine.withLock { $0.batchClosed(now: now()) }
        chainWake.signal()
    }

    // MARK: - Census

    /// Attestations per state (the `caseattest_attestations{state}` gauge),
    /// the stall signal, and this worker's heartbeat row.
    func census() async throws {
        let started = ContinuousClock.now
        // An erased request is never committed: it is not work that waits.
        let rows = try await FullScan.query(
            """
            SELECT status, count(*)::bigint AS n FROM \(unescaped: AttestationRecord.view)
            WHERE erased_at IS NULL OR status = ANY(\(StatusList([AttestationStatus.confirmed, .failed]))::text[])
            GROUP BY status
            """, on: database
        ).rows
        var counts: [AttestationStatus: Int] = [:]
        for row in rows {
            counts[try row.decodeStatus(AttestationStatus.self, "status")] = Int(try row.decode(Int64.self, "n"))
        }
        metrics.casesByState(Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }))
        let time = now()
        let took = (ContinuousClock.now - started) / .seconds(1)
        let (stall, isSigner) = machine.withLock { machine in
            machine.census(counts, now: time, took: took)
            return (machine.stall(now: time), machine.holdsLease)
        }
        metrics.stalled(stall.reason?.rawValue)
        metrics.lastProgress.record(stall.lastProgressAt)
        let budget = try await budgetHeartbeat()
        try await database.query(
            """
            INSERT INTO attestation_worker (instance, started_at, heartbeat_at, is_signer, last_progress_at, \
            stalled_since,
                stall_reason, stall_detail, budget_limit_wei, min_anchor_interval, budget_wait_reason,
                budget_wait_until)
            VALUES (\(instance), now(), now(), \(isSigner), \(Date(timeIntervalSince1970: stall.lastProgressAt)),
                \(stall.since.map(Date.init(timeIntervalSince1970:))), \(stall.reason?.rawValue), \(stall.detail),
                \(budget.limit.map(PostgresValue.numeric)), \(budget.interval), \(budget.wait?.reason.rawValue),
                \(budget.wait.map { Date(timeIntervalSince1970: $0.until) }))
            ON CONFLICT (instance) DO UPDATE SET heartbeat_at = now(), is_signer = EXCLUDED.is_signer,
                last_progress_at = EXCLUDED.last_progress_at, stalled_since = EXCLUDED.stalled_since,
                stall_reason = EXCLUDED.stall_reason, stall_detail = EXCLUDED.stall_detail,
                budget_limit_wei = EXCLUDED.budget_limit_wei, min_anchor_interval = EXCLUDED.min_anchor_interval,
                budget_wait_reason = EXCLUDED.budget_wait_reason, budget_wait_until = EXCLUDED.budget_wait_until
            """)
        // Rows of processes gone for a day are of no use to anyone.
        try await database.query("DELETE FROM attestation_worker WHERE heartbeat_at < now() - interval '1 day'")
        await StatisticsFreshness.refreshIfStale(database, logger: logger)
        // Said once at the onset; the metric and the row keep saying it.
        if let reason = stall.reason, let since = stall.since, time - since < 10 {
            logger.error(
                "worker stalled: work waits and nothing has moved",
                metadata: [
                    "reason": "\(reason.rawValue)", "detail": "\(stall.detail ?? "")", "waiting": "\(stall.waiting)",
                ])
        }
    }
}
