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
        /// The point at which the anchors were required to be final.
        let finality: Finality

        var allVerified: Bool { unreadable == 0 && verdicts.allVerified }

        var json: JSONValue {
            var summary: [(key: String, value: JSONValue)] = []
            if case .object(let counts) = verdicts.json { summary = counts }
            summary.append(("unreadable", .number(Double(unreadable))))
            summary.append(("finality", .string(finality.description)))
            return .object([
                (
                    "receipts",
                    .array(
                        entries.map { entry in
                            .object([
                                ("file", .string(entry.file)),
                                (
                                    "verdict",
                                    entry.outcome.map { .string($0.verdict.rawValue) } ?? .string("unreadable")
                                ),
                                ("reason", .string(entry.outcome?.reason ?? entry.unreadable ?? "")),
                            ])
                        })
                ),
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
            lines.append(
                "\(entries.count) receipts" + (parts.isEmpty ? "" : ": " + parts.joined(separator: ", "))
                    + (unreadable == 0 ? "" : ", \(unreadable) unreadable"))
            let waiting = verdicts.count(.unconfirmed)
            if waiting > 0 { lines.append(ReceiptFolder.notFinalYet(waiting, finality)) }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    struct ParseFailure: Error {
        let reason: String
    }

    static func parse(_ path: String) -> Result<PortableReceipt, ParseFailure> {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 1 << 20 else {
            return .failure(ParseFailure(reason: "cannot read it, or larger than 1 MiB"))
        }
        do {
            return .success(try PortableReceipt(bytes: [UInt8](data)))
        } catch let error as ReceiptError {
            return .failure(ParseFailure(reason: error.message))
        } catch {
            return .failure(ParseFailure(reason: "not a receipt"))
        }
    }

    static func verify(directory: String, with verifier: ReceiptVerifier) async throws -> Summary {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }
                .sorted()
        } catch {
            throw CommandFailure(2, "cannot read the directory \(directory)")
        }
        // Read and parsed on every core, in chunks; kept in file order.
        let chunk = max(1, names.count / (4 * max(1, ProcessInfo.processInfo.activeProcessorCount)) + 1)
        var parsed = [Result<PortableReceipt, ParseFailure>?](repeating: nil, count: names.count)
        await withTaskGroup(of: (Int, [Result<PortableReceipt, ParseFailure>]).self) { group in
            for start in stride(from: 0, to: names.count, by: chunk) {
                let slice = Array(names[start..<min(start + chunk, names.count)])
                group.addTask { (start, slice.map { parse((directory as NSString).appendingPathComponent($0)) }) }
            }
            for await (start, results) in group {
                for (offset, result) in results.enumerated() { parsed[start + offset] = result }
            }
        }
        var receipts: [PortableReceipt] = []
        var files: [String] = []
        var unreadable: [Entry] = []
        for (name, result) in zip(names, parsed) {
            switch result {
            case .success(let receipt)?:
                receipts.append(receipt)
                files.append(name)
            case .failure(let failure)?:
                unreadable.append(Entry(file: name, outcome: nil, unreadable: failure.reason))
            case nil:
                unreadable.append(Entry(file: name, outcome: nil, unreadable: "not read"))
            }
        }
        let outcomes = try await verifier.verifyAll(receipts)
        var entries = zip(files, outcomes).map { Entry(file: $0, outcome: $1, unreadable: nil) } + unreadable
        entries.sort { $0.file < $1.file }
        return Summary(
            entries: entries, verdicts: VerdictSummary(outcomes.map(\.verdict)), unreadable: unreadable.count,
            finality: verifier.finality)
    }

    /// What `unconfirmed` means for a receipt: on chain, not final yet.
    static func notFinalYet(_ count: Int, _ finality: Finality) -> String {
        let what = count == 1 ? "the transaction is" : "\(count) receipts' transactions are"
        return "\(what) mined but not yet final at --finality \(finality): verify again later"
    }
}
