"""Well-known PUBLIC development accounts (Hardhat/Anvil's first three).

Their private keys are published in the Hardhat and Anvil documentation and are funded on
every dev chain in the world: never send anything of value to them on a real network.
"""

from typing import NamedTuple

#: Wei given to each default account at genesis (one million ether).
DEFAULT_PREFUND_WEI = 10**24


class DevAccount(NamedTuple):
    address: str
    private_key: str


DEV_ACCOUNTS = [
    DevAccount(
        "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
        "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    ),
    DevAccount(
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    ),
    DevAccount(
        "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
        "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    ),
]

#: The private keys alone, in the same order, for tests that sign transactions.
DEV_KEYS = [account.private_key for account in DEV_ACCOUNTS]
DEV_ADDRESSES = [account.address for account in DEV_ACCOUNTS]
