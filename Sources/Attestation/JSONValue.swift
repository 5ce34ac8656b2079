/// A JSON value as RFC 8785 (JCS) sees it: numbers are IEEE-754 doubles and
/// object members keep the order they were written or parsed in (the
/// canonical writer sorts them). Equality treats objects as unordered sets of
/// members, so two values are equal exactly when their canonical forms are.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    /// Deepest array/object nesting the parser accepts; deeper input is
    /// rejected instead of exhausting the stack.
    public static let maximumNestingDepth = 512

    /// The member named `key` when this is an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key.utf8.elementsEqual(key.utf8) }?.value
    }

    /// The element at `index` when this is an array and the index exists.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var numberValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }
}

extension JSONValue: Hashable {
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        // -0 and 0 both serialise as "0"; NaN never occurs in parsed input.
        case let (.number(a), .number(b)): return a == b
        // Code point comparison, not Swift's canonical equivalence: JCS keeps
        // "\u00e9" and "e\u0301" apart.
        case let (.string(a), .string(b)): return a.utf8.elementsEqual(b.utf8)
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            guard a.count == b.count else { return false }
            return a.allSatisfy { member in
                b.contains { $0.key.utf8.elementsEqual(member.key.utf8) && $0.value == member.value }
            }
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(1); hasher.combine(value)
        case .number(let value): hasher.combine(2); hasher.combine(value == 0 ? 0 : value)
        case .string(let value): hasher.combine(3); Self.hashScalars(value, into: &hasher)
        case .array(let elements): hasher.combine(4); hasher.combine(elements)
        case .object(let members):
            // Order-independent: sum the members' own hashes.
            hasher.combine(5)
            hasher.combine(members.count)
            var sum = 0
            for member in members {
                var memberHasher = Hasher()
                Self.hashScalars(member.key, into: &memberHasher)
                memberHasher.combine(member.value)
                sum = sum &+ memberHasher.finalize()
            }
            hasher.combine(sum)
        }
    }

    private static func hashScalars(_ text: String, into hasher: inout Hasher) {
        hasher.combine(text.utf8.count)
        for byte in text.utf8 { hasher.combine(byte) }
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(elements.map { (key: $0.0, value: $0.1) })
    }
}
