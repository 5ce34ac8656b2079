/// The chain profile file: one `[chain ID]` section per chain, then
/// `key = value` lines. `#` starts a comment line; blank lines are ignored.
///
///     [chain 56]
///     name = BNB Smart Chain
///     finality = finalized              # blocks:N | safe | finalized
///     fee-model = legacy                # auto | eip1559 | legacy
///     min-tip-wei = 100000000           # the chain's price floor (wei)
///     block-time = 3                    # typical seconds between blocks
///     explorer-tx = https://bscscan.com/tx/{tx}
///     explorer-address = https://bscscan.com/address/{address}
///
/// `name`, `finality` and `fee-model` are required; `min-tip-wei` defaults
/// to 0 and `block-time` to 12; the explorer templates are optional (https,
/// or http for a local explorer) and must contain their placeholder.
/// A bad file is refused whole, with the line and the reason.
public enum ChainProfileFile {
    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public let line: Int
        public let reason: String
        public var description: String { "chain profiles, line \(line): \(reason)" }
    }

    static let keys: Set<String> = [
        "name", "finality", "fee-model", "min-tip-wei", "block-time", "explorer-tx",
        "explorer-address",
    ]

    public static func parse(_ text: String) throws(ParseError) -> [ChainProfile] {
        var profiles: [ChainProfile] = []
        var current: Section?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = trimmed(raw)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                if let section = current { profiles.append(try section.profile()) }
                let chainID = try sectionHeader(line, line: number)
                if profiles.contains(where: { $0.chainID == chainID }) {
                    throw ParseError(line: number, reason: "chain \(chainID) is described twice")
                }
                current = Section(chainID: chainID, line: number)
                continue
            }
            guard var section = current else {
                throw ParseError(line: number, reason: "a setting before the first [chain ID] section")
            }
            try section.set(line, line: number)
            current = section
        }
        if let section = current { profiles.append(try section.profile()) }
        return profiles
    }

    /// Without spaces, tabs and a carriage return at either end (no Foundation here).
    static func trimmed(_ text: some StringProtocol) -> String {
        let blank: Set<Character> = [" ", "\t", "\r"]
        guard let first = text.firstIndex(where: { !blank.contains($0) }),
            let last = text.lastIndex(where: { !blank.contains($0) })
        else { return "" }
        return String(text[first...last])
    }

    private static func sectionHeader(_ line: String, line number: Int) throws(ParseError) -> UInt64 {
        guard line.hasSuffix("]") else { throw ParseError(line: number, reason: "a section header must end with ]") }
        let inner = line.dropFirst().dropLast().split(separator: " ", omittingEmptySubsequences: true)
        guard inner.count == 2, inner[0] == "chain" else {
            throw ParseError(line: number, reason: "a section header must be [chain ID]")
        }
        guard let chainID = UInt64(inner[1]), chainID > 0 else {
            throw ParseError(line: number, reason: "the chain id must be a positive decimal number")
        }
        return chainID
    }

    /// One chain's settings as they are read.
    private struct Section {
        let chainID: UInt64
        let line: Int
        var values: [String: (value: String, line: Int)] = [:]

        mutating func set(_ text: String, line number: Int) throws(ParseError) {
            guard let equals = text.firstIndex(of: "=") else {
                throw ParseError(line: number, reason: "expected key = value")
            }
            let key = ChainProfileFile.trimmed(text[..<equals])
            var value = String(text[text.index(after: equals)...])
            // A comment after the value: " #" (a URL's fragment has no space before it).
            if let comment = value.firstRange(of: " #") { value = String(value[..<comment.lowerBound]) }
            value = ChainProfileFile.trimmed(value)
            guard ChainProfileFile.keys.contains(key) else {
                throw ParseError(line: number, reason: "unknown key \"\(key)\"")
            }
            guard values[key] == nil else { throw ParseError(line: number, reason: "\(key) is set twice") }
            guard !value.isEmpty else { throw ParseError(line: number, reason: "\(key) has no value") }
            values[key] = (value, number)
        }

        func profile() throws(ParseError) -> ChainProfile {
            func required(_ key: String) throws(ParseError) -> (value: String, line: Int) {
                guard let entry = values[key] else {
                    throw ParseError(line: line, reason: "chain \(chainID) has no \(key)")
                }
                return entry
            }
            let name = try required("name").value
            let finalityEntry = try required("finality")
            let finality: Finality
            do {
                finality = try Finality(parsing: finalityEntry.value)
            } catch {
                throw ParseError(line: finalityEntry.line, reason: error.description)
            }
            let modelEntry = try required("fee-model")
            guard let model = FeeModel(rawValue: modelEntry.value) else {
                throw ParseError(line: modelEntry.line, reason: "fee-model must be auto, eip1559 or legacy")
            }
            var minimumTip: UInt64 = 0
            if let entry = values["min-tip-wei"] {
                guard let wei = UInt64(entry.value) else {
                    throw ParseError(line: entry.line, reason: "min-tip-wei must be a whole number of wei")
                }
                minimumTip = wei
            }
            var blockTime = 12.0
            if let entry = values["block-time"] {
                guard let seconds = Double(entry.value), seconds > 0, seconds <= 3600 else {
                    throw ParseError(
                        line: entry.line,
                        reason: "block-time must be seconds, more than 0 and at most 3600")
                }
                blockTime = seconds
            }
            return ChainProfile(
                chainID: chainID, name: name, finality: finality, feeModel: model,
                minimumTipWei: minimumTip, blockTime: blockTime,
                explorerTransaction: try template("explorer-tx", placeholder: "{tx}"),
                explorerAddress: try template("explorer-address", placeholder: "{address}"))
        }

        private func template(_ key: String, placeholder: String) throws(ParseError) -> String? {
            guard let entry = values[key] else { return nil }
            guard entry.value.hasPrefix("https://") || entry.value.hasPrefix("http://") else {
                throw ParseError(line: entry.line, reason: "\(key) must be an http(s) URL")
            }
            guard entry.value.contains(placeholder) else {
                throw ParseError(line: entry.line, reason: "\(key) must contain \(placeholder)")
            }
            guard !entry.value.contains(where: { $0 == " " || $0 == "\"" || $0 == "<" || $0 == ">" }) else {
                throw ParseError(line: entry.line, reason: "\(key) contains a space, quote or angle bracket")
            }
            return entry.value
        }
    }
}
