import Foundation
import Testing

/// A SoftHSM2 token of one daemon test, in the test's directory: its own
/// softhsm2.conf (SOFTHSM2_CONF is passed only to the child processes), a
/// token initialised by `softhsm2-util --init-token --free`, and PIN files.
struct HSMTestToken: Sendable {
    static let modulePaths = ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"]
    let module: String
    let label = "caseattest-daemon"
    let keyLabel = "anchor-signer"
    let pinFile: String
    let wrongPinFile: String
    let environment: [String: String]

    /// nil (SKIP, or a failure under CASEATTEST_REQUIRE_SERVICES=1) without SoftHSM2.
    static func make(in directory: String, test: String = #function) throws -> HSMTestToken? {
        guard let module = modulePaths.first(where: { FileManager.default.fileExists(atPath: $0) }),
            FileManager.default.isExecutableFile(atPath: "/usr/bin/softhsm2-util")
        else {
            let reason = "SoftHSM2 (Debian softhsm2) is not installed; run scripts/install-deps.sh"
            if TestEnvironment.required {
                Issue.record("\(test): \(reason), but CASEATTEST_REQUIRE_SERVICES=1")
            } else {
                print("SKIP \(test): \(reason)")
            }
            return nil
        }
        let tokens = directory + "/softhsm-tokens"
        try FileManager.default.createDirectory(atPath: tokens, withIntermediateDirectories: true)
        let conf = directory + "/softhsm2.conf"
        try "directories.tokendir = \(tokens)\nobjectstore.backend = file\nlog.level = ERROR\n"
            .write(toFile: conf, atomically: true, encoding: .utf8)
        let pin = (0..<12).map { _ in String("0123456789".randomElement()!) }.joined()
        let pinFile = directory + "/token.pin", wrongPinFile = directory + "/wrong.pin"
        try (pin + "\n").write(toFile: pinFile, atomically: true, encoding: .utf8)
        try "not-the-pin\n".write(toFile: wrongPinFile, atomically: true, encoding: .utf8)
        let token = HSMTestToken(
            module: module, pinFile: pinFile, wrongPinFile: wrongPinFile,
            environment: ["SOFTHSM2_CONF": conf])
        let result = try token.run(
            "/usr/bin/softhsm2-util",
            ["--init-token", "--free", "--label", token.label, "--pin", pin, "--so-pin", pin + "0"])
        guard result.status == 0 else { throw HarnessError("softhsm2-util --init-token failed: \(result.error)") }
        return token
    }

    /// The `--signer pkcs11` flags for this token's key (PIN from a file).
    func flags(key: String? = nil, pinFile: String? = nil) -> [String] {
        [
            "--pkcs11-module", module, "--pkcs11-token", label, "--pkcs11-key", key ?? keyLabel,
            "--pkcs11-pin-file", pinFile ?? self.pinFile,
        ]
    }

    /// Runs a program with SOFTHSM2_CONF set; its exit status, stdout and stderr.
    func run(
        _ executable: String, _ arguments: [String], extra: [String: String] = [:]
    ) throws
        -> (status: Int32, output: String, error: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment.merge(self.environment) { $1 }
        environment.merge(extra) { $1 }
        process.environment = environment
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}
