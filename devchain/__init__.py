"""CaseAttest dev chain: a JSON-RPC Ethereum node for tests, built on eth-tester + py-evm."""
