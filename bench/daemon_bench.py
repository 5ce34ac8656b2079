"""End-to-end daemon benchmark (issue 6): CASES resolved cases to confirmed,
beside a naive per-case baseline measured on a sample and extrapolated.

Environment: DATABASE_URL (any database on the server; a fresh one is made),
CASEATTEST_RPC_URL (the dev chain, mining a block every second), CASEATTEST_BIN.
"""
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from eth_account import Account
from web3 import Web3

REPO = Path(__file__).resolve().parent.parent
CASES = int(os.environ.get("BENCH_CASES", "10000"))
BASELINE_SAMPLE = int(os.environ.get("BENCH_BASELINE_SAMPLE", "300"))
# Anvil's second well-known PUBLIC dev key (the first one deploys in other benches/tests).
DEV_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
PG_BIN = "/usr/lib/postgresql/15/bin"


def psql(url: str, sql: str) -> str:
    out = subprocess.run([f"{PG_BIN}/psql", "-qtAX", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


def fresh_database(base_url: str) -> str:
    parts = urllib.parse.urlsplit(base_url)
    name = f"bench_daemon_{secrets.token_hex(4)}"
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    psql(admin, f"CREATE DATABASE {name}")
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}")), admin, name


def seed(url: str, cases: int) -> None:
    psql(url, f"""
        INSERT INTO users (email, hashed_password, role, full_name, created_at)
        SELECT 'bench' || g || '@demo.invalid', 'x', CASE WHEN g <= 10 THEN 'counsellor' ELSE 'user' END,
               'Bench ' || g, now() - interval '100 days'
        FROM generate_series(1, 1010) g;
        INSERT INTO cases (user_id, counsellor_id, status, risk_level_at_creation, created_at, resolved_at)
        SELECT 11 + (g % 1000), 1 + (g % 10), CASE WHEN g % 2 = 0 THEN 'resolved' ELSE 'closed' END, g % 4,
               now() - interval '50 days', now() - interval '1 day'
        FROM generate_series(1, {cases}) g;
        INSERT INTO appointments (case_id, user_id, counsellor_id, scheduled_at, status, location_type)
        SELECT c.id, c.user_id, c.counsellor_id, c.created_at + (k || ' days')::interval,
               (ARRAY['completed','cancelled','no_show'])[1 + (c.id + k) % 3],
               CASE WHEN k % 2 = 0 THEN 'online' ELSE 'in_person' END
        FROM cases c, generate_series(1, 3) k;
    """)


def run(cmd, env, **kw):
    return subprocess.run(cmd, env=env, check=True, capture_output=True, text=True, **kw)


def daemon_run(bin_path: str, rpc: str, base_url: str, chain_id: int, tmp: Path) -> dict:
    url, admin, name = fresh_database(base_url)
    env = dict(os.environ, DATABASE_URL=url, CASEATTEST_RPC_URL=rpc, CASEATTEST_CHAIN_ID=str(chain_id))
    try:
        run([bin_path, "migrate"], env)
        seed(url, CASES)
        (tmp / "signer.key").write_text(DEV_KEY + "\n")
        (tmp / "pseudonym.key").write_text(secrets.token_hex(32) + "\n")
        env["CASEATTEST_PRIVATE_KEY_FILE"] = str(tmp / "signer.key")
        env["CASEATTEST_PSEUDONYM_KEY_FILE"] = str(tmp / "pseudonym.key")
        if PKCS11:
            fund_token_key(bin_path, env, rpc, chain_id)
        contract = run([bin_path, "contract", "deploy"], env).stdout.strip()
        env["CASEATTEST_CONTRACT"] = contract
        log = open(tmp / "daemon.log", "w")
        start = time.monotonic()
        # Throughput as before the anchoring schedule: no slots, no filler leaves.
        daemon = subprocess.Popen([bin_path, "serve", "--http-port", "0", "--batch-max", "256", "--batch-wait", "1",
                                   "--anchor-interval", "0", "--batch-min-leaves", "0",
                                   "--confirmations", "2", "--log-format", "json",
                                   "--log-level", os.environ.get("BENCH_LOG_LEVEL", "warning")],
                                  env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = start + 600
            confirmed = 0
            while time.monotonic() < deadline:
                confirmed = int(psql(url, "SELECT count(*) FROM caseattest.attestation_state "
                                          "WHERE status = 'confirmed'"))
                if confirmed >= CASES:
                    break
                if daemon.poll() is not None:
                    raise RuntimeError("daemon exited; see " + str(tmp / "daemon.log"))
                time.sleep(0.2)
            elapsed = time.monotonic() - start
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=30)
        if confirmed < CASES:
            raise RuntimeError(f"only {confirmed}/{CASES} confirmed in time")
        hashes = psql(url, "SELECT DISTINCT mined_hash FROM caseattest.attestation_transaction "
                           "WHERE purpose = 'anchor'").split()
        w3 = Web3(Web3.HTTPProvider(rpc))
        gas = sum(w3.eth.get_transaction_receipt(h)["gasUsed"] for h in hashes)
        batches = int(psql(url, "SELECT count(*) FROM caseattest.attestation_batch WHERE status = 'confirmed'"))
        return {"seconds": elapsed, "gas": gas, "transactions": len(hashes), "batches": batches}
    finally:
        if os.environ.get("BENCH_KEEP_LOG"):
            import shutil
            shutil.copy(tmp / "daemon.log", "/tmp/daemon-bench.log")
        psql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# BENCH_PKCS11=1 (bench/15-signer.sh): the daemon signs with the key in the
# PKCS #11 token that CASEATTEST_PKCS11_* name; the naive baseline is skipped.
PKCS11 = os.environ.get("BENCH_PKCS11") == "1"


def fund_token_key(bin_path: str, env: dict, rpc: str, chain_id: int) -> None:
    env["CASEATTEST_SIGNER"] = "pkcs11"
    address = run([bin_path, "keys", "address", "--pkcs11"], env).stdout.strip()
    w3 = Web3(Web3.HTTPProvider(rpc))
    account = Account.from_key(DEV_KEY)
    tx = {"to": address, "value": w3.to_wei(100, "ether"), "gas": 21_000, "chainId": chain_id,
          "nonce": w3.eth.get_transaction_count(account.address, "pending"),
          "maxFeePerGas": w3.eth.get_block("latest")["baseFeePerGas"] * 2 + w3.to_wei(1, "gwei"),
          "maxPriorityFeePerGas": w3.to_wei(1, "gwei")}
    w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction))


def naive_baseline(rpc: str, chain_id: int, contract: str) -> dict:
    """One anchor transaction per case, each sent and awaited before the next."""
    w3 = Web3(Web3.HTTPProvider(rpc))
    account = Account.from_key(DEV_KEY)
    abi = [{"type": "function", "name": "anchor", "stateMutability": "nonpayable", "outputs": [],
            "inputs": [{"name": "root", "type": "bytes32"}, {"name": "leafCount", "type": "uint32"}]}]
    registry = w3.eth.contract(address=contract, abi=abi)
    nonce = w3.eth.get_transaction_count(account.address, "pending")
    gas_total = 0
    start = time.monotonic()
    for i in range(BASELINE_SAMPLE):
        content_hash = secrets.token_bytes(32)
        tx = registry.functions.anchor(content_hash, 1).build_transaction({
            "from": account.address, "nonce": nonce + i, "chainId": chain_id,
            "maxFeePerGas": w3.eth.get_block("latest")["baseFeePerGas"] * 2 + w3.to_wei(1, "gwei"),
            "maxPriorityFeePerGas": w3.to_wei(1, "gwei"), "gas": 120_000})
        signed = account.sign_transaction(tx)
        tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
        receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=60, poll_latency=0.05)
        gas_total += receipt["gasUsed"]
    elapsed = time.monotonic() - start
    return {"seconds": elapsed, "per_case": elapsed / BASELINE_SAMPLE, "gas_per_case": gas_total / BASELINE_SAMPLE}


def main() -> int:
    bin_path = os.environ.get("CASEATTEST_BIN")
    rpc = os.environ.get("CASEATTEST_RPC_URL")
    base_url = os.environ.get("DATABASE_URL")
    if not (bin_path and rpc and base_url):
        print("daemon bench: needs CASEATTEST_BIN, CASEATTEST_RPC_URL and DATABASE_URL (run it through `make bench`)")
        return 1
    chain_id = int(os.environ.get("CASEATTEST_CHAIN_ID", "1337"))
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        ours = daemon_run(bin_path, rpc, base_url, chain_id, tmp)
        if PKCS11:
            print(f"caseattest serve, PKCS#11 token signer: {CASES:,} cases confirmed in {ours['seconds']:.1f}s "
                  f"({ours['transactions']} anchor transactions, {ours['batches']} batches)")
            return 0
        env = dict(os.environ, CASEATTEST_PRIVATE_KEY_FILE=str(tmp / "signer.key"), CASEATTEST_CHAIN_ID=str(chain_id))
        contract = run([bin_path, "contract", "deploy"], env).stdout.strip()
        naive = naive_baseline(rpc, chain_id, contract)
    naive_total = naive["per_case"] * CASES
    print(f"end-to-end attestation of {CASES:,} resolved cases to confirmed (2 confirmations, dev chain, 1 block/s)")
    print(f"{'':34}{'time':>12}{'gas/case':>12}{'transactions':>14}")
    print(f"{'caseattest serve (batches of 256)':34}{ours['seconds']:>11.1f}s"
          f"{ours['gas'] / CASES:>12.1f}{ours['transactions']:>14}")
    print(f"{'naive: one tx per case (web3.py)':34}{naive_total:>11.1f}s{naive['gas_per_case']:>12.1f}{CASES:>14}"
          f"   (measured on {BASELINE_SAMPLE} cases: {naive['seconds']:.1f}s, extrapolated)")
    speedup = naive_total / ours["seconds"]
    print(f"speed-up {speedup:.1f}x (target >= 20x): {'met' if speedup >= 20 else 'NOT met'}; "
          f"gas/case {ours['gas'] / CASES:.1f} (target <= 500): {'met' if ours['gas'] / CASES <= 500 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
