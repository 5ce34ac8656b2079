import ArgumentParser
import AttestationService
import Foundation
import Logging

/// `caseattest access-log`: every receipt issued (API or CLI), newest first.
struct AccessLog: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "access-log",
        abstract: "List the receipts issued: who (API token id or operator), which case, when.",
        discussion: """
            One line per receipt: time (UTC), case id, attestation id, channel (api or cli) and \
            accessor (the API token's id, or the operator's name). Newest first.

            Exit codes: 0 listed (also when empty); 2 usage or infrastructure error.
            """)

    @Option(name: .customLong("case"), help: "Only receipts of this case.")
    var caseID: Int64?

    @Option(help: "Only receipts issued at or after this time (ISO 8601, e.g. 2026-11-28 or 2026-11-28T06:00:00Z).")
    var since: String?

    @Option(help: "At most this many lines.")
    var limit: Int = 1000

    @Flag(help: "One JSON object per line.")
    var json = false

    @OptionGroup var service: ServiceOptions

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be positive") }
        if let since, Self.parse(since) == nil {
            throw ValidationError("--since must be an ISO 8601 date or date-time (e.g. 2026-11-28T06:00:00Z)")
        }
    }

    static func parse(_ text: String) -> Date? {
        let full = ISO8601DateFormatter()
        full.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        return full.date(from: text) ?? plain.date(from: text) ?? day.date(from: text)
    }

    func run() async throws {
        service.bootstrapLogging()
        let logger = Logger(label: "caseattest.access-log")
        do {
            let database = try service.databasePool(logger: logger, maxConnections: 1)
            let entries: [ReceiptAccessLog.Entry]
            do {
                entries = try await ReceiptAccessLog(database: database)
                    .entries(caseID: caseID, since: since.flatMap(Self.parse), limit: limit)
            } catch {
                await database.close()
                throw error
            }
            await database.close()
            let format = ISO8601DateFormatter()
            format.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            for entry in entries {
                let time = format.string(from: entry.accessedAt)
                if json {
                    let object: [String: Any] = [
                        "accessed_at": time, "case_id": Int(entry.caseID), "attestation_id": Int(entry.attestationID),
                        "channel": entry.channel, "accessor": entry.accessor,
                    ]
                    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                    print(String(decoding: data, as: UTF8.self))
                } else {
                    print(
                        "\(time) case \(entry.caseID) attestation \(entry.attestationID) "
                            + "\(entry.channel) \(entry.accessor)")
                }
            }
        } catch {
            CommandFailure.exit("access-log", error)
        }
    }
}
