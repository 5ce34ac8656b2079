import ArgumentParser
import Attestation
import AttestationService
import Ethereum
import Foundation
import Logging
import Postgres

/// `caseattest status`: where the pipeline stands.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Show attestations per state, the oldest pending one, and each signer's nonce, balance and last block.")

    @OptionGroup var service: ServiceOptions

    func run() async throws {
        service.bootstrapLogging()
        let logger = Logger(label: "caseattest.status")
        let database = try service.databasePool(logger: logger, maxConnections: 1)
        defer { Task { await database.close() } }
        let counts: [(String, Int64)]
        let oldest: PostgresRow?
        let signers: [PostgresRow]
        let workers: [PostgresRow]
        let lastAnchor: PostgresRow?
        let profiles = try service.loadChainProfiles()
        do {
            counts = try await database.query(
                """
                SELECT CASE WHEN erased_at IS NULL THEN status ELSE 'erased' END AS status, count(*) AS n
                FROM attestation_state GROUP BY 1 ORDER BY 1  -- in-flight rows show their batch's state
                """
            ).rows.map { (try $0.decode(String.self, "status"), try $0.decode(Int64.self, "n")) }
            oldest = try await database.query(
                """
                SELECT id, case_id, status, requested_at FROM attestation_state
                WHERE status <> ALL('{confirmed,failed}'::text[]) AND erased_at IS NULL  -- a tombstone waits for \
                nothing
                ORDER BY requested_at LIMIT 1
                """
            ).rows.first
            signers = try await database.query(
                """
                SELECT chain_id, signer, next_nonce, last_block, last_seen_at FROM attestation_signer ORDER BY \
                chain_id, signer
                """
            ).rows
            workers = try await database.query(
                """
                SELECT instance, is_signer, heartbeat_at, last_progress_at, stalled_since, stall_reason, stall_detail,
                    budget_limit_wei::text AS budget_limit_wei, min_anchor_interval, budget_wait_reason,
                    budget_wait_until
                FROM attestation_worker WHERE heartbeat_at > now() - interval '10 minutes' ORDER BY instance
                """
            ).rows
            lastAnchor = try await database.query(
                """
                SELECT chain_id, mined_hash, block_number FROM attestation_transaction
                WHERE purpose = 'anchor' AND status IN ('confirmed', 'final') AND mined_hash IS NOT NULL
                ORDER BY block_number DESC LIMIT 1
                """
            ).rows.first
        } catch {
            logger.error("cannot read the database", metadata: ["error": "\(error)"])
            throw ExitCode(2)
        }
        print("attestations")
        if counts.isEmpty { print("  none") }
        for (status, count) in counts {
            print("  \(status.padding(toLength: 10, withPad: " ", startingAt: 0)) \(count)")
        }
        if let oldest {
            let requested = try oldest.decode(Date.self, "requested_at")
            print(
                """
                oldest pending: attestation \(try oldest.decode(Int64.self, "id")) (case \
                \(try oldest.decode(Int64.self, "case_id")), \(try oldest.decode(String.self, "status")), waiting \
                \(Int(Date().timeIntervalSince(requested))) s)
                """
            )
        } else {
            print("oldest pending: none")
        }
        try printWorkers(workers)
        let ethereum = try? service.ethereumClient(logger: logger)
        for row in signers {
            let address = try row.decode(String.self, "signer")
            var balance = "unknown (node unreachable)"
            if let ethereum, let parsed = try? Address(hex: address), let wei = try? await ethereum.balance(of: parsed)
            {
                balance = "\(wei) wei"
            }
            let lastBlock = try row.decode(Int64?.self, "last_block").map(String.init) ?? "none yet"
            let seen =
                try row.decode(Date?.self, "last_seen_at").map { "\(Int(Date().timeIntervalSince($0))) s ago" }
                ?? "never"
            let profile = profiles[UInt64(try row.decode(Int64.self, "chain_id"))]
            print(
                "signer \(address) on chain \(try row.decode(Int64.self, "chain_id"))"
                    + (profile.map { " (\($0.name), finality \($0.finality))" } ?? ""))
            print("  next nonce \(try row.decode(Int64.self, "next_nonce")), balance \(balance)")
            if let url = profile?.addressURL(address) { print("  explorer \(url)") }
            print("  last block seen \(lastBlock) (\(seen))")
            if let parsed = try? Address(hex: address) {
                // The signer now: the freshest heartbeat of a lease holder (a stopped one lingers for 10 minutes).
                let signingWorker = try workers.filter { try $0.decode(Bool.self, "is_signer") }.max {
                    try $0.decode(Date.self, "heartbeat_at") < $1.decode(Date.self, "heartbeat_at")
                }
                try await printBudget(
                    chainID: UInt64(try row.decode(Int64.self, "chain_id")), signer: parsed,
                    signingWorker: signingWorker, database: database)
            }
        }
        if let lastAnchor, let hash = try lastAnchor.decode(String?.self, "mined_hash") {
            let block = try lastAnchor.decode(Int64?.self, "block_number").map(String.init) ?? "?"
            print("last confirmed anchor \(hash) in block \(block)")
            if let url = profiles[UInt64(try lastAnchor.decode(Int64.self, "chain_id"))]?.transactionURL(hash) {
                print("  explorer \(url)")
            }
        }
        if let ethereum, let head = try? await ethereum.blockNumber() {
            print("node head block \(head)")
        }
    }

    /// Each live worker's heartbeat and stall signal (written every ~10 s).
    private func printWorkers(_ workers: [PostgresRow]) throws {
        if workers.isEmpty { print("workers: none running (no heartbeat in the last 10 minutes)") }
        for row in workers {
            let role = try row.decode(Bool.self, "is_signer") ? "signer" : "worker"
            let heartbeat = Int(Date().timeIntervalSince(try row.decode(Date.self, "heartbeat_at")))
            let progress =
                try row.decode(Date?.self, "last_progress_at").map { "\(Int(Date().timeIntervalSince($0))) s ago" }
                ?? "never"
            print(
                """
                \(role) \(try row.decode(String.self, "instance")): heartbeat \(heartbeat) s ago, last progress \
                \(progress)
                """
            )
            if let since = try row.decode(Date?.self, "stalled_since"),
                let reason = try row.decode(String?.self, "stall_reason")
            {
                let detail = try row.decode(String?.self, "stall_detail").map { " (\($0))" } ?? ""
                print("  STALLED for \(Int(Date().timeIntervalSince(since))) s: \(reason)\(detail)")
            }
        }
    }
}
