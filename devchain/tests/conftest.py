"""Fixtures: dev chain servers (subprocesses on free ports) and JSON-RPC clients for them."""

import pytest

from devchain_process import Rpc, running_devchain


@pytest.fixture(scope="module")
def devchain():
    """An automining dev chain shared by one test module (tests use fresh nonces, never assume a height)."""
    with running_devchain() as server:
        yield server


@pytest.fixture(scope="module")
def rpc(devchain):
    client = Rpc(devchain.url)
    yield client
    client.close()


@pytest.fixture(scope="module")
def pool_devchain():
    """A dev chain without automine, for pool tests."""
    with running_devchain("--no-automine") as server:
        yield server


@pytest.fixture(scope="module")
def pool_rpc(pool_devchain):
    client = Rpc(pool_devchain.url)
    yield client
    client.close()
