"""Helpers for the auditor's page tests and bench: real receipts made end to end with the
`caseattest` binary, and a headless Chromium driven by Selenium.

A "world" is a fresh migrated database on the test PostgreSQL server, a registry deployed on the dev
chain (plus a second registry an auditor should not trust), resolved cases seeded with SQL, and a
running `caseattest serve` that attests them (auto intake) and serves GET /verify. Receipts are
written with `caseattest receipt --case N --out FILE`.

Needs CASEATTEST_BIN, DATABASE_URL and CASEATTEST_RPC_URL (`make test` and scripts/bench.sh set them).
"""

import contextlib
import json
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
from concurrent.futures import ThreadPoolExecutor

REPO = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("CASEATTEST_BIN")
DATABASE_URL = os.environ.get("DATABASE_URL")
RPC_URL = os.environ.get("CASEATTEST_RPC_URL")
# The dev chain's first PUBLIC well-known key (prefunded); never a real key.
DEV_SIGNER = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
PAGE_SOURCE = REPO / "web" / "verify.html"


def as_service_role(url: str) -> str:
    """The daemon's view of a database: only the rights of the service role (migration 0009)."""
    return url + ("&" if "?" in url else "?") + "options=-c%20role%3Dcaseattest_service"

def services_available():
    return bool(BIN and DATABASE_URL and RPC_URL and os.access(BIN, os.X_OK))


def chromium_available():
    return bool(shutil.which("chromium") and shutil.which("chromedriver"))


# ------------------------------------------------------------------ processes and services

def psql_binary():
    for candidate in ("/usr/lib/postgresql/15/bin/psql", shutil.which("psql")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise RuntimeError("psql not found")


def psql(url, sql, capture=False):
    result = subprocess.run([psql_binary(), "-q", "-tA", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
                            check=True, capture_output=True, text=True, timeout=120)
    return result.stdout.strip() if capture else None


def with_database(url, name):
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def rpc(method, *params, url=None):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}).encode()
    request = urllib.request.Request(url or RPC_URL, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.loads(response.read())
    if "error" in answer:
        raise RuntimeError(f"{method}: {answer['error']}")
    return answer["result"]


def run(*args, env=None, timeout=120, check=True):
    result = subprocess.run([BIN, *args], env=env, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise RuntimeError(
            f"caseattest {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


SEED_PEOPLE = """
INSERT INTO users (id, email, hashed_password, role) VALUES
    (1, 'counsellor@page.invalid', 'x', 'counsellor'), (2, 'student@page.invalid', 'x', 'user');
SELECT setval(pg_get_serial_sequence('users', 'id'), 10);
"""


def seed_cases(url, count, first_id=1):
    """`count` resolved cases (ids from first_id) with two appointments each, one of them in a
    non-ASCII location so the documents exercise UTF-8."""
    psql(url, f"""
INSERT INTO cases (id, user_id, counsellor_id, status, risk_level_at_creation, created_at, resolved_at)
SELECT g, 2, 1, 'resolved', g % 4, timestamptz '2026-01-05 09:00:00.123456+00' + make_interval(mins => g),
       timestamptz '2026-02-01 10:30:00.654321+00' + make_interval(mins => g)
FROM generate_series({first_id}, {first_id + count - 1}) AS g;
INSERT INTO appointments (case_id, user_id, counsellor_id, scheduled_at, status, location_type)
SELECT g, 2, 1, timestamptz '2026-01-10 14:00:00+00' + make_interval(days => g % 7), 'completed',
       CASE WHEN g % 2 = 0 THEN 'online' ELSE 'in_person' END
FROM generate_series({first_id}, {first_id + count - 1}) AS g;
SELECT setval(pg_get_serial_sequence('cases', 'id'), {first_id + count + 10});
""")


class World:
    """A database, two registries, a daemon that attests and serves /verify, and receipt files."""

    def __init__(self, work: pathlib.Path, cases: int):
        self.work = work
        self.cases = cases
        self.name = "caseattest_page_" + secrets.token_hex(6)
        self.url = with_database(DATABASE_URL, self.name)
        self.process = None
        self.env = None
        self.registry = None
        self.other_registry = None
        self.base = None
        self.receipts = work / "receipts"

    def start(self, timeout=240):
        work = self.work
        psql(DATABASE_URL, f"CREATE DATABASE {self.name}")
        run("migrate", "--database-url", self.url)
        psql(self.url, SEED_PEOPLE)
        seed_cases(self.url, self.cases)
        (work / "pseudonym.key").write_text(secrets.token_hex(32))
        (work / "signer.key").write_text(DEV_SIGNER + "\n")
        (work / "tokens").write_text("# no tokens: GET /verify needs none\n")
        for path in ("pseudonym.key", "signer.key"):
            os.chmod(work / path, 0o600)
        self.env = dict(os.environ, DATABASE_URL=self.url, CASEATTEST_RPC_URL=RPC_URL,
                        CASEATTEST_PSEUDONYM_KEY_FILE=str(work / "pseudonym.key"),
                        CASEATTEST_PRIVATE_KEY_FILE=str(work / "signer.key"),
                        CASEATTEST_API_TOKENS_FILE=str(work / "tokens"))
        run("contract", "deploy", "--address-file", str(work / "contract"), env=self.env)
        self.registry = (work / "contract").read_text().strip().lower()
        run("contract", "deploy", "--address-file", str(work / "other-contract"), env=self.env)
        self.other_registry = (work / "other-contract").read_text().strip().lower()
        self.env["CASEATTEST_CONTRACT"] = self.registry

        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        log = open(work / "serve.log", "wb")
        self.process = subprocess.Popen(
            [BIN, "serve", "--http-port", str(port), "--monitor-interval", "60", "--sweep-interval", "1",
             "--batch-wait", "1", "--batch-max", "4096", "--confirmations", "2",
             "--anchor-interval", "0", "--batch-min-leaves", "0"],
            env=dict(self.env, DATABASE_URL=as_service_role(self.url)), stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("serve exited early:\n" + (work / "serve.log").read_text())
            confirmed = int(psql(self.url, "SELECT count(*) FROM caseattest.attestation_state "
                                 "WHERE status = 'confirmed'",
                                 capture=True) or 0)
            if confirmed >= self.cases:
                break
            time.sleep(0.5)
        else:
            raise RuntimeError(f"only {confirmed} of {self.cases} cases confirmed in {timeout} s:\n"
                               + (work / "serve.log").read_text()[-4000:])
        while http_get(self.base + "/healthz", timeout=2)[0] != 200:
            time.sleep(0.1)
        self.write_receipts()
        return self

    def write_receipts(self):
        self.receipts.mkdir(exist_ok=True)

        def one(case_id):
            run("receipt", "--case", str(case_id), "--out", str(self.receipts / f"case-{case_id:04d}.json"),
                env=self.env)

        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(one, range(1, self.cases + 1)))

    def receipt_path(self, case_id):
        return self.receipts / f"case-{case_id:04d}.json"

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        with contextlib.suppress(Exception):
            psql(DATABASE_URL, f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


def verify_receipt_cli(path, registry=None, confirmations=2, chain_id=None):
    """(verdict, reason) from `caseattest verify-receipt --json`, or ('error'/code, message) on exit 2."""
    args = ["verify-receipt", str(path), "--rpc", RPC_URL, "--confirmations", str(confirmations), "--json"]
    if registry:
        args += ["--contract", registry]
    if chain_id is not None:
        args += ["--chain-id", str(chain_id)]
    result = run(*args, check=False)
    if result.returncode in (0, 1):
        answer = json.loads(result.stdout)
        return answer["verdict"], answer["reason"]
    return "exit-2", result.stderr.strip()


# ------------------------------------------------------------------ the browser

def chrome(width=1280, height=1000):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={width},{height}", "--allow-file-access-from-files",
                     "--disable-features=LocalNetworkAccessChecks,PrivateNetworkAccessRespectPreflightResults",
                     "--lang=en-US"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


class Page:
    """The verify page in a browser tab: fill in the settings, choose files, read the verdicts."""

    def __init__(self, driver, url):
        self.driver = driver
        self.url = url
        driver.get(url)

    def find(self, css):
        from selenium.webdriver.common.by import By
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        from selenium.webdriver.common.by import By
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def set_field(self, element_id, value):
        field = self.find("#" + element_id)
        field.clear()
        if value:
            field.send_keys(str(value))

    def verify(self, paths, node=None, registry="", confirmations=2, chain_id="", timeout=120):
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver.execute_script("document.getElementById('clear').click()")
        self.set_field("node", node or RPC_URL)
        self.set_field("registry", registry)
        self.set_field("confirmations", confirmations)
        self.set_field("chainid", chain_id)
        self.find("#files").send_keys("\n".join(str(p) for p in paths))
        self.find("#verify").click()
        WebDriverWait(self.driver, timeout).until(
            lambda d: d.find_element("id", "status").get_attribute("data-state") in ("done", "failed", "invalid"))
        state = self.find("#status").get_attribute("data-state")
        assert state == "done", "the page did not finish: " + self.find("#status").text
        return self.results()

    def results(self):
        return self.driver.execute_script("""
            return Array.from(document.querySelectorAll('#table tbody tr')).map((tr) => ({
                file: tr.dataset.file, verdict: tr.dataset.verdict, reason: tr.cells[4].textContent }));""")

    def summary(self):
        return self.driver.execute_script("return Object.assign({}, document.getElementById('summary').dataset);")

    def elapsed_ms(self):
        return int(self.find("#status").get_attribute("data-ms"))
