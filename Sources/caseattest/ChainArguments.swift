import ArgumentParser
import Attestation
import AttestationService

/// Chain settings as command-line values.
extension FeeModel: ExpressibleByArgument {}

extension Finality: ExpressibleByArgument {
    public init?(argument: String) {
        guard let parsed = try? Finality(parsing: argument) else { return nil }
        self = parsed
    }
}
