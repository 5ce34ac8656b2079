import Testing

@testable import Attestation

struct ChainProfileFileTests {
    private func refusal(_ text: String) -> ChainProfileFile.ParseError? {
        do {
            _ = try ChainProfileFile.parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func theBuiltInProfilesParseAndCoverTheChainsWeKnow() throws {
        let profiles = ChainProfiles.builtIn
        #expect(Set(profiles.byChainID.keys) == [1, 11_155_111, 56, 97, 137, 8453, 42161, 10, 1337])
        let bsc = try #require(profiles[56])
        #expect(bsc.name == "BNB Smart Chain" && bsc.feeModel == .legacy && bsc.finality == .finalized)
        #expect(bsc.transactionURL("0xab") == "https://bscscan.com/tx/0xab")
        #expect(bsc.addressURL("0xcd") == "https://bscscan.com/address/0xcd")
        #expect(profiles[137]?.minimumTipWei == 25_000_000_000)
        // BSC's validators' floors as sourced in ChainProfiles+BuiltIn.swift: 0.05 gwei, testnet 0.1 gwei.
        #expect(bsc.minimumTipWei == 50_000_000 && profiles[97]?.minimumTipWei == 100_000_000)
        #expect(profiles[42161]?.finality == .safe && profiles[42161]?.blockTime == 0.25)
        let dev = try #require(profiles[1337])
        #expect(dev.finality == .blocks(2) && dev.feeModel == .auto && dev.transactionURL("0x1") == nil)
    }

    @Test func aFileWithCommentsAndDefaultsParses() throws {
        let profiles = try ChainProfileFile.parse(
            """
            # our permissioned network
            [chain 4242]
            name = Campus QBFT   # trailing comment
            finality = blocks:1
            fee-model = legacy

            explorer-tx = http://explorer.campus.local/tx/{tx}
            """)
        #expect(
            profiles == [
                ChainProfile(
                    chainID: 4242, name: "Campus QBFT", finality: .blocks(1), feeModel: .legacy,
                    minimumTipWei: 0, blockTime: 12,
                    explorerTransaction: "http://explorer.campus.local/tx/{tx}")
            ])
    }

    @Test func aFileEntryReplacesABuiltInOne() throws {
        var profiles = ChainProfiles.builtIn
        profiles.add(try ChainProfileFile.parse("[chain 56]\nname = BSC\nfinality = blocks:15\nfee-model = auto\n"))
        #expect(profiles[56]?.finality == .blocks(15) && profiles[56]?.explorerTransaction == nil)
        #expect(profiles[1]?.name == "Ethereum")
    }

    @Test func badFilesAreRefusedWithTheLineAndTheReason() {
        let head = "[chain 5]\nname = x\nfinality = safe\nfee-model = auto\n"
        let cases: [(String, Int, String)] = [
            ("name = x\n", 1, "a setting before the first [chain ID] section"),
            ("[chain five]\n", 1, "the chain id must be a positive decimal number"),
            ("[chain 0]\n", 1, "the chain id must be a positive decimal number"),
            ("[network 5]\n", 1, "a section header must be [chain ID]"),
            ("[chain 5\n", 1, "a section header must end with ]"),
            (head + "colour = blue\n", 5, "unknown key \"colour\""),
            (head + "name = y\n", 5, "name is set twice"),
            (head + "block-time\n", 5, "expected key = value"),
            (head + "block-time =\n", 5, "block-time has no value"),
            (head + "block-time = 0\n", 5, "block-time must be seconds, more than 0 and at most 3600"),
            (head + "min-tip-wei = 1.5\n", 5, "min-tip-wei must be a whole number of wei"),
            (head + "explorer-tx = ftp://x/{tx}\n", 5, "explorer-tx must be an http(s) URL"),
            (head + "explorer-tx = https://x/tx/\n", 5, "explorer-tx must contain {tx}"),
            (head + "explorer-address = https://x/{tx}\n", 5, "explorer-address must contain {address}"),
            (head + "explorer-tx = https://x/\"{tx}\n", 5, "explorer-tx contains a space, quote or angle bracket"),
            (
                "[chain 5]\nname = x\nfinality = soon\nfee-model = auto\n", 3,
                "finality must be blocks:N (N >= 1), safe or finalized"
            ),
            (
                "[chain 5]\nname = x\nfinality = safe\nfee-model = cheap\n", 4,
                "fee-model must be auto, eip1559 or legacy"
            ),
            ("[chain 5]\nname = x\nfee-model = auto\n", 1, "chain 5 has no finality"),
            ("\n\n[chain 5]\nfinality = safe\nfee-model = auto\n", 3, "chain 5 has no name"),
            (head + head, 5, "chain 5 is described twice"),
        ]
        for (text, line, reason) in cases {
            let error = refusal(text)
            #expect(error == ChainProfileFile.ParseError(line: line, reason: reason), "\(text.debugDescription)")
        }
        #expect(refusal(head)?.description == nil)
        #expect(ChainProfileFile.ParseError(line: 3, reason: "r").description == "chain profiles, line 3: r")
    }
}
