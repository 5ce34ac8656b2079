extension ChainProfileFile {
    /// The built-in profiles, in the file format (so the parser checks them).
    /// Why each setting: README, "Choosing settings per kind of chain".
    /// Minimum tips are the networks' floors at the time of writing; a
    /// deployment whose network changed its floor overrides the entry.
    public static let builtIn = """
        # Proof-of-stake Ethereum: a block is final after two epochs (~13 min); the finalized tag says so.
        [chain 1]
        name = Ethereum
        finality = finalized
        fee-model = eip1559
        min-tip-wei = 1000000000
        block-time = 12
        explorer-tx = https://etherscan.io/tx/{tx}
        explorer-address = https://etherscan.io/address/{address}

        [chain 11155111]
        name = Sepolia
        finality = finalized
        fee-model = eip1559
        min-tip-wei = 1000000000
        block-time = 12
        explorer-tx = https://sepolia.etherscan.io/tx/{tx}
        explorer-address = https://sepolia.etherscan.io/address/{address}

        # BNB Smart Chain: fast finality (BEP-126) finalizes within a few blocks; legacy gasPrice
        # transactions, as UGM-AICare's own code sends. The floor is the validators' own setting, not
        # consensus, and has moved often: 3 -> 1 gwei (bsc v1.4.16, Jan 2025, cited in
        # https://github.com/smartcontractkit/chainlink/pull/16115), then 0.1 gwei
        # (https://github.com/smartcontractkit/chainlink-evm/pull/56), then 0.05 gwei on mainnet, testnet
        # still 0.1 gwei (https://github.com/chainflip-io/chainflip-eth-contracts/pull/535; news:
        # https://rfq.news/binancecoin/bnb-smart-chain-validators-slash-minimum-gas-price-to-0-05-gwei).
        # No BNB Chain document found states the current floor: the sources are third parties'. A floor
        # set too low costs one refusal and an immediate re-price; eth_gasPrice leads anyway.
        [chain 56]
        name = BNB Smart Chain
        finality = finalized
        fee-model = legacy
        min-tip-wei = 50000000
        # 0.45 s blocks since the Fermi hard fork (https://docs.bnbchain.org/llms.txt); the testnet's
        # block time below was not checked.
        block-time = 0.45
        explorer-tx = https://bscscan.com/tx/{tx}
        explorer-address = https://bscscan.com/address/{address}

        # The testnet's floor: 0.1 gwei (chainflip-eth-contracts#535 above).
        [chain 97]
        name = BNB Smart Chain Testnet
        finality = finalized
        fee-model = legacy
        min-tip-wei = 100000000
        block-time = 3
        explorer-tx = https://testnet.bscscan.com/tx/{tx}
        explorer-address = https://testnet.bscscan.com/address/{address}

        # Polygon PoS: milestones make blocks final within seconds; tips under 25 gwei are refused
        # ("gas tip cap X, minimum needed 25000000000"). PIP-35 enforced 30 gwei
        # (https://forum.polygon.technology/t/pip-35-mingas-increase/13856), lowered to 25 gwei before it
        # reached mainnet (https://github.com/erigontech/erigon/pull/11294, Jul 2024). A copy of Polygon's
        # gas-station docs still says 30 (https://docs-avenlabs.pages.dev/tools/gas/polygon-gas-station):
        # outdated, we believe, but the sources disagree. PIP-59 (draft, Feb 2025,
        # https://forum.polygon.technology/t/20609, "moving the floor gas price of 25 gwei from priority
        # fee to base fee") would move the floor into the base fee: once live, this tip floor only
        # overpays, and should be lowered.
        [chain 137]
        name = Polygon PoS
        finality = finalized
        fee-model = eip1559
        min-tip-wei = 25000000000
        block-time = 2
        explorer-tx = https://polygonscan.com/tx/{tx}
        explorer-address = https://polygonscan.com/address/{address}

        # Optimistic and Arbitrum rollups: `safe` is the L2 block whose data is on L1 (minutes);
        # `finalized` waits for L1 finality as well (~15-30 min). Tips are tiny there.
        [chain 8453]
        name = Base
        finality = safe
        fee-model = eip1559
        min-tip-wei = 1000000
        block-time = 2
        explorer-tx = https://basescan.org/tx/{tx}
        explorer-address = https://basescan.org/address/{address}

        [chain 10]
        name = OP Mainnet
        finality = safe
        fee-model = eip1559
        min-tip-wei = 1000000
        block-time = 2
        explorer-tx = https://optimistic.etherscan.io/tx/{tx}
        explorer-address = https://optimistic.etherscan.io/address/{address}

        [chain 42161]
        name = Arbitrum One
        finality = safe
        fee-model = eip1559
        min-tip-wei = 0
        block-time = 0.25
        explorer-tx = https://arbiscan.io/tx/{tx}
        explorer-address = https://arbiscan.io/address/{address}

        # The dev chain (devchain/): instant blocks, no explorer.
        [chain 1337]
        name = CaseAttest dev chain
        finality = blocks:2
        fee-model = auto
        min-tip-wei = 1000000000
        block-time = 1
        """
}
