// Signatures per second of the signer behind the daemon, for bench/15-signer.sh:
// the file key (libsecp256k1 in memory) beside a PKCS #11 token (SoftHSM2 in
// `make bench`), signing EIP-1559 anchor transactions through the one
// TransactionSigner interface. The token is configured by CASEATTEST_PKCS11_*.
import Ethereum
import Foundation
import PKCS11

func seconds(_ duration: Duration) -> Double {
    let (s, attoseconds) = duration.components
    return Double(s) + Double(attoseconds) / 1e18
}

let to = try Address(hex: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
let data = ABI.functionSelector("anchor(bytes32,uint32)") + [UInt8](repeating: 0xAB, count: 64)

/// Signs `count` transactions on `threads` threads; transactions per second.
func rate(_ signer: any TransactionSigner, count: Int, threads: Int) throws -> Double {
    let start = ContinuousClock.now
    let perThread = count / threads
    let failures = NSLock()
    nonisolated(unsafe) var failed = 0
    DispatchQueue.concurrentPerform(iterations: threads) { index in
        for n in 0..<perThread {
            let tx = UnsignedEIP1559Transaction(
                chainId: 31337, nonce: UInt64(index * perThread + n), maxPriorityFeePerGas: 1_000_000_000,
                maxFeePerGas: 30_000_000_000, gasLimit: 100_000, to: to, value: 0, data: data)
            do {
                let signed = try tx.sign(with: signer)
                if try recoverAddress(hash: tx.signingHash, signature: signed.signature) != signer.address {
                    failures.lock(); failed += 1; failures.unlock()
                }
            } catch {
                failures.lock(); failed += 1; failures.unlock()
            }
        }
    }
    let elapsed = seconds(ContinuousClock.now - start)
    if failed > 0 { throw NSError(domain: "bench-signer", code: failed) }
    return Double(perThread * threads) / elapsed
}

let environment = ProcessInfo.processInfo.environment
let count = Int(environment["BENCH_SIGNATURES"] ?? "") ?? 2_000
let file = try PrivateKey(hex: "0x4646464646464646464646464646464646464646464646464646464646464646")
print("file_signatures_per_s \(try rate(file, count: count * 10, threads: 1))")
if let module = environment["CASEATTEST_PKCS11_MODULE"], let token = environment["CASEATTEST_PKCS11_TOKEN"],
    let label = environment["CASEATTEST_PKCS11_KEY"], let pinFile = environment["CASEATTEST_PKCS11_PIN_FILE"]
{
    let configuration = PKCS11Configuration(modulePath: module, tokenLabel: token, keyLabel: label, pinFile: pinFile)
    for threads in [1, 2] {
        let signer = try PKCS11Signer(configuration, signingThreads: threads)
        print("pkcs11_\(threads)t_signatures_per_s \(try rate(signer, count: count, threads: threads))")
    }
}
