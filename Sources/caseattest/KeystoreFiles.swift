import ArgumentParser
import Ethereum
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File handling shared by the `keys` subcommands.
enum KeystoreFiles {
    /// Writes `contents` to a new file with mode 0600; refuses to replace an
    /// existing file (O_EXCL), and removes a partly written one.
    static func createNew(path: String, contents: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let reason = errno == EEXIST ? "file exists; refusing to overwrite" : String(cString: strerror(errno))
            throw KeysCommandError("cannot create \(path): \(reason)")
        }
        var written = 0
        while written < contents.count {
            let result = contents[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                let reason = String(cString: strerror(errno))
                close(fd)
                unlink(path)
                throw KeysCommandError("cannot write \(path): \(reason)")
            }
            written += result
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard synced else {
            unlink(path)
            throw KeysCommandError("cannot sync \(path)")
        }
    }

    static func readFile(path: String, what: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KeysCommandError("cannot read \(what) \(path)")
        }
        return Array(data)
    }

    static func kdf(named name: String) throws -> KeystoreKDF {
        switch name {
        case "scrypt": return .standard
        case "scrypt-light": return .light
        case "pbkdf2": return .pbkdf2(iterations: 262_144)
        default: throw ValidationError("--kdf must be scrypt, scrypt-light or pbkdf2")
        }
    }
}
