"""Fixtures for the registry contract tests: a chain, three funded keys and a freshly deployed registry."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import registry_chain  # noqa: E402

_NOTES: list[str] = []


def note(message: str) -> None:
    """Records a note printed in the test summary (and now, visible with -s)."""
    if message not in _NOTES:
        _NOTES.append(message)
        print(f"NOTE: {message}")


@pytest.fixture(scope="session")
def chain():
    try:
        connected = registry_chain.connect()
    except registry_chain.ChainSetupError as error:
        pytest.fail(f"cannot reach a chain for the contract tests: {error}")
    for message in connected.notes:
        note(message)
    note(f"contract tests chain: {connected.description}, chain id {connected.w3.eth.chain_id}")
    yield connected
    connected.close()


@pytest.fixture(scope="session")
def w3(chain):
    return chain.w3


@pytest.fixture(scope="session")
def owner(chain):
    return chain.accounts[0]


@pytest.fixture(scope="session")
def attester(chain):
    return chain.accounts[1]


@pytest.fixture(scope="session")
def stranger(chain):
    return chain.accounts[2]


@pytest.fixture(scope="session")
def artifact():
    return registry_chain.load_artifact()


@pytest.fixture
def registry(w3, owner, artifact):
    """A new registry deployed by `owner`, with no attesters."""
    contract, _ = registry_chain.deploy(w3, owner, artifact)
    return contract


@pytest.fixture
def anchoring_registry(w3, registry, owner, attester):
    """A new registry with `attester` enabled."""
    receipt = registry_chain.transact(w3, owner, registry.functions.setAttester(attester.address, True))
    assert receipt["status"] == 1
    return registry


@pytest.fixture(scope="session")
def caseattest_bin():
    binary = os.environ.get("CASEATTEST_BIN")
    if not binary:
        note("CASEATTEST_BIN not set: Merkle trees come from the Python reference only, "
             "not cross-checked against `caseattest util merkle-tree`")
        return None
    if not os.access(binary, os.X_OK):
        pytest.fail(f"CASEATTEST_BIN={binary} is not an executable")
    return binary


def pytest_terminal_summary(terminalreporter):
    if _NOTES:
        terminalreporter.section("contract test notes")
        for message in _NOTES:
            terminalreporter.write_line(message)
