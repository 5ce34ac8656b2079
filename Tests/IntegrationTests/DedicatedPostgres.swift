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

    /// Runs the script with posix_spawn and reaps it with waitpid: Foundation's
    /// Process left this child unreaped here (the server it starts outlives it).
    private static func script(_ command: String, _ directory: String) async throws -> String {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pg-cluster-\(UUID().uuidString).out"
        ).path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let arguments = ["/bin/bash", DaemonEnvironment.repoRoot + "/tests/support/pg_cluster.sh", command, directory]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/bash", &actions, nil, argv, environ)
        guard spawned == 0 else { throw HarnessError("cannot start pg_cluster.sh: errno \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 { try await Task.sleep(for: .milliseconds(50)) }
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // WIFEXITED && WEXITSTATUS == 0, spelled out (the C macros are not imported).
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw HarnessError("pg_cluster.sh \(command) failed: \(text.suffix(400))")
        }
        return text.split(separator: "\n").last.map(String.init) ?? ""
    }
}
