import CLibPQ

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
@usableFromInline
final class PostgresColumns: Sendable {
    @usableFromInline let columns: [PostgresColumn]
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

/// Every cell of a result, copied out of libpq in one buffer (not an array
/// per cell): a page of `verify` is thousands of rows of thirty columns.
@usableFromInline
final class PostgresCells: Sendable {
    let bytes: [UInt8]
    /// Per cell, row by row: where its bytes start in `bytes`.
    let starts: [Int]
    /// Per cell: its length, or -1 for SQL NULL.
    let lengths: [Int32]
    let fields: Int

    init(_ result: OpaquePointer, rows: Int, fields: Int) {
        self.fields = fields
        let count = rows * fields
        var total = 0
        var lengths = [Int32](repeating: -1, count: count)
        for row in 0..<rows {
            for field in 0..<fields where PQgetisnull(result, Int32(row), Int32(field)) != 1 {
                let length = PQgetlength(result, Int32(row), Int32(field))
                lengths[row * fields + field] = length
                total += Int(length)
            }
        }
        var starts = [Int](repeating: 0, count: count)
        bytes = [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            var offset = 0
            for cell in 0..<count where lengths[cell] >= 0 {
                starts[cell] = offset
                let length = Int(lengths[cell])
                let target = UnsafeMutableBufferPointer(rebasing: buffer[offset..<offset + length])
                if let value = PQgetvalue(result, Int32(cell / fields), Int32(cell % fields)) {
                    value.withMemoryRebound(to: UInt8.self, capacity: length) { source in
                        _ = target.initialize(from: UnsafeBufferPointer(start: source, count: length))
                    }
                } else {
                    target.initialize(repeating: 0)
                }
                offset += length
            }
            initialized = offset
        }
        self.starts = starts
        self.lengths = lengths
    }

    /// One row of given cells (nil: NULL), for rows made without a server.
    init(row: [[UInt8]?]) {
        fields = row.count
        lengths = row.map { $0.map { Int32($0.count) } ?? -1 }
        var starts: [Int] = []
        var bytes: [UInt8] = []
        for cell in row {
            starts.append(bytes.count)
            bytes += cell ?? []
        }
        self.starts = starts
        self.bytes = bytes
    }

    /// The bytes of one cell; nil for NULL; throws for a column the result does not have.
    @usableFromInline
    func cell(row: Int, field: Int) throws -> ArraySlice<UInt8>? {
        guard (0..<fields).contains(field) else {
            throw PostgresError(
                .decoding, message: "the result has no column at index \(field) (it has \(fields))")
        }
        let index = row * fields + field
        let length = lengths[index]
        guard length >= 0 else { return nil }
        return bytes[starts[index]..<starts[index] + Int(length)]
    }
}

/// A result row in PostgreSQL's text format, decoded on demand:
/// `try row.decode(Int64.self, "id")`, `try row.decode(String?.self, at: 2)`.
/// `decode` is inlinable so that each caller's types are specialized: a
/// generic call per cell, with its metadata, cost `verify` more than the cell.
public struct PostgresRow: Sendable {
    @usableFromInline let shared: PostgresColumns
    /// The result's cells, shared by all its rows.
    @usableFromInline let cells: PostgresCells
    @usableFromInline let row: Int

    init(columns: PostgresColumns, cells: PostgresCells, row: Int) {
        self.shared = columns
        self.cells = cells
        self.row = row
    }

    /// A row of given cells (nil: NULL), made without a server.
    init(columns: PostgresColumns, cells: [[UInt8]?]) {
        self.init(columns: columns, cells: PostgresCells(row: cells), row: 0)
    }

    public var columns: [PostgresColumn] { shared.columns }
    public var count: Int { cells.fields }

    /// The position of a column, to decode many rows of one result `at:` it
    /// instead of looking its name up in every row.
    public func index(of column: String) throws -> Int {
        guard let index = shared.indexByName[column] else {
            throw PostgresError(.decoding, message: "the result has no column named \"\(column)\"")
        }
        return index
    }

    @inlinable
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, _ column: String) throws -> T {
        try decode(type, at: index(of: column))
    }

    @inlinable
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at index: Int) throws -> T {
        guard let bytes = try cells.cell(row: row, field: index) else {
            return try T.decodeNull(column: shared.columns[index])
        }
        return try T.decode(PostgresCell(column: shared.columns[index], bytes: bytes))
    }

    public func isNull(_ column: String) throws -> Bool {
        try cells.cell(row: row, field: index(of: column)) == nil
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
