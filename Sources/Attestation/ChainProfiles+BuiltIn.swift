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
        # transactions, as UGM-AICare's own code sends; validators' floor 0.1 gwei.
        [chain 56]
        name = BNB Smart Chain
        finality = finalized
        fee-model = legacy
        min-tip-wei = 100000000
        block-time = 3
        explorer-tx = https://bscscan.com/tx/{tx}
        explorer-address = https://bscscan.com/address/{address}

        [chain 97]
        name = BNB Smart Chain Testnet
        finality = finalized
        fee-model = legacy
        min-tip-wei = 100000000
        block-time = 3
        explorer-tx = https://testnet.bscscan.com/tx/{tx}
        explorer-address = https://testnet.bscscan.com/address/{address}

        # Polygon PoS: milestones make blocks final within seconds; tips under 25 gwei are refused.
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
