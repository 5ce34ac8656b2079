import Foundation

/// Locates the read-only conformance vectors: $CASEATTEST_VECTORS, else
/// ../shared/vectors next to the repository root (three levels above this file).
enum Vectors {
    static var root: URL {
        if let override = ProcessInfo.processInfo.environment["CASEATTEST_VECTORS"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        return repositoryRoot.appendingPathComponent("../shared/vectors").standardizedFileURL
    }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// The vector folder, or nil after printing why the caller skips.
    static func directory(_ name: String, for test: String = #function) -> URL? {
        let directory = root.appendingPathComponent(name)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            print("SKIPPED \(test): conformance vectors not found at \(directory.path) (set CASEATTEST_VECTORS)")
            return nil
        }
        return directory
    }

    static func bytes(_ url: URL) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url))
    }
}

/// Deterministic generator for building random inputs from one seed that
/// PropertyBased supplies (so failures reproduce from the reported seed).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
