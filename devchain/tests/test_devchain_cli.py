"""The command line: banner, port file, chain id, prefunding, and clean exit on SIGTERM/SIGINT."""

import signal
import subprocess
import sys

import pytest

from devchain_process import SERVER, Rpc, running_devchain
from devchain.accounts import DEFAULT_PREFUND_WEI, DEV_ACCOUNTS


def test_banner_and_port_file(tmp_path):
    port_file = tmp_path / "devchain.url"
    with running_devchain("--port-file", str(port_file)) as server:
        host_port = server.url.removeprefix("http://")
        assert server.banner == f"devchain listening on http://{host_port} chain-id=1337"
        assert host_port.startswith("127.0.0.1:") and int(host_port.split(":")[1]) > 0
        assert port_file.read_text() == server.url
        client = Rpc(server.url)
        for account in DEV_ACCOUNTS:
            assert int(client("eth_getBalance", account.address, "latest"), 16) == DEFAULT_PREFUND_WEI
        client.close()


def test_chain_id_and_explicit_prefund():
    funded = "0x" + "ab" * 20
    with running_devchain("--chain-id", "31337", "--prefund", f"{funded}:12345",
                          "--prefund", "0x" + "cd" * 20) as server:
        assert server.banner.endswith("chain-id=31337")
        client = Rpc(server.url)
        assert client("eth_chainId") == hex(31337)
        assert client("eth_getBalance", funded, "latest") == hex(12345)
        assert int(client("eth_getBalance", "0x" + "cd" * 20, "latest"), 16) == DEFAULT_PREFUND_WEI
        assert client("eth_getBalance", DEV_ACCOUNTS[0].address, "latest") == "0x0"  # defaults replaced
        client.close()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_stops_cleanly_on_signal(signum):
    with running_devchain() as server:
        server.process.send_signal(signum)
        assert server.process.wait(timeout=15) == 0


def test_bad_arguments_exit_with_usage():
    result = subprocess.run([sys.executable, str(SERVER), "--prefund", "0x1234"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert "invalid prefund address" in result.stderr
