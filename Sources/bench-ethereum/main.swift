// Throughput of the Ethereum core, for bench/10-ethereum.sh: Keccak-256 over
// 64 MiB as 1 MiB and as 32-byte inputs, and EIP-1559 signing per second.
// Prints "name value" lines that the script sets beside the Python peer.
import Ethereum

func seconds(_ duration: Duration) -> Double {
    let (s, attoseconds) = duration.components
    return Double(s) + Double(attoseconds) / 1e18
}

/// Best of `rounds` timings, so one scheduler hiccup does not decide the figure.
func best(rounds: Int, _ body: () -> Void) -> Double {
    var fastest = Double.infinity
    for _ in 0..<rounds {
        let start = ContinuousClock.now
        body()
        fastest = min(fastest, seconds(ContinuousClock.now - start))
    }
    return fastest
}

let total = 64 << 20
var generator = SystemRandomNumberGenerator()
let big = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
let small = Array(big.prefix(32))
var sink: UInt8 = 0

let bigSeconds = best(rounds: 3) {
    for _ in 0..<(total / big.count) { sink ^= Keccak256.hash(big)[0] }
}
print("keccak_1mib_mb_per_s \(Double(total) / 1e6 / bigSeconds)")

var smallInput = small
let smallSeconds = best(rounds: 3) {
    for index in 0..<(total / 32) {
        smallInput[0] = UInt8(truncatingIfNeeded: index)
        sink ^= Keccak256.hash(smallInput)[0]
    }
}
print("keccak_32b_mb_per_s \(Double(total) / 1e6 / smallSeconds)")

// The same shape of transaction the peer signs: type 2, 68 bytes of call data.
let key = try PrivateKey(hex: "0x4646464646464646464646464646464646464646464646464646464646464646")
let to = try Address(hex: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
let data = ABI.functionSelector("anchor(bytes32,uint32)") + [UInt8](repeating: 0xAB, count: 64)
let signCount = 20_000
let signSeconds = best(rounds: 3) {
    for nonce in 0..<UInt64(signCount) {
        let tx = UnsignedEIP1559Transaction(
            chainId: 31337, nonce: nonce, maxPriorityFeePerGas: 1_000_000_000, maxFeePerGas: 30_000_000_000,
            gasLimit: 100_000, to: to, value: 0, data: data)
        sink ^= tx.sign(with: key).rawBytes[1]
    }
}
print("eip1559_signatures_per_s \(Double(signCount) / signSeconds)")
// Keeps the optimiser from discarding the work.
if sink == 0x5A { print("# sink \(sink)") }
