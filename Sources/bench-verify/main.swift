// bench-verify: the data and the naive peer for bench/50-verify.sh.
//
//   bench-verify setup --cases N --batches B     fresh database, N attested cases in B anchored batches;
//                                                prints shell assignments (BENCH_*) to eval
//   bench-verify naive --database-url URL --contract ADDR --pseudonym-key-file F
//                                                the naive design: rows in bulk, then one eth_call
//                                                (verifyContentHash) per case, one after another
//   bench-verify teardown --database-url URL     drops the bench database
//
// Reads DATABASE_URL (the server) and CASEATTEST_RPC_URL. Uses the dev
// chain's public dev key to deploy and anchor (dev chain only).
import Attestation
import AttestationService
import Ethereum
import EthereumRPC
import Foundation
import Logging
import Postgres
import Registry

let logger: Logger = {
    var logger = Logger(label: "bench-verify", factory: { _ in SwiftLogNoOpLogHandler() })
    logger.logLevel = .critical
    return logger
}()

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("bench-verify: \(message)\n".utf8))
    exit(2)
}

func option(_ name: String, _ arguments: [String]) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

func environment(_ name: String) -> String {
    guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { fail("\(name) is not set") }
    return value
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "setup":
        try await BenchSetup(
            cases: Int(option("--cases", arguments) ?? "10000") ?? 10000,
            batches: Int(option("--batches", arguments) ?? "4") ?? 4
        ).run()
    case "naive":
        try await NaiveVerifier(
            databaseURL: option("--database-url", arguments) ?? environment("DATABASE_URL"),
            contract: try Address(hex: option("--contract", arguments) ?? environment("CASEATTEST_CONTRACT")),
            keyFile: option("--pseudonym-key-file", arguments) ?? environment("CASEATTEST_PSEUDONYM_KEY_FILE")
        )
        .run()
    case "teardown":
        guard let url = option("--database-url", arguments), let name = URLComponents(string: url)?.path.dropFirst(),
            name.hasPrefix("caseattest_bench_")
        else { fail("teardown needs --database-url of a caseattest_bench_ database") }
        try await BenchSetup.admin(environment("DATABASE_URL")) {
            try $0.simpleExecute("DROP DATABASE IF EXISTS \(try $0.quoteIdentifier(String(name))) WITH (FORCE)")
        }
    default:
        fail("usage: bench-verify setup|naive|teardown [options]")
    }
} catch {
    fail("\(error)")
}
