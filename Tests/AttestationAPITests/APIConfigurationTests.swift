import Testing

@testable import AttestationAPI

@Suite struct APIConfigurationTests {
    /// Four pool connections a core, within 4...32 (the 2-core bench gets 8).
    @Test func defaultPoolFollowsTheCores() {
        #expect(APIConfiguration.defaultDatabaseConnections(cores: 1) == 4)
        #expect(APIConfiguration.defaultDatabaseConnections(cores: 2) == 8)
        #expect(APIConfiguration.defaultDatabaseConnections(cores: 6) == 24)
        #expect(APIConfiguration.defaultDatabaseConnections(cores: 64) == 32)
        #expect(APIConfiguration.defaultDatabaseConnections(cores: 0) == 4)
    }
}
