import Attestation
import AttestationService
import Foundation

/// `verify-receipt DIR`: every receipt of an archive, the chain asked once
/// per anchor for all of them.
enum ReceiptFolder {
    struct Entry {
        let file: String
        let outcome: VerificationOutcome?
        /// Why the file is not a receipt (nil when it parsed).
        let unreadable: String?
    }

    struct Summary {
        let entries: [Entry]
        let verdicts: VerdictSummary
        let unreadable: Int

        var allVerified: Bool { unreadable == 0 && verdicts.allVerified }

        var json: JSONValue {
            var summary: [(key: String, value: JSONValue)] = []
            if case .object(let counts) = verdicts.json { summary = counts }
            summary.append(("unreadable", .number(Double(unreadable))))
            return .object([
                ("receipts", .array(entries.map { entry in
                    .object([
                        ("file", .string(entry.file)),
                        ("verdict", entry.outcome.map { .string($0.verdict.rawValue) } ?? .string("unreadable")),
                        ("reason", .string(entry.outcome?.reason ?? entry.unreadable ?? "")),
                    ])
                })),
                ("summary", .object(summary)),
            ])
        }

        var text: String {
            var lines: [String] = []
            for entry in entries {
                if let reason = entry.unreadable {
                    lines.append("\(entry.file): unreadable: \(reason)")
                } else if let outcome = entry.outcome, !outcome.isVerified {
                    lines.append("\(entry.file): \(outcome.verdict.rawValue): \(outcome.reason)")
                }
            }
            let parts = Verdict.allCases.compactMap { verdict -> String? in
                verdicts.count(verdict) == 0 ? nil : "\(verdicts.count(verdict)) \(verdict.rawValue)"
            }
            lines.append("\(entries.count) receipts" + (parts.isEmpty ? "" : ": " + parts.joined(separator: ", "))
                         + (unreadable == 0 ? "" : ", \(unreadable) unreadable"))
            return lines.joined(separator: "\n") + "\n"
        }
    }

    static func verify(directory: String, with verifier: ReceiptVerifier) async throws -> Summary {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
        } catch {
            throw CommandFailure(2, "cannot read the directory \(directory)")
        }
        var receipts: [PortableReceipt] = []
        var files: [String] = []
        var unreadable: [Entry] = []
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path), data.count <= 1 << 20 else {
                unreadable.append(Entry(file: name, outcome: nil, unreadable: "cannot read it, or larger than 1 MiB"))
                continue
            }
            do {
                receipts.append(try PortableReceipt(bytes: [UInt8](data)))
                files.append(name)
            } catch let error as ReceiptError {
                unreadable.append(Entry(file: name, outcome: nil, unreadable: error.message))
            } catch {
                unreadable.append(Entry(file: name, outcome: nil, unreadable: "not a receipt"))
            }
        }
        let outcomes = try await verifier.verifyAll(receipts)
        var entries = zip(files, outcomes).map { Entry(file: $0, outcome: $1, unreadable: nil) } + unreadable
        entries.sort { $0.file < $1.file }
        return Summary(entries: entries, verdicts: VerdictSummary(outcomes.map(\.verdict)), unreadable: unreadable.count)
    }
}
