"""Scaling table (issue 17): N resolved cases to confirmed through the daemon,
`verify --all`, and the receipt archive, with time, rate and peak RSS.

Environment: DATABASE_URL (a fresh database per size is made on its server),
CASEATTEST_RPC_URL (the dev chain), CASEATTEST_BIN (a release build),
BENCH_MAX_CASES (default 1,000,000), BENCH_ARCHIVE_MAX (default 100,000: the
receipt archive is written up to this size).
"""
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import daemon_bench  # noqa: E402  (the seed, the database helpers and the naive per-case peer)

SIZES = [10_000, 100_000, 1_000_000]
MAX_CASES = int(os.environ.get("BENCH_MAX_CASES", "1000000"))
ARCHIVE_MAX = int(os.environ.get("BENCH_ARCHIVE_MAX", "100000"))
NAIVE_SAMPLE = int(os.environ.get("BENCH_BASELINE_SAMPLE", "100"))
DEV_KEY = daemon_bench.DEV_KEY


class PeakRSS:
    """Polls /proc/PID/status for VmHWM (the kernel's own peak) until the process ends."""

    def __init__(self, pid: int):
        self.pid, self.peak_kib, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self):
        while not self._stop.is_set():
            try:
                for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        self.peak_kib = max(self.peak_kib, int(line.split()[1]))
            except (FileNotFoundError, ProcessLookupError):
                return
            time.sleep(0.02)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_kib / 1024


def timed(cmd, env, out=subprocess.DEVNULL):
    start = time.monotonic()
    process = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.PIPE, text=True)
    rss = PeakRSS(process.pid)
    _, err = process.communicate()
    elapsed = time.monotonic() - start
    peak = rss.stop()
    if process.returncode != 0:
        raise RuntimeError(f"{cmd[1]} exited {process.returncode}: {err[-2000:]}")
    return elapsed, peak


def seed(url: str, cases: int) -> None:
    """The daemon bench's seed, with fresh statistics for the planner."""
    daemon_bench.seed(url, cases)
    daemon_bench.psql(url, "ANALYZE")


def one_size(n: int, bin_path: str, rpc: str, base_url: str, chain_id: int, tmp: Path) -> dict:
    url, admin, name = daemon_bench.fresh_database(base_url)
    env = dict(os.environ, DATABASE_URL=url, CASEATTEST_RPC_URL=rpc, CASEATTEST_CHAIN_ID=str(chain_id))
    result = {"cases": n}
    try:
        daemon_bench.run([bin_path, "migrate"], env)
        seed(url, n)
        (tmp / "signer.key").write_text(DEV_KEY + "\n")
        (tmp / "pseudonym.key").write_text(secrets.token_hex(32) + "\n")
        env["CASEATTEST_PRIVATE_KEY_FILE"] = str(tmp / "signer.key")
        env["CASEATTEST_PSEUDONYM_KEY_FILE"] = str(tmp / "pseudonym.key")
        env["CASEATTEST_CONTRACT"] = daemon_bench.run([bin_path, "contract", "deploy"], env).stdout.strip()
        service = dict(env, DATABASE_URL=url + "?options=-c%20role%3Dcaseattest_service")
        log = open(tmp / f"daemon-{n}.log", "w")
        start = time.monotonic()
        daemon = subprocess.Popen([bin_path, "serve", "--http-port", "0", "--batch-max", "4096", "--batch-wait", "1",
                                   "--confirmations", "2", "--anchor-interval", "0", "--log-format", "json",
                                   "--log-level", "warning"], env=service, stdout=log, stderr=subprocess.STDOUT)
        rss = PeakRSS(daemon.pid)
        try:
            deadline = start + max(600, n / 200)
            confirmed = 0
            while time.monotonic() < deadline:
                # The real leaves of confirmed batches: a few hundred rows. A count of the attestation
                # rows each poll would read the whole table, at 1,000,000 cases a core's share of the run.
                confirmed = int(daemon_bench.psql(url, CONFIRMED_BY_BATCHES))
                if confirmed >= n:
                    break
                if daemon.poll() is not None:
                    raise RuntimeError(f"daemon exited; see {tmp}/daemon-{n}.log")
                time.sleep(1 if n < 500_000 else 3)
            result["daemon_s"] = time.monotonic() - start
        finally:
            result["daemon_mib"] = rss.stop()
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=60)
        if confirmed < n:
            raise RuntimeError(f"only {confirmed}/{n} confirmed in time")
        # The rows themselves agree, once, after the clock stopped.
        counted = int(daemon_bench.psql(
            url, "SELECT count(*) FROM caseattest.attestation_state WHERE status = 'confirmed'"))
        if counted != n:
            raise RuntimeError(f"batches say {confirmed} confirmed, the rows {counted}, of {n}")
        result["verify_s"], result["verify_mib"] = timed(
            [bin_path, "verify", "--all", "--problems-only", "--json", "--log-level", "warning"], service)
        if n <= ARCHIVE_MAX:
            folder = tmp / f"receipts-{n}"
            result["archive_s"], result["archive_mib"] = timed(
                [bin_path, "receipt", "--all", "--out", str(folder), "--log-level", "warning"], service)
            shutil.rmtree(folder, ignore_errors=True)
        if n == SIZES[0]:
            result["naive_verify_per_case"] = naive_verify_per_case(env, tmp)
        return result
    finally:
        daemon_bench.psql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


CONFIRMED_BY_BATCHES = (
    "SELECT coalesce(sum(leaf_count - filler_count), 0) FROM caseattest.attestation_batch WHERE status = 'confirmed'")


def naive_verify_per_case(env: dict, tmp: Path) -> float:
    """The naive verifier of bench 50 (one eth_call per case) on this database, per case."""
    bench_verify = Path(env["CASEATTEST_BIN"]).parent / "bench-verify" if "CASEATTEST_BIN" in env else None
    if not bench_verify or not bench_verify.exists():
        return float("nan")
    out = subprocess.run([str(bench_verify), "naive", "--database-url", env["DATABASE_URL"], "--contract",
                          env["CASEATTEST_CONTRACT"], "--pseudonym-key-file", str(tmp / "pseudonym.key")],
                         env=env, check=True, capture_output=True, text=True).stdout
    values = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    return float(values["naive_seconds"]) / max(1, int(values.get("naive_cases", values.get("naive_verified", "1"))))


def main() -> int:
    bin_path, rpc, base_url = os.environ["CASEATTEST_BIN"], os.environ["CASEATTEST_RPC_URL"], os.environ["DATABASE_URL"]
    chain_id = int(os.environ.get("CASEATTEST_CHAIN_ID", "1337"))
    sizes = [n for n in SIZES if n <= MAX_CASES]
    rows = []
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        for n in sizes:
            rows.append(one_size(n, bin_path, rpc, base_url, chain_id, tmp))
            print(f"  {n:,} cases done", flush=True)
        env = dict(os.environ, CASEATTEST_PRIVATE_KEY_FILE=str(tmp / "signer.key"), CASEATTEST_CHAIN_ID=str(chain_id))
        contract = daemon_bench.run([bin_path, "contract", "deploy"], env).stdout.strip()
        daemon_bench.BASELINE_SAMPLE = NAIVE_SAMPLE
        naive = daemon_bench.naive_baseline(rpc, chain_id, contract)
    print("== 80-scale: resolved cases (3 appointments each) to confirmed, then verified and archived")
    print("   dev chain (1 block/s, 2 confirmations), --batch-max 4096; this machine is shared and noisy: compare")
    print("   ratios within this run. Naive peers measured on a sample and extrapolated (marked ~).")
    print(f"{'cases':>10} | {'daemon s':>9} {'cases/s':>8} {'RSS MiB':>8} | {'verify s':>8} {'cases/s':>8} "
          f"{'RSS MiB':>8} | {'archive s':>9} {'RSS MiB':>8} | {'naive daemon':>13} {'naive verify':>13}")
    naive_verify = rows[0].get("naive_verify_per_case", float("nan"))
    for r in rows:
        n = r["cases"]
        archive = (f"{r['archive_s']:>9.1f} {r['archive_mib']:>8.0f}" if "archive_s" in r else f"{'-':>9} {'-':>8}")
        print(f"{n:>10,} | {r['daemon_s']:>9.1f} {n / r['daemon_s']:>8.0f} {r['daemon_mib']:>8.0f} | "
              f"{r['verify_s']:>8.1f} {n / r['verify_s']:>8.0f} {r['verify_mib']:>8.0f} | {archive} | "
              f"{'~%.0f s' % (naive['per_case'] * n):>13} {'~%.0f s' % (naive_verify * n):>13}")
    first, last = rows[0], rows[-1]
    growth = (last["daemon_s"] / last["cases"]) / (first["daemon_s"] / first["cases"])
    print(f"time per case at {last['cases']:,} vs {first['cases']:,}: daemon {growth:.2f}x, verify "
          f"{(last['verify_s'] / last['cases']) / (first['verify_s'] / first['cases']):.2f}x (linear: <= 1.5x)")
    if last["cases"] >= 1_000_000:
        print(f"targets at 1,000,000: daemon <= 180 s: {'met' if last['daemon_s'] <= 180 else 'MISSED'}, "
              f"RSS <= 256 MiB: {'met' if last['daemon_mib'] <= 256 else 'MISSED'}; verify <= 30 s: "
              f"{'met' if last['verify_s'] <= 30 else 'MISSED'}, RSS <= 512 MiB: "
              f"{'met' if last['verify_mib'] <= 512 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
