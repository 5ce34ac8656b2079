/// Names the fields in which two case documents differ, for `record-changed`
/// reasons: "case.resolved_at", "appointments[id=12].status",
/// "appointments[id=13] removed", "appointments[id=14] added". Arrays whose
/// elements are objects with a numeric `id` are matched by id (appointments),
/// other arrays by position. The salt is compared like any other member.
public enum DocumentDiff {
    /// Paths that differ from `attested` to `current`, in document order.
    public static func changedFields(attested: JSONValue, current: JSONValue) -> [String] {
        var paths: [String] = []
        compare(attested, current, path: "", into: &paths)
        return paths
    }

    private static func compare(_ old: JSONValue, _ new: JSONValue, path: String, into paths: inout [String]) {
        switch (old, new) {
        case let (.object(oldMembers), .object(newMembers)):
            compareObjects(oldMembers, newMembers, path: path, into: &paths)
        case let (.array(oldElements), .array(newElements)):
            if let oldByID = keyedByID(oldElements), let newByID = keyedByID(newElements) {
                compareKeyed(oldByID, newByID, path: path, into: &paths)
            } else {
                compareByPosition(oldElements, newElements, path: path, into: &paths)
            }
        default:
            if old != new { paths.append(path.isEmpty ? "(document)" : path) }
        }
    }

    private static func compareObjects(
        _ old: [(key: String, value: JSONValue)], _ new: [(key: String, value: JSONValue)],
        path: String, into paths: inout [String]
    ) {
        let newKeys = Set(new.map(\.key))
        for member in old {
            let memberPath = join(path, member.key)
            if let counterpart = new.first(where: { $0.key == member.key }) {
                compare(member.value, counterpart.value, path: memberPath, into: &paths)
            } else {
                paths.append(memberPath + " removed")
            }
        }
        let oldKeys = Set(old.map(\.key))
        for member in new where !oldKeys.contains(member.key) && newKeys.contains(member.key) {
            paths.append(join(path, member.key) + " added")
        }
    }

    private static func compareKeyed(
        _ old: [(id: String, value: JSONValue)], _ new: [(id: String, value: JSONValue)],
        path: String, into paths: inout [String]
    ) {
        let newByID = Dictionary(new.map { ($0.id, $0.value) }, uniquingKeysWith: { first, _ in first })
        let oldIDs = Set(old.map(\.id))
        for element in old {
            let elementPath = "\(path)[id=\(element.id)]"
            if let counterpart = newByID[element.id] {
                compare(element.value, counterpart, path: elementPath, into: &paths)
            } else {
                paths.append(elementPath + " removed")
            }
        }
        for element in new where !oldIDs.contains(element.id) {
            paths.append("\(path)[id=\(element.id)] added")
        }
    }

    private static func compareByPosition(
        _ old: [JSONValue], _ new: [JSONValue], path: String, into paths: inout [String]
    ) {
        for index in 0..<max(old.count, new.count) {
            let elementPath = "\(path)[\(index)]"
            switch (index < old.count, index < new.count) {
            case (true, true): compare(old[index], new[index], path: elementPath, into: &paths)
            case (true, false): paths.append(elementPath + " removed")
            default: paths.append(elementPath + " added")
            }
        }
    }

    /// The elements with their ids when every element is an object with an
    /// integral numeric `id` and no id repeats; nil otherwise.
    private static func keyedByID(_ elements: [JSONValue]) -> [(id: String, value: JSONValue)]? {
        var result: [(id: String, value: JSONValue)] = []
        var seen = Set<String>()
        for element in elements {
            guard case .number(let number)? = element["id"], number.rounded() == number,
                number.magnitude <= 9_007_199_254_740_992
            else { return nil }
            let id = String(Int64(number))
            guard seen.insert(id).inserted else { return nil }
            result.append((id, element))
        }
        return result
    }

    private static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : path + "." + key
    }
}
