import ArgumentParser

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply the numbered SQL migrations.")
    func run() async throws {
        throw ValidationError("not wired yet")
    }
}
