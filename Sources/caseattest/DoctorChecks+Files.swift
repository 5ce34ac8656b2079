import Attestation
import AttestationAPI
import Foundation
import Redis

/// Secret files' permissions and contents, the tokens file, and Redis.
extension DoctorChecks {
    /// The secret files configured, by what they hold.
    var secretFiles: [(what: String, path: String)] {
        var files: [(String, String)] = []
        switch try? doctor.signer.source() {
        case .keystore(let path, let passwordFile):
            files += [("signer keystore", path), ("keystore password", passwordFile)]
        case .keyFile(let path):
            files.append(("signer key", path))
        case nil:
            break
        }
        if let path = doctor.pseudonym.path { files.append(("pseudonym key", path)) }
        return files
    }

    func keyPermissions() -> DoctorResult {
        let files = secretFiles
        guard !files.isEmpty else {
            return .fail(
                "key-permissions", "no key file configured",
                fix: "set CASEATTEST_PRIVATE_KEY_FILE and CASEATTEST_PSEUDONYM_KEY_FILE")
        }
        var loose: [String] = [], loosePaths: [String] = []
        for (what, path) in files {
            var info = stat()
            guard stat(path, &info) == 0 else {
                return .fail(
                    "key-permissions", "the \(what) file \(path) cannot be read: \(String(cString: strerror(errno)))",
                    fix: "correct the path, or create the file")
            }
            // Group and others get nothing: 0600 (or 0400, as systemd's credentials are).
            if info.st_mode & 0o077 != 0 {
                loose.append("\(path) (\(what)) is mode \(String(info.st_mode & 0o777, radix: 8))")
                loosePaths.append(path)
            }
        }
        guard loose.isEmpty else {
            return .fail(
                "key-permissions", "readable by group or others: \(loose.joined(separator: "; "))",
                fix: "chmod 600 \(loosePaths.joined(separator: " "))")
        }
        return .ok("key-permissions", "\(files.count) key file(s), none readable by group or others")
    }

    func pseudonymKey() -> DoctorResult {
        guard let path = doctor.pseudonym.path else {
            return .fail(
                "pseudonym-key", "no pseudonym key configured",
                fix:
                    """
                    set CASEATTEST_PSEUDONYM_KEY_FILE to a file of at least \(PseudonymKey.minimumByteCount) random \
                    bytes
                    """
            )
        }
        do {
            _ = try PseudonymKey(contentsOfFile: path)
            return .ok("pseudonym-key", "\(path) holds a key of at least \(PseudonymKey.minimumByteCount) bytes")
        } catch {
            return .fail(
                "pseudonym-key", error.message,
                fix: "write at least \(PseudonymKey.minimumByteCount) random bytes (e.g. 64 hex digits) to \(path)")
        }
    }

    func apiTokens() -> DoctorResult {
        guard let path = doctor.api.tokensPath else {
            return .fail(
                "api-tokens", "no API tokens file: every /v1 call gets 401",
                fix: "set CASEATTEST_API_TOKENS_FILE to a file of lines from `caseattest api-token new --role ROLE`")
        }
        do {
            let store = try TokenStore(contentsOfFile: path)
            guard store.count > 0 else {
                return .fail(
                    "api-tokens", "\(path) admits no token",
                    fix: "add lines from `caseattest api-token new --role ROLE` to \(path)")
            }
            return .ok("api-tokens", "\(path) admits \(store.count) token(s)")
        } catch {
            return .fail(
                "api-tokens", error.description,
                fix: "make \(path) readable by the daemon's user, one `ROLE SHA256HEX` a line")
        }
    }

    func redis() async -> DoctorResult {
        await check("redis", fix: "correct CASEATTEST_REDIS_URL") {
            guard let client = try doctor.api.redis(logger: logger) else {
                return "not configured: rate limits are counted per process (set CASEATTEST_REDIS_URL for replicas)"
            }
            do {
                try await bounded("Redis") { try await client.ping() }
            } catch {
                throw DoctorFailure(
                    problem: "cannot reach \(client.url.redacted): \(error)",
                    fix: "start Redis, or correct CASEATTEST_REDIS_URL (without it each replica counts its own limits)")
            }
            return "reachable at \(client.url.redacted)"
        }
    }
}
