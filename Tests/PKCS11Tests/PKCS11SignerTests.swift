import Ethereum
import Foundation
import PKCS11
import Testing

/// The token signer against a real PKCS #11 token (SoftHSM2). One serialized
/// suite (tests also in PKCS11KeyProtectionTests.swift): a PKCS #11 login
/// belongs to the whole process, so a wrong-PIN test must not overlap a test
/// that holds a logged-in session.
@Suite(.serialized) struct PKCS11TokenTests {}

extension PKCS11TokenTests {
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
        do {
            _ = try PKCS11KeyGenerator.generate(configuration)
            Issue.record("a second key with the same label was generated")
        } catch {
            #expect(error.isKeyExists)
        }
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
            let data =
                ABI.functionSelector("anchor(bytes32,uint32)") + Keccak256.hash(Array("case \(nonce)".utf8))
                + [UInt8](repeating: 0, count: 32)
            let unsigned: UnsignedTransaction =
                nonce % 4 == 3
                ? .legacy(
                    UnsignedLegacyTransaction(
                        chainId: 31337, nonce: nonce, gasPrice: 2_000_000_000, gasLimit: 90_000,
                        to: to, value: .zero, data: data))
                : .eip1559(
                    UnsignedEIP1559Transaction(
                        chainId: 31337, nonce: nonce, maxPriorityFeePerGas: 1_000_000_000,
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
        // No other session of this process is open here (serialized suite), so
        // the token checks the PIN rather than finding the process logged in.
        let error = try #require(openingError(configuration), "a wrong PIN opened the token")
        #expect(error.isWrongPIN)
        #expect(error.description.contains("CKR_PIN_INCORRECT"))
        #expect(!error.description.contains("wrong-pin") && !error.description.contains(SoftHSMToken.pin))
    }

    @Test func missingKeyTokenAndModuleAreNamed() throws {
        guard let token = SoftHSMToken.require() else { return }
        let missingKey = openingError(token.configuration(key: "no-such-key"))
        #expect(missingKey?.isKeyNotFound == true)
        #expect(missingKey?.description.contains("no-such-key") == true)
        var otherToken = token.configuration(key: "x")
        otherToken.tokenLabel = "no-such-token"
        #expect(openingError(otherToken)?.isTokenNotFound == true)
        var noModule = token.configuration(key: "x")
        noModule.modulePath = token.directory + "/no-such-module.so"
        #expect(openingError(noModule)?.isModuleNotFound == true)
        var noPIN = token.configuration(key: "x")
        noPIN.pinFile = token.directory + "/no-such-pin"
        #expect(openingError(noPIN)?.description.contains("cannot read the PKCS#11 PIN file") == true)
    }
}
