import Foundation

/// The shared conformance vectors: env CASEATTEST_VECTORS, else
/// `../shared/vectors` beside the repository root.
enum Vectors {
    static let root: URL = {
        if let path = ProcessInfo.processInfo.environment["CASEATTEST_VECTORS"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        // Tests/EthereumTests/Vectors.swift -> repository root is three levels up.
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("../shared/vectors").standardized
    }()

    static var available: Bool {
        let present = FileManager.default.fileExists(atPath: root.appendingPathComponent("README.md").path)
        if !present { print("SKIP: shared vectors not found at \(root.path) (set CASEATTEST_VECTORS)") }
        return present
    }

    static func json(_ relativePath: String) throws -> Any {
        let data = try Data(contentsOf: root.appendingPathComponent(relativePath))
        return try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    }
}
