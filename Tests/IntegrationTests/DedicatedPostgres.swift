import Foundation

/// A PostgreSQL cluster of one test's own (tests/support/pg_cluster.sh), so
/// the test can restart the server mid-run without touching the cluster the
/// other tests share.
final class DedicatedPostgres: @unchecked Sendable {
    let directory: String
    let url: String

    private init(directory: String, url: String) {
        self.directory = directory
        self.url = url
    }

    static func start(name: String) async throws -> DedicatedPostgres {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("caseattest-pg-" + UUID().uuidString.prefix(8).lowercased()).path
        let url = try await script("start", directory)
        print("[\(name)] own PostgreSQL cluster at \(url)")
        return DedicatedPostgres(directory: directory, url: url)
    }

    /// A fast shutdown (every connection cut) and a start on the same port.
    func restart() async throws {
        _ = try await Self.script("restart", directory)
    }

    func stop() async {
        _ = try? await Self.script("stop", directory)
    }

    private static func script(_ command: String, _ directory: String) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [DaemonEnvironment.repoRoot + "/tests/support/pg_cluster.sh", command, directory]
        // A file, not a pipe: the server started by the script would hold a
        // pipe open and a read to its end would never return.
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("pg-cluster-\(UUID().uuidString).out").path
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        guard let output = FileHandle(forWritingAtPath: outputPath) else { throw HarnessError("cannot write \(outputPath)") }
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? output.close()
        while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw HarnessError("pg_cluster.sh \(command) failed: \(text.suffix(400))")
        }
        return text.split(separator: "\n").last.map(String.init) ?? ""
    }
}
