"""Dev chain servers started as subprocesses on free ports, and a small JSON-RPC client.

A module with a unique name (not conftest) so tests can import it when several pytest folders
run in one session."""

import json
import select
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVER = REPO_ROOT / "devchain" / "server.py"
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

STARTUP_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 15


class RpcFailure(Exception):
    def __init__(self, error: dict):
        super().__init__(f"{error.get('code')}: {error.get('message')}")
        self.code = error.get("code")
        self.message = error.get("message")
        self.data = error.get("data")


class Rpc:
    """Minimal JSON-RPC client over one keep-alive requests.Session."""

    def __init__(self, url: str):
        self.url = url
        self.session = requests.Session()
        self.next_id = 0

    def post(self, payload, **kwargs) -> requests.Response:
        return self.session.post(self.url, data=json.dumps(payload), headers={"Content-Type": "application/json"},
                                 timeout=60, **kwargs)

    def raw(self, payload):
        return self.post(payload).json()

    def __call__(self, method: str, *params):
        self.next_id += 1
        reply = self.raw({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": list(params)})
        assert reply["id"] == self.next_id
        if "error" in reply:
            raise RpcFailure(reply["error"])
        return reply["result"]

    def close(self):
        self.session.close()


class DevchainProcess:
    def __init__(self, process: subprocess.Popen, url: str, banner: str):
        self.process = process
        self.url = url
        self.banner = banner


def _read_banner(process: subprocess.Popen) -> str:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            line = process.stdout.readline()
            if line:
                return line.rstrip("\n")
        if process.poll() is not None:
            raise RuntimeError(f"devchain exited early ({process.returncode}): {process.stderr.read()}")
    raise RuntimeError("devchain did not print its banner in time")


@contextmanager
def running_devchain(*arguments: str):
    process = subprocess.Popen(
        [sys.executable, str(SERVER), "--port", "0", *arguments],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO_ROOT,
    )
    try:
        banner = _read_banner(process)
        url = banner.split(" ")[3]
        yield DevchainProcess(process, url, banner)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_TIMEOUT_SECONDS)
        process.stdout.close()
        process.stderr.close()
