import Ethereum
import Foundation
import PKCS11
import Testing

/// The token signer against a real PKCS #11 token (SoftHSM2).
@Suite(.serialized) struct PKCS11SignerTests {
    @Test func generatedKeyHasAStableAddress() throws {
        guard let token = SoftHSMToken.require() else { return }
        let configuration = token.configuration(key: "stable-\(UUID().uuidString.prefix(8))")
        let generated = try PKCS11KeyGenerator.generate(configuration)
        let first = try PKCS11Signer(configuration)
        let second = try PKCS11Signer(configuration)
        #expect(first.address == generated)
        #expect(second.address == generated)
        #expect(first.publicKey.count == 65 && first.publicKey[0] == 0x04)
        #expect(try Address(checkedPublicKey: first.publicKey) == generated)
        // The same label twice is refused, not a second key.
        #expect(throws: PKCS11Error.self) { try PKCS11KeyGenerator.generate(configuration) }
    }

    /// 1,000 transactions of both kinds, every one low-s, verifying and
    /// recovering (through decoding the raw bytes, as `util decode-tx` does)
    /// to the token key's address.
    @Test func thousandTransactionsRecoverToTheTokenAddress() throws {
        guard let token = SoftHSMToken.require() else { return }
        let signer = try PKCS11Signer(try token.key("thousand"), signingThreads: 2)
        let to = try Address(hex: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        let halfOrder = try UInt256(hex: "0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0")
        var hashes = Set<[UInt8]>()
        for nonce in 0..<UInt64(1_000) {
            let data = ABI.functionSelector("anchor(bytes32,uint32)") + Keccak256.hash(Array("case \(nonce)".utf8)) + [UInt8](repeating: 0, count: 32)
            let unsigned: UnsignedTransaction = nonce % 4 == 3
                ? .legacy(UnsignedLegacyTransaction(chainId: 31337, nonce: nonce, gasPrice: 2_000_000_000, gasLimit: 90_000,
                                                    to: to, value: .zero, data: data))
                : .eip1559(UnsignedEIP1559Transaction(chainId: 31337, nonce: nonce, maxPriorityFeePerGas: 1_000_000_000,
                                                      maxFeePerGas: 30_000_000_000, gasLimit: 90_000, to: to, value: .zero, data: data))
            let signed = try unsigned.sign(with: signer)
            #expect(try UInt256(bigEndianBytes: signed.signature.s) <= halfOrder)
            let decoded = try SignedTransaction.decode(raw: signed.rawBytes)
            #expect(decoded.from == signer.address)
            #expect(decoded.hash == signed.hash)
            #expect(try recoverAddress(hash: unsigned.signingHash, signature: signed.signature) == signer.address)
            hashes.insert(signed.hash)
        }
        #expect(hashes.count == 1_000)
    }

    @Test func wrongPINIsRefused() throws {
        guard let token = SoftHSMToken.require() else { return }
        _ = try token.key("pin-test")
        let configuration = token.configuration(key: "pin-test", pinFile: token.directory + "/wrong-pin")
        // Another signer of this process keeps the token logged in; log it
        // out first by closing every session: a fresh process is simplest,
        // so this checks the error text through the CLI-free API when it can.
        do {
            _ = try PKCS11Signer(configuration)
            Issue.record("a wrong PIN opened the token (or the token was already logged in by this process)")
        } catch let error as PKCS11Error {
            #expect(error.isWrongPIN)
            #expect(!error.description.contains("wrong-pin"))
            #expect(!error.description.contains(SoftHSMToken.pin))
        }
    }

    @Test func missingKeyTokenAndModuleAreNamed() throws {
        guard let token = SoftHSMToken.require() else { return }
        #expect(throws: PKCS11Error.self) { try PKCS11Signer(token.configuration(key: "no-such-key")) }
        do { _ = try PKCS11Signer(token.configuration(key: "no-such-key")) } catch let error as PKCS11Error {
            #expect(error.isKeyNotFound)
            #expect(error.description.contains("no-such-key"))
        }
        var otherToken = token.configuration(key: "x")
        otherToken.tokenLabel = "no-such-token"
        do { _ = try PKCS11Signer(otherToken); Issue.record("opened a missing token") } catch let error as PKCS11Error {
            #expect(error.isTokenNotFound)
        }
        var noModule = token.configuration(key: "x")
        noModule.modulePath = token.directory + "/no-such-module.so"
        do { _ = try PKCS11Signer(noModule); Issue.record("loaded a missing module") } catch let error as PKCS11Error {
            #expect(error.isModuleNotFound)
        }
    }
}
