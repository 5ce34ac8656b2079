import ArgumentParser
import Foundation
import Logging

/// Only the executable bootstraps logging; libraries take a `Logger`.
enum LogFormat: String, CaseIterable, Sendable {
    case text, json
}

enum LoggingBootstrap {
    static func bootstrap(format: LogFormat, level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                switch format {
                case .text: DeferredMetadataLogHandler(StreamLogHandler.standardError(label: label))
                case .json: JSONLogHandler(label: label)
                }
            handler.logLevel = level
            return handler
        }
    }
}

/// Keeps a handler's own metadata as a dictionary and hands it over only
/// when a message is logged. StreamLogHandler renders all its metadata each
/// time a key is set, and Hummingbird sets the request id on every request,
/// logged or not (~1.7% of a POST's server CPU). Merged in StreamLogHandler's
/// order (its metadata, the provider's, the message's), so lines are the same.
struct DeferredMetadataLogHandler<Output: LogHandler>: LogHandler {
    private var output: Output
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(_ output: Output) {
        var output = output
        metadataProvider = output.metadataProvider
        output.metadataProvider = nil
        self.output = output
    }

    var logLevel: Logger.Level {
        get { output.logLevel }
        set { output.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty { merged.merge(provided) { $1 } }
        if let explicit = event.metadata { merged.merge(explicit) { $1 } }
        var event = event
        event.metadata = merged.isEmpty ? nil : merged
        output.log(event: event)
    }
}

/// One JSON object per line on stderr, for log collectors.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    private static let lock = NSLock()

    init(label: String) { self.label = label }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var object: [String: String] = [
            "time": ISO8601DateFormatter.string(
                from: Date(), timeZone: .gmt,
                formatOptions: [.withInternetDateTime, .withFractionalSeconds]),
            "level": event.level.rawValue,
            "label": label,
            "message": event.message.description,
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for (key, value) in merged where object[key] == nil { object[key] = "\(value)" }
        guard var line = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        line.append(0x0A)
        Self.lock.withLock { FileHandle.standardError.write(line) }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
extension LogFormat: ExpressibleByArgument {}
