import ArgumentParser
import AttestationAPI

/// `caseattest api-token new --role ROLE`: a fresh bearer token for the HTTP API.
struct APIToken: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-token",
        abstract: "Make bearer tokens for the HTTP API.",
        subcommands: [New.self])

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new random token (line 1) and the tokens-file line that admits it (line 2).",
            discussion: """
                The token is 32 random bytes as base64url. Give it to the caller; add the second line \
                (the role and the token's SHA-256, never the token) to CASEATTEST_API_TOKENS_FILE and \
                restart `caseattest serve`.
                """)

        @Option(help: "backend (request and read attestations) or auditor (read, verification, receipts).")
        var role: String

        func validate() throws {
            guard APIRole(rawValue: role) != nil else { throw ValidationError("--role must be backend or auditor") }
        }

        func run() throws {
            guard let role = APIRole(rawValue: role) else { throw ValidationError("--role must be backend or auditor") }
            let made = NewAPIToken.generate(role: role)
            print(made.token)
            print(made.fileLine)
        }
    }
}
