#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension PseudonymKey {
    /// Largest key file we read; a bigger file is surely the wrong file.
    static let maximumFileSize = 64 * 1024

    /// Reads the key from a file (the one file read in this module, so the
    /// service and the CLI load the key the same way). Errors name the path,
    /// never the content.
    public init(contentsOfFile path: String) throws(AttestationError) {
        guard let file = fopen(path, "rb") else {
            let reason = String(cString: strerror(errno))
            throw AttestationError(.pseudonymKeyUnreadable, "cannot open pseudonym key file \(path): \(reason)")
        }
        defer { fclose(file) }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            contents.append(contentsOf: chunk[0..<count])
            if contents.count > Self.maximumFileSize {
                throw AttestationError(
                    .pseudonymKeyUnreadable,
                    "pseudonym key file \(path) is larger than \(Self.maximumFileSize) bytes")
            }
            if count < chunk.count { break }
        }
        if ferror(file) != 0 {
            throw AttestationError(.pseudonymKeyUnreadable, "error reading pseudonym key file \(path)")
        }
        try self.init(bytes: contents)
    }
}
