"""Connects the contract tests and the gas bench to a chain and sends signed transactions.

Choice of chain, in order:
  1. CASEATTEST_RPC_URL: the running dev chain (what `make test` / `make bench` use).
  2. The dev chain started here: DEVCHAIN_SERVER, else <repo>/devchain/server.py if present.
  3. web3's in-process EthereumTesterProvider (same py-evm), with a printed note.

The dev chain holds no keys, so every transaction is an EIP-1559 transaction signed here with
eth-account and sent raw. The keys are the public Anvil development keys, prefunded on the dev chain.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.exceptions import ContractLogicError

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILD_PY = REPO_ROOT / "contracts" / "build.py"

# Anvil's first three development keys: public, for local chains only.
DEV_KEYS = (
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
)
DEVCHAIN_START_TIMEOUT_S = 30
RECEIPT_TIMEOUT_S = 60
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


class ChainSetupError(Exception):
    pass


@dataclass
class Chain:
    w3: Web3
    accounts: list[LocalAccount]
    description: str
    process: subprocess.Popen | None = None
    notes: list[str] = field(default_factory=list)

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def connect() -> Chain:
    url = os.environ.get("CASEATTEST_RPC_URL")
    if url:
        return _chain_at(url, f"dev chain at {url} (CASEATTEST_RPC_URL)")
    server = _devchain_server()
    if server is not None:
        return _start_devchain(server)
    return _tester_chain()


def _devchain_server() -> Path | None:
    configured = os.environ.get("DEVCHAIN_SERVER")
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise ChainSetupError(f"DEVCHAIN_SERVER={configured} is not a file")
        return path
    default = REPO_ROOT / "devchain" / "server.py"
    return default if default.is_file() else None


def _chain_at(url: str, description: str, process: subprocess.Popen | None = None) -> Chain:
    if not any(f"//{host}:" in url or url.endswith(f"//{host}") for host in LOOPBACK_HOSTS):
        raise ChainSetupError(f"refusing non-loopback RPC URL {url}")
    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 30}))
    if not w3.is_connected():
        raise ChainSetupError(f"no JSON-RPC answer at {url}")
    accounts = [Account.from_key(k) for k in DEV_KEYS]
    return Chain(w3, accounts, description, process)


def _start_devchain(server: Path) -> Chain:
    process = subprocess.Popen(
        [sys.executable, str(server), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=server.parent,
    )
    deadline = time.monotonic() + DEVCHAIN_START_TIMEOUT_S
    seen = []
    assert process.stdout is not None
    while time.monotonic() < deadline and len(seen) < 200:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line.rstrip())
        match = re.search(r"devchain listening on (http://\S+)", line)
        if match:
            # Keep draining its output so the server never blocks on a full pipe.
            _drain_in_background(process)
            return _chain_at(match.group(1), f"dev chain started from {server}", process)
    process.kill()
    process.wait(timeout=10)
    raise ChainSetupError(f"{server} did not report its address; output: {' | '.join(seen[-5:])}")


def _drain_in_background(process: subprocess.Popen) -> None:
    import threading

    def drain() -> None:
        for _ in process.stdout:  # type: ignore[union-attr]
            pass

    threading.Thread(target=drain, daemon=True).start()


def _tester_chain() -> Chain:
    from web3 import EthereumTesterProvider

    w3 = Web3(EthereumTesterProvider())
    accounts = [Account.from_key(k) for k in DEV_KEYS]
    funder = w3.eth.accounts[0]
    for account in accounts:
        tx_hash = w3.eth.send_transaction({"from": funder, "to": account.address, "value": Web3.to_wei(1000, "ether")})
        w3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT_S)
    chain = Chain(w3, accounts, "in-process EthereumTesterProvider (py-evm)")
    chain.notes.append(
        "using web3's in-process EthereumTesterProvider (py-evm), not the dev chain: no CASEATTEST_RPC_URL "
        "and no devchain/server.py (set DEVCHAIN_SERVER to use one)"
    )
    return chain


def load_artifact() -> dict:
    """Compiles the current source in memory with contracts/build.py's compiler settings.

    Nothing is written: regenerating the committed Swift file here would let the staleness
    check pass on a tree whose committed copy is out of date.
    """
    import importlib.util

    spec = importlib.util.spec_from_file_location("registry_build", BUILD_PY)
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    try:
        return build.compile_contract()
    except build.BuildError as error:
        raise ChainSetupError(str(error)) from error


def send(w3: Web3, sender: LocalAccount, tx: dict, gas: int | None = None) -> dict:
    """Signs `tx` as an EIP-1559 transaction from `sender`, sends it raw and returns the receipt.

    With `gas` given, no estimate is made, so a transaction that reverts is still mined
    (the tests use this to see a revert on chain, not only in eth_call).
    """
    base_fee = w3.eth.get_block("latest")["baseFeePerGas"]
    tip = Web3.to_wei(1, "gwei")
    full = {
        **tx,
        "from": sender.address,
        "chainId": w3.eth.chain_id,
        "nonce": w3.eth.get_transaction_count(sender.address, "pending"),
        "type": 2,
        "maxPriorityFeePerGas": tip,
        "maxFeePerGas": 2 * base_fee + tip,
    }
    full["gas"] = gas if gas is not None else w3.eth.estimate_gas(full)
    full.pop("from")
    signed = sender.sign_transaction(full)
    tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
    return w3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT_S)


def deploy(w3: Web3, sender: LocalAccount, artifact: dict):
    """Deploys the registry and returns (contract, receipt)."""
    receipt = send(w3, sender, {"data": artifact["bytecode"]})
    if receipt["status"] != 1:
        raise ChainSetupError(f"deployment reverted: {receipt}")
    return w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"]), receipt


def transact(w3: Web3, sender: LocalAccount, function_call, gas: int | None = None) -> dict:
    """Sends a contract function call; returns the receipt."""
    # Only `to` and `data` are taken; the placeholder gas, nonce and fees keep web3 from
    # estimating here (send() sets the real ones, and a reverting call must not be estimated).
    tx = function_call.build_transaction({"from": sender.address, "gas": gas or 1_000_000, "nonce": 0,
                                         "maxFeePerGas": 1, "maxPriorityFeePerGas": 1})
    return send(w3, sender, {"to": tx["to"], "data": tx["data"]}, gas=gas)


def revert_reason(function_call, sender: LocalAccount) -> str | None:
    """The revert message of `function_call` as eth_call from `sender`, or None if it succeeds."""
    try:
        function_call.call({"from": sender.address})
    except ContractLogicError as error:
        return error.message
    except Exception as error:  # the in-process tester raises its own TransactionFailed
        if type(error).__name__ == "TransactionFailed":
            return str(error)
        raise
    return None
