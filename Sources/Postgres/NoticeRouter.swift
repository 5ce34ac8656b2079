import CLibPQ
import Logging

/// Receives the server's NOTICE/WARNING messages for one connection and logs
/// them, instead of libpq's default of printing to stderr.
final class NoticeRouter {
    let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func log(_ result: OpaquePointer) {
        let severity = PostgresConnection.field(result, "V") ?? PostgresConnection.field(result, "S") ?? "NOTICE"
        let message = PostgresConnection.field(result, "M") ?? "(no message)"
        var metadata: Logger.Metadata = ["severity": "\(severity)"]
        if let sqlState = PostgresConnection.field(result, "C") { metadata["sqlstate"] = "\(sqlState)" }
        let level: Logger.Level =
            switch severity {
            case "WARNING", "ERROR", "FATAL", "PANIC": .warning
            case "DEBUG": .debug
            default: .notice
            }
        logger.log(level: level, "PostgreSQL \(severity.lowercased()): \(message)", metadata: metadata)
    }
}

/// The C callback libpq calls; `argument` is the connection's retained NoticeRouter.
let noticeReceiver: PQnoticeReceiver = { argument, result in
    guard let argument, let result else { return }
    Unmanaged<NoticeRouter>.fromOpaque(argument).takeUnretainedValue().log(result)
}
