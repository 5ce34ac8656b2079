import Foundation
import PKCS11
import Testing

/// A throwaway SoftHSM2 token for this test process: a config and token
/// directory in a temp dir (SOFTHSM2_CONF points there, set before the module
/// is first loaded), initialised with `softhsm2-util --init-token --free`.
/// Without SoftHSM2 installed the tests say they skip, unless
/// CASEATTEST_REQUIRE_SERVICES=1 (then it is a failure).
struct SoftHSMToken: Sendable {
    static let label = "caseattest-unit"
    static let pin = "4711-unit"
    static let modulePaths = ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"]

    let module: String
    let directory: String

    /// nil (and a SKIP line) when SoftHSM2 is missing.
    static let shared: SoftHSMToken? = make()

    static func require(_ test: String = #function) -> SoftHSMToken? {
        if let shared { return shared }
        let reason =
            "SoftHSM2 (Debian softhsm2: softhsm2-util and libsofthsm2.so) is not installed; run scripts/install-deps.sh"
        if ProcessInfo.processInfo.environment["CASEATTEST_REQUIRE_SERVICES"] == "1" {
            Issue.record("\(test): \(reason), but CASEATTEST_REQUIRE_SERVICES=1")
        } else {
            print("SKIP \(test): \(reason)")
        }
        return nil
    }

    private static func make() -> SoftHSMToken? {
        guard let module = modulePaths.first(where: { FileManager.default.fileExists(atPath: $0) }),
            FileManager.default.isExecutableFile(atPath: "/usr/bin/softhsm2-util")
        else { return nil }
        let directory = NSTemporaryDirectory() + "caseattest-softhsm-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: directory + "/tokens", withIntermediateDirectories: true)
        let config = "directories.tokendir = \(directory)/tokens\nobjectstore.backend = file\nlog.level = ERROR\n"
        try! config.write(toFile: directory + "/softhsm2.conf", atomically: true, encoding: .utf8)
        try! pin.write(toFile: directory + "/pin", atomically: true, encoding: .utf8)
        try! "wrong-pin\n".write(toFile: directory + "/wrong-pin", atomically: true, encoding: .utf8)
        setenv("SOFTHSM2_CONF", directory + "/softhsm2.conf", 1)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/softhsm2-util")
        process.arguments = ["--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", "so-\(pin)"]
        process.standardOutput = FileHandle.nullDevice
        try! process.run()
        process.waitUntilExit()
        precondition(process.terminationStatus == 0, "softhsm2-util --init-token failed")
        return SoftHSMToken(module: module, directory: directory)
    }

    func configuration(key: String, pinFile: String? = nil) -> PKCS11Configuration {
        PKCS11Configuration(
            modulePath: module, tokenLabel: Self.label, keyLabel: key, pinFile: pinFile ?? directory + "/pin")
    }

    /// A key generated once per label for this process.
    func key(_ label: String) throws -> PKCS11Configuration {
        let configuration = configuration(key: label)
        do {
            _ = try PKCS11KeyGenerator.generate(configuration)
        } catch {
            if !error.isKeyExists { throw error }
        }
        return configuration
    }
}

/// The error opening a signer with `configuration` gives; nil when it opened.
func openingError(_ configuration: PKCS11Configuration) -> PKCS11Error? {
    do {
        _ = try PKCS11Signer(configuration)
        return nil
    } catch {
        return error
    }
}
