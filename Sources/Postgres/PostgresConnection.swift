import CLibPQ
import Foundation
import Logging

/// One libpq connection (PGconn). Its calls block the calling thread, so use
/// it from one thread at a time and never from Swift's cooperative pool:
/// `PostgresPool` hands connections to its own threads, and the migrator and
/// listener run on dedicated threads.
public final class PostgresConnection {
    private var handle: OpaquePointer?
    private let notices: Unmanaged<NoticeRouter>
    public let logger: Logger
    /// When set, `query` prepares each distinct statement once for this
    /// session and then only executes it: the server skips planning, which
    /// costs more than running a key lookup. For sessions whose statements
    /// are few and hot (the API's pool); results are the same either way.
    public var preparesStatements = false
    private var prepared = PreparedStatements()

    private init(handle: OpaquePointer, logger: Logger) {
        self.handle = handle
        self.logger = logger
        notices = Unmanaged.passRetained(NoticeRouter(logger: logger))
        PQsetNoticeReceiver(handle, noticeReceiver, notices.toOpaque())
    }

    deinit {
        close()
    }

    /// Opens a connection from a `postgres://` or `postgresql://` URL (libpq
    /// parses it), then pins the session to UTC and ISO dates so timestamps
    /// decode predictably. Errors never contain the password.
    public static func connect(
        url: String, limits: PostgresSessionLimits = .none,
        searchPath: PostgresSearchPath = .service,
        logger: Logger
    ) throws -> PostgresConnection {
        try PostgresURL.validate(url)
        // Earlier keys are defaults the URL may override; client_encoding
        // comes after the URL because decoding assumes UTF-8. TCP keepalives
        // and a user timeout let a half-open connection (a cut cable, a
        // failed-over server) fail in about half a minute instead of hours.
        let parameters = [
            ("connect_timeout", "10"),
            ("application_name", "caseattest"),
            ("keepalives", "1"),
            ("keepalives_idle", "10"),
            ("keepalives_interval", "5"),
            ("keepalives_count", "3"),
            ("tcp_user_timeout", "30000"),
            ("dbname", url),
            ("client_encoding", "UTF8"),
        ]
        let raw = openConnection(parameters)
        guard let raw else {
            throw PostgresError(.connectionFailed, message: "libpq could not allocate a connection")
        }
        guard PQstatus(raw) == CONNECTION_OK else {
            let message = PostgresURL.scrub(Self.errorMessage(raw), url: url)
            PQfinish(raw)
            throw PostgresError(.connectionFailed, message: message)
        }
        let connection = PostgresConnection(handle: raw, logger: logger)
        // JIT compiles large bulk statements for hundreds of milliseconds and
        // never pays off on this service's short queries.
        try connection.simpleExecute(
            "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET jit = off" + limits.settings
                + searchPath.setting)
        return connection
    }

    private static func openConnection(_ parameters: [(String, String)]) -> OpaquePointer? {
        let keys = parameters.map { strdup($0.0) }
        let values = parameters.map { strdup($0.1) }
        defer {
            keys.forEach { free($0) }
            values.forEach { free($0) }
        }
        let keyArray = keys.map { UnsafePointer<CChar>($0) } + [nil]
        let valueArray = values.map { UnsafePointer<CChar>($0) } + [nil]
        return PQconnectdbParams(keyArray, valueArray, 1)
    }

    /// Closes the connection; later calls fail with `connectionFailed`.
    public func close() {
        guard let handle else { return }
        PQfinish(handle)
        self.handle = nil
        // Released only after PQfinish, so libpq can no longer call the receiver.
        notices.release()
    }

    public var isOpen: Bool { handle != nil }

    /// True while libpq believes the connection is usable.
    public var isHealthy: Bool {
        guard let handle else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// True when the session is idle outside a transaction block.
    public var isIdle: Bool {
        guard let handle else { return false }
        return PQtransactionStatus(handle) == PQTRANS_IDLE
    }

    /// The server process id serving this connection (for pg_terminate_backend, logs).
    public var backendPID: Int32 {
        guard let handle else { return 0 }
        return PQbackendPID(handle)
    }

    var rawHandle: OpaquePointer? { handle }

    // MARK: Queries

    /// Runs one statement with its values bound as `$1...$n` (PQexecParams).
    /// Errors carry the SQLSTATE and the server's primary message, scrubbed
    /// of the bound values.
    @discardableResult
    public func query(_ query: PostgresQuery) throws -> PostgresQueryResult {
        let handle = try liveHandle()
        let parameters = try query.binds.enumerated().map { try $0.element.wireParameter(position: $0.offset + 1) }
        var statement: String?
        let result = try Self.withCParameters(parameters) { types, values, lengths, formats in
            execute(
                query.sql, on: handle, types: types, values: values, lengths: lengths, formats: formats,
                statement: &statement)
        }
        defer { PQclear(result) }
        try check(result, binds: query.binds)
        guard let statement else { return Self.readResult(result, shape: nil).result }
        let (read, shape) = Self.readResult(result, shape: prepared.shape(of: statement))
        prepared.remember(shape, of: statement)
        return read
    }

    /// Statements this session has prepared (for tests).
    var preparedCount: Int { prepared.count }

    /// PQexecParams, or PQexecPrepared of the statement prepared on first use
    /// when `preparesStatements` is set. A failed preparation is returned as
    /// the result (its error is the statement's).
    private func execute(
        _ sql: String, on handle: OpaquePointer, types: [Oid], values: [UnsafePointer<CChar>?], lengths: [Int32],
        formats: [Int32], statement: inout String?
    ) -> OpaquePointer? {
        let count = Int32(types.count)
        guard preparesStatements else { return PQexecParams(handle, sql, count, types, values, lengths, formats, 0) }
        let key = PreparedStatements.Key(sql: sql, types: types.map { UInt32($0) })
        var name = prepared.name(for: key)
        if name == nil, let fresh = prepared.reserve(key) {
            let made = PQprepare(handle, fresh, sql, count, types)
            guard made.map(PQresultStatus) == PGRES_COMMAND_OK else {
                prepared.forget(key)
                return made
            }
            PQclear(made)
            name = fresh
        }
        guard let name else { return PQexecParams(handle, sql, count, types, values, lengths, formats, 0) }
        let result = PQexecPrepared(handle, name, count, values, lengths, formats, 0)
        // 0A000 "cached plan must not change result type": a migration changed
        // what the statement returns; this call fails, the next prepares anew.
        if let result, Self.field(result, "C") == "0A000" { prepared.forget(key) }
        statement = name
        return result
    }

    /// Runs a script of one or more statements with no parameters (PQexec),
    /// for migrations and session setup. It takes no values on purpose.
    public func simpleExecute(_ script: String) throws {
        let handle = try liveHandle()
        let result = PQexec(handle, script)
        defer { PQclear(result) }
        try check(result, binds: [])
    }

    /// Runs `body` inside BEGIN/COMMIT; rolls back when it throws or when a
    /// statement inside failed (a COMMIT would silently roll back then).
    @discardableResult
    public func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try simpleExecute("BEGIN")
        let value: T
        do {
            value = try body(self)
        } catch {
            rollbackQuietly()
            throw error
        }
        if let handle, PQtransactionStatus(handle) == PQTRANS_INERROR {
            rollbackQuietly()
            throw PostgresError(
                .transactionAborted, message: "the transaction was aborted by an earlier error and has been rolled back"
            )
        }
        try simpleExecute("COMMIT")
        return value
    }

    func rollbackQuietly() {
        do {
            try simpleExecute("ROLLBACK")
        } catch {
            logger.warning("ROLLBACK failed", metadata: ["error": "\(error)"])
        }
    }

    /// Sends a notification through `pg_notify`, with channel and payload bound as values.
    public func notify(channel: String, payload: String = "") throws {
        try query("SELECT pg_notify(\(channel), \(payload))")
    }

    /// Quotes a name as an SQL identifier (PQescapeIdentifier), for the few
    /// statements such as LISTEN that cannot take a bound parameter.
    public func quoteIdentifier(_ name: String) throws -> String {
        let handle = try liveHandle()
        let utf8 = Array(name.utf8)
        guard !utf8.contains(0) else {
            throw PostgresError(.invalidParameter, message: "an identifier cannot contain a NUL character")
        }
        guard let quoted = PQescapeIdentifier(handle, name, utf8.count) else {
            throw PostgresError(
                .invalidParameter, message: "could not quote the identifier: \(Self.errorMessage(handle))")
        }
        defer { PQfreemem(quoted) }
        return String(cString: quoted)
    }

    // MARK: Internals

    private func liveHandle() throws -> OpaquePointer {
        guard let handle else {
            throw PostgresError(.connectionFailed, message: "the connection is closed")
        }
        return handle
    }

    private func check(_ result: OpaquePointer?, binds: [PostgresValue]) throws {
        let status = result.map(PQresultStatus) ?? PGRES_FATAL_ERROR
        switch status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return
        default:
            throw makeError(result, binds: binds)
        }
    }

    private func makeError(_ result: OpaquePointer?, binds: [PostgresValue]) -> PostgresError {
        let sqlState = result.flatMap { Self.field($0, "C") }
        var message = result.flatMap { Self.field($0, "M") }
        if message == nil, let handle { message = Self.errorMessage(handle) }
        let code: PostgresError.Code = isHealthy ? .queryFailed : .connectionFailed
        let text = BindRedaction.scrub(message ?? "unknown error", binds: binds)
        return PostgresError(code, sqlState: sqlState, message: text)
    }

    static func field(_ result: OpaquePointer, _ code: Unicode.Scalar) -> String? {
        guard let pointer = PQresultErrorField(result, Int32(code.value)) else { return nil }
        return String(cString: pointer)
    }

    static func errorMessage(_ handle: OpaquePointer) -> String {
        guard let pointer = PQerrorMessage(handle) else { return "unknown libpq error" }
        let text = String(cString: pointer).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "unknown libpq error" : text
    }

    private static func withCParameters<R>(
        _ parameters: [WireParameter],
        _ body: ([Oid], [UnsafePointer<CChar>?], [Int32], [Int32]) throws -> R
    ) throws -> R {
        var buffers: [UnsafeMutablePointer<CChar>?] = []
        defer { buffers.forEach { $0?.deallocate() } }
        var lengths: [Int32] = []
        for (position, parameter) in parameters.enumerated() {
            guard let bytes = parameter.bytes else {
                buffers.append(nil)
                lengths.append(0)
                continue
            }
            guard let length = Int32(exactly: bytes.count), length < Int32.max else {
                throw PostgresError(.invalidParameter, message: "parameter $\(position + 1) is too large")
            }
            // One extra byte: text parameters are read as NUL-terminated strings.
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
            bytes.withUnsafeBufferPointer { source in
                source.withMemoryRebound(to: CChar.self) { chars in
                    if let base = chars.baseAddress { buffer.update(from: base, count: bytes.count) }
                }
            }
            buffer[bytes.count] = 0
            buffers.append(buffer)
            lengths.append(length)
        }
        return try body(
            parameters.map { Oid($0.typeOID) },
            buffers.map { $0.map { UnsafePointer($0) } },
            lengths,
            parameters.map { $0.binary ? 1 : 0 }
        )
    }

    /// The result's rows and its columns. `shape`: the columns a prepared
    /// statement returned before (its shape cannot change while it stays
    /// prepared), reused when the types still agree instead of reading
    /// every name again.
    private static func readResult(
        _ result: OpaquePointer?, shape: PostgresColumns?
    ) -> (result: PostgresQueryResult, shape: PostgresColumns?) {
        guard let result else { return (PostgresQueryResult(rows: [], columns: [], affectedRows: nil), nil) }
        let fieldCount = PQnfields(result)
        let rowCount = PQntuples(result)
        let shared: PostgresColumns
        if let shape, shape.columns.count == Int(fieldCount),
            shape.columns.indices.allSatisfy({ shape.columns[$0].typeOID == UInt32(PQftype(result, Int32($0))) })
        {
            shared = shape
        } else {
            shared = PostgresColumns(
                (0..<fieldCount).map { field in
                    PostgresColumn(
                        name: String(cString: PQfname(result, field)), typeOID: UInt32(PQftype(result, field)))
                })
        }
        let columns = shared.columns
        let cells = PostgresCells(result, rows: Int(rowCount), fields: Int(fieldCount))
        let rows = (0..<Int(rowCount)).map { PostgresRow(columns: shared, cells: cells, row: $0) }
        let tag = PQcmdTuples(result).map { String(cString: $0) } ?? ""
        return (PostgresQueryResult(rows: rows, columns: columns, affectedRows: Int(tag)), shared)
    }
}

/// A connection belongs to one thread at a time; sharing it is a bug.
@available(*, unavailable)
extension PostgresConnection: Sendable {}
