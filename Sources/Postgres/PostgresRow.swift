/// One column of a result: its name and type.
public struct PostgresColumn: Sendable, Hashable {
    public let name: String
    public let typeOID: UInt32

    public init(name: String, typeOID: UInt32) {
        self.name = name
        self.typeOID = typeOID
    }

    public var typeName: String { PostgresTypeOID.name(of: typeOID) }
}

/// The columns of a result, shared by all its rows.
final class PostgresColumns: Sendable {
    let columns: [PostgresColumn]
    let indexByName: [String: Int]

    init(_ columns: [PostgresColumn]) {
        self.columns = columns
        var index: [String: Int] = [:]
        // The first column of a name wins, as in most drivers.
        for (position, column) in columns.enumerated() where index[column.name] == nil {
            index[column.name] = position
        }
        indexByName = index
    }
}

/// A result row in PostgreSQL's text format, decoded on demand:
/// `try row.decode(Int64.self, "id")`, `try row.decode(String?.self, at: 2)`.
public struct PostgresRow: Sendable {
    let shared: PostgresColumns
    /// Raw text-format cells; nil is SQL NULL.
    let cells: [[UInt8]?]

    init(columns: PostgresColumns, cells: [[UInt8]?]) {
        self.shared = columns
        self.cells = cells
    }

    public var columns: [PostgresColumn] { shared.columns }
    public var count: Int { cells.count }

    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, _ column: String) throws -> T {
        guard let index = shared.indexByName[column] else {
            throw PostgresError(.decoding, message: "the result has no column named \"\(column)\"")
        }
        return try decode(type, at: index)
    }

    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at index: Int) throws -> T {
        guard cells.indices.contains(index) else {
            throw PostgresError(
                .decoding, message: "the result has no column at index \(index) (it has \(cells.count))")
        }
        let column = shared.columns[index]
        guard let bytes = cells[index] else {
            return try T.decodeNull(column: column)
        }
        return try T.decode(PostgresCell(column: column, bytes: bytes))
    }

    public func isNull(_ column: String) throws -> Bool {
        guard let index = shared.indexByName[column] else {
            throw PostgresError(.decoding, message: "the result has no column named \"\(column)\"")
        }
        return cells[index] == nil
    }
}

/// The rows of a query result and how many rows a command touched.
public struct PostgresQueryResult: Sendable, RandomAccessCollection {
    public let rows: [PostgresRow]
    public let columns: [PostgresColumn]
    /// From the command tag (INSERT/UPDATE/DELETE/SELECT...); nil when the command has none.
    public let affectedRows: Int?

    init(rows: [PostgresRow], columns: [PostgresColumn], affectedRows: Int?) {
        self.rows = rows
        self.columns = columns
        self.affectedRows = affectedRows
    }

    public var startIndex: Int { rows.startIndex }
    public var endIndex: Int { rows.endIndex }
    public subscript(position: Int) -> PostgresRow { rows[position] }
}
