import Foundation
import Testing

/// The text log format (`DeferredMetadataLogHandler` around swift-log's
/// StreamLogHandler) writes the lines StreamLogHandler writes: level, label,
/// the metadata sorted by key, then the source and the message.
struct LogFormatTests {
    @Test func textLogLinesKeepStreamLogHandlersLayout() async throws {
        try await VerifierWorld.with { world in
            let caseID = try await world.seedCases(1)[0]
            let output = try await CLI.run(["attest", "--case", String(caseID)], environment: world.cliEnvironment())
            #expect(output.status == 0, "stderr: \(output.stderr)")
            let line = try #require(output.stderr.split(separator: "\n").first { $0.contains("attestation requested") })
            // StreamLogHandler's timestamp: %Y-%m-%dT%H:%M:%S%z, then one space.
            let timestamp = line.prefix { $0 != " " }
            #expect(timestamp.count == 24 && timestamp.dropFirst(4).first == "-", "\(line)")
            let expected =
                " info caseattest.attest: case_id=\(caseID) source=cli version=1 [AttestationService] "
                + "attestation requested"
            #expect(line.dropFirst(timestamp.count) == expected)
        }
    }
}
