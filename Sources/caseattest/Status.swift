import ArgumentParser
import AttestationService
import Ethereum
import Foundation
import Logging
import Postgres

/// `caseattest status`: where the pipeline stands.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show attestations per state, the oldest pending one, and each signer's nonce, balance and last block.")

    @OptionGroup var service: ServiceOptions

    func run() async throws {
        service.bootstrapLogging()
        let logger = Logger(label: "caseattest.status")
        let database = try service.databasePool(logger: logger, maxConnections: 1)
        defer { Task { await database.close() } }
        let counts: [(String, Int64)]
        let oldest: PostgresRow?
        let signers: [PostgresRow]
        do {
            counts = try await database.query("""
                SELECT status, count(*) AS n FROM caseattestation GROUP BY status ORDER BY status
                """).rows.map { (try $0.decode(String.self, "status"), try $0.decode(Int64.self, "n")) }
            oldest = try await database.query("""
                SELECT id, case_id, status, requested_at FROM caseattestation
                WHERE status NOT IN ('confirmed', 'failed') ORDER BY requested_at LIMIT 1
                """).rows.first
            signers = try await database.query("""
                SELECT chain_id, signer, next_nonce, last_block, last_seen_at FROM attestation_signer ORDER BY chain_id, signer
                """).rows
        } catch {
            logger.error("cannot read the database", metadata: ["error": "\(error)"])
            throw ExitCode(2)
        }
        print("attestations")
        if counts.isEmpty { print("  none") }
        for (status, count) in counts { print("  \(status.padding(toLength: 10, withPad: " ", startingAt: 0)) \(count)") }
        if let oldest {
            let requested = try oldest.decode(Date.self, "requested_at")
            print("oldest pending: attestation \(try oldest.decode(Int64.self, "id")) (case \(try oldest.decode(Int64.self, "case_id")), \(try oldest.decode(String.self, "status")), waiting \(Int(Date().timeIntervalSince(requested))) s)")
        } else {
            print("oldest pending: none")
        }
        let ethereum = try? service.ethereumClient(logger: logger)
        for row in signers {
            let address = try row.decode(String.self, "signer")
            var balance = "unknown (node unreachable)"
            if let ethereum, let parsed = try? Address(hex: address), let wei = try? await ethereum.balance(of: parsed) {
                balance = "\(wei) wei"
            }
            let lastBlock = try row.decode(Int64?.self, "last_block").map(String.init) ?? "none yet"
            let seen = try row.decode(Date?.self, "last_seen_at").map { "\(Int(Date().timeIntervalSince($0))) s ago" } ?? "never"
            print("signer \(address) on chain \(try row.decode(Int64.self, "chain_id"))")
            print("  next nonce \(try row.decode(Int64.self, "next_nonce")), balance \(balance)")
            print("  last block seen \(lastBlock) (\(seen))")
        }
        if let ethereum, let head = try? await ethereum.blockNumber() {
            print("node head block \(head)")
        }
    }
}
