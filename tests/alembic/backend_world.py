"""A database as UGM-AICare's backend and CaseAttest share it, built with the real tools.

The backend's side: its SQLAlchemy models (backend/backend_models.py) migrated by its Alembic
environment (backend/), rows written through its ORM, `alembic check` run as its CI would. The
service's side: `caseattest migrate --baseline 0001` and `caseattest migrate` by the privileged owner,
then `caseattest serve` as a login role that is only a member of `caseattest_service` (the DBA's SQL
of docs/integration.md), a registry deployed on the dev chain, the backend's token on the HTTP API.

Needs CASEATTEST_BIN, DATABASE_URL and CASEATTEST_RPC_URL (`make test` sets them), and the packages of
tests/alembic/requirements.txt (scripts/install-deps.sh puts them in .venv).
"""

import json
import os
import pathlib
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
BACKEND = HERE / "backend"
MIGRATIONS = REPO / "migrations"
BIN = os.environ.get("CASEATTEST_BIN")
DATABASE_URL = os.environ.get("DATABASE_URL")
RPC_URL = os.environ.get("CASEATTEST_RPC_URL")
# The dev chain's first PUBLIC well-known key (prefunded); never a real key.
DEV_SIGNER = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
# The seed's caseattestation, column by column: (name, type, nullable).
SEED_ATTESTATION_COLUMNS = [
    ("id", "bigint", "NO"),
    ("case_id", "bigint", "NO"),
    ("counsellor_id", "bigint", "YES"),
    ("content_hash", "text", "NO"),
    ("tx_hash", "text", "YES"),
    ("attested_at", "timestamp with time zone", "NO"),
]


def missing_requirements():
    """Why the test cannot run here, or None."""
    missing = [name for name, value in (("CASEATTEST_BIN", BIN), ("DATABASE_URL", DATABASE_URL),
                                        ("CASEATTEST_RPC_URL", RPC_URL)) if not value]
    if BIN and not os.access(BIN, os.X_OK):
        missing.append(f"an executable CASEATTEST_BIN ({BIN})")
    absent = []
    for module in ("alembic", "sqlalchemy", "psycopg"):
        try:
            __import__(module)
        except ImportError:
            absent.append(module)
    if absent:
        missing.append("the Python packages " + ", ".join(absent) + " of tests/alembic/requirements.txt")
    if not missing:
        return None
    return "needs " + ", ".join(missing) + " (make test sets and installs them)"


def with_database(url, name, user=None):
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc
    if user is not None:
        netloc = user + "@" + netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit(parts._replace(path="/" + name, netloc=netloc))


def sqlalchemy_url(url):
    """postgres://... as the service takes it, for SQLAlchemy with psycopg 3 (as backend/env.py does)."""
    return "postgresql+psycopg://" + url.split("://", 1)[1]


def sql(url, statement, params=None):
    """Runs one statement in its own autocommitted session; the rows, if it returns any."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        cursor = connection.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def alembic(url, *args, extra=()):
    """`alembic -c backend/alembic.ini [-x ...] ARGS` against url, as the backend's engineers run it."""
    x_args = [part for item in extra for part in ("-x", item)]
    return subprocess.run([sys.executable, "-m", "alembic", "-c", str(BACKEND / "alembic.ini"), *x_args, *args],
                          env=dict(os.environ, DATABASE_URL=url), cwd=BACKEND, capture_output=True, text=True,
                          timeout=180)


def caseattest(*args, env=None, check=True, timeout=180):
    result = subprocess.run([BIN, *args], env=env or os.environ, cwd=REPO, capture_output=True, text=True,
                            timeout=timeout)
    if check and result.returncode != 0:
        raise RuntimeError(f"caseattest {args[0]} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def migrate(url, *args):
    return caseattest("migrate", "--migrations-dir", str(MIGRATIONS), *args, env=dict(os.environ, DATABASE_URL=url))


def rpc(method, *params):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}).encode()
    request = urllib.request.Request(RPC_URL, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.loads(response.read())
    if "error" in answer:
        raise RuntimeError(f"{method}: {answer['error']}")
    return answer["result"]


class ScratchDatabase:
    """A fresh database on the server of DATABASE_URL, dropped at the end."""

    def __init__(self, prefix):
        self.name = prefix + secrets.token_hex(6)
        self.url = with_database(DATABASE_URL, self.name)

    def __enter__(self):
        sql(DATABASE_URL, f'CREATE DATABASE "{self.name}"')
        return self

    def __exit__(self, *_):
        sql(DATABASE_URL, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class ServiceLogin:
    """The daemon's login role, made as docs/integration.md tells a DBA (no password: the test cluster
    trusts loopback). Roles belong to the cluster, so its name is unique and it is dropped at the end."""

    def __init__(self):
        self.name = "caseattest_alembic_" + secrets.token_hex(4)

    def __enter__(self):
        sql(DATABASE_URL, f"CREATE ROLE {self.name} LOGIN IN ROLE caseattest_service")
        return self

    def __exit__(self, *_):
        sql(DATABASE_URL, f"DROP ROLE IF EXISTS {self.name}")


class Daemon:
    """`caseattest serve` with auto intake, the backend's API token and a registry of its own."""

    def __init__(self, work: pathlib.Path, url: str):
        self.work = work
        self.url = url
        self.process = None
        self.base = None
        self.token = None
        self.env = None

    def start(self):
        work = self.work
        (work / "pseudonym.key").write_text(secrets.token_hex(32))
        (work / "signer.key").write_text(DEV_SIGNER + "\n")
        token, line = caseattest("api-token", "new", "--role", "backend").stdout.split("\n")[:2]
        self.token = token.strip()
        (work / "tokens").write_text(line.strip() + "\n")
        for path in ("pseudonym.key", "signer.key", "tokens"):
            os.chmod(work / path, 0o600)
        self.env = dict(os.environ, DATABASE_URL=self.url, CASEATTEST_RPC_URL=RPC_URL,
                        CASEATTEST_PSEUDONYM_KEY_FILE=str(work / "pseudonym.key"),
                        CASEATTEST_PRIVATE_KEY_FILE=str(work / "signer.key"),
                        CASEATTEST_API_TOKENS_FILE=str(work / "tokens"),
                        CASEATTEST_MIGRATIONS_DIR=str(MIGRATIONS))
        caseattest("contract", "deploy", "--address-file", str(work / "contract"), env=self.env)
        self.env["CASEATTEST_CONTRACT"] = (work / "contract").read_text().strip()
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.log = work / "serve.log"
        self.process = subprocess.Popen(
            [BIN, "serve", "--http-port", str(port), "--monitor-interval", "60", "--sweep-interval", "1",
             "--batch-wait", "1", "--confirmations", "2", "--anchor-interval", "0", "--batch-min-leaves", "0"],
            env=self.env, cwd=REPO, stdout=open(self.log, "wb"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while self.request("GET", "/healthz")[0] != 200:
            self.check_alive()
            if time.monotonic() > deadline:
                raise RuntimeError("serve did not answer /healthz in 120 s:\n" + self.log_tail())
            time.sleep(0.2)
        return self

    def request(self, method, path, body=None):
        """(status, decoded JSON or None); connection refused is status 0."""
        headers = {"Authorization": "Bearer " + self.token} if path.startswith("/v1/") else {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, method=method, headers=headers, data=data)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        except (urllib.error.URLError, ConnectionError):
            return 0, None
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, None

    def wait_confirmed(self, case_ids, timeout=300):
        """Each case's attestations (GET /v1/cases/{id}/attestations) once its latest is confirmed."""
        deadline = time.monotonic() + timeout
        answers = {}
        while True:
            self.check_alive()
            for case_id in case_ids:
                status, body = self.request("GET", f"/v1/cases/{case_id}/attestations")
                if status == 200 and body["attestations"] and body["attestations"][-1]["status"] == "confirmed":
                    answers[case_id] = body["attestations"]
            if len(answers) == len(case_ids):
                return answers
            if time.monotonic() > deadline:
                raise RuntimeError(f"confirmed {sorted(answers)} of {sorted(case_ids)} in {timeout} s:\n"
                                   + self.log_tail())
            time.sleep(0.5)

    def check_alive(self):
        if self.process.poll() is not None:
            raise RuntimeError(f"serve exited ({self.process.returncode}):\n" + self.log_tail())

    def log_tail(self):
        return self.log.read_text(errors="replace")[-4000:]

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
