"""Helpers of the live ops tests: a fresh migrated database with a deployed
registry, key files and tokens, `caseattest serve` processes and a private
redis-server. They need CASEATTEST_BIN, DATABASE_URL and CASEATTEST_RPC_URL
(`make test` sets them)."""

import contextlib
import os
import pathlib
import secrets
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("CASEATTEST_BIN")
DATABASE_URL = os.environ.get("DATABASE_URL")
RPC_URL = os.environ.get("CASEATTEST_RPC_URL")
# The dev chain's first PUBLIC well-known key (prefunded); never a real key.
DEV_SIGNER = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

needs_services = pytest.mark.skipif(
    not (BIN and DATABASE_URL and RPC_URL),
    reason="needs CASEATTEST_BIN, DATABASE_URL and CASEATTEST_RPC_URL (make test sets them)",
)


def as_service_role(url: str) -> str:
    """The daemon's view of a database: only the rights of the service role (migration 0009)."""
    return url + ("&" if "?" in url else "?") + "options=-c%20role%3Dcaseattest_service"

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(url, sql):
    binary = "/usr/lib/postgresql/15/bin/psql"
    if not os.access(binary, os.X_OK):
        binary = shutil.which("psql")
    subprocess.run([binary, "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql], check=True, capture_output=True, timeout=60)


def with_database(url, name):
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def request(url, method="GET", headers=None, body=None, timeout=10):
    """(status, headers, body); HTTP errors are answers, not exceptions."""
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(url, method=method, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def run(args, env, timeout=120, check=True):
    result = subprocess.run([BIN, *args], env=env, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        pytest.fail(f"caseattest {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def new_token(role):
    out = run(["api-token", "new", "--role", role], env=os.environ).stdout.splitlines()
    return out[0], out[1]


@contextlib.contextmanager
def deployment(work):
    """A fresh database, migrated, with a registry deployed by the dev signer
    (its owner and attester), key files 0600 and a tokens file; yields the
    environment `serve`, `doctor` and `verify` run with."""
    name = "caseattest_ops_" + secrets.token_hex(6)
    url = with_database(DATABASE_URL, name)
    psql(DATABASE_URL, f"CREATE DATABASE {name}")
    try:
        backend, backend_line = new_token("backend")
        auditor, auditor_line = new_token("auditor")
        (work / "api-tokens").write_text(f"{backend_line}\n{auditor_line}\n")
        (work / "pseudonym.key").write_text(secrets.token_hex(32))
        (work / "signer.key").write_text(DEV_SIGNER + "\n")
        for path in ("pseudonym.key", "signer.key", "api-tokens"):
            os.chmod(work / path, 0o600)
        env = {k: v for k, v in os.environ.items() if not k.startswith("CASEATTEST_") or k == "CASEATTEST_BIN"}
        env.update(DATABASE_URL=url, CASEATTEST_RPC_URL=RPC_URL,
                   CASEATTEST_CHAIN_ID=os.environ.get("CASEATTEST_CHAIN_ID", "1337"),
                   CASEATTEST_PSEUDONYM_KEY_FILE=str(work / "pseudonym.key"),
                   CASEATTEST_PRIVATE_KEY_FILE=str(work / "signer.key"),
                   CASEATTEST_API_TOKENS_FILE=str(work / "api-tokens"),
                   CASEATTEST_MIGRATIONS_DIR=str(REPO / "migrations"))
        run(["migrate"], env)
        run(["contract", "deploy", "--address-file", str(work / "contract")], env)
        env["CASEATTEST_CONTRACT"] = (work / "contract").read_text().strip()
        yield {"env": env, "backend": backend, "auditor": auditor, "work": work, "database": name}
    finally:
        psql(DATABASE_URL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


class RedisServer:
    """A redis-server of our own on a free loopback port (the test stops it)."""

    def __init__(self, work, port=None):
        self.work = work
        self.port = port or free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server not found: scripts/install-deps.sh installs Debian's redis-server")
        self.process = subprocess.Popen(
            [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.work), "--logfile", str(self.work / f"redis-{self.port}.log")])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.cli("PING").strip() == "PONG":
                return self
            time.sleep(0.05)
        pytest.fail("redis-server did not answer PING")

    def cli(self, *args):
        result = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(self.port), *args],
                                capture_output=True, text=True, timeout=10)
        return result.stdout

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class Serve:
    """One `caseattest serve` on a free port, its log in work/serve-PORT.log."""

    def __init__(self, env, work, extra_args=()):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = work / f"serve-{self.port}.log"
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [BIN, "serve", "--http-port", str(self.port), "--monitor-interval", "60", "--anchor-interval", "0",
             *extra_args],
            env=dict(env, DATABASE_URL=as_service_role(env["DATABASE_URL"])), stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail("serve exited early:\n" + self.log())
            try:
                if request(self.base + "/healthz", timeout=1)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        pytest.fail("serve did not answer /healthz within 60 s:\n" + self.log())

    def log(self):
        return self.log_path.read_text(errors="replace")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
