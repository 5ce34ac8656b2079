"""The README's newcomer path: `make run` (scripts/run.sh) in one terminal,
then `source .run/env && caseattest verify --all` in another, works as
written; `caseattest doctor` passes on that configuration. Run on free ports
and a run directory of its own, beside make test's services."""

import os
import pathlib
import shutil
import signal
import subprocess
import time

import pytest

from live import BIN, REPO, free_port, needs_services, request

pytestmark = needs_services


def second_terminal(run_dir, command, timeout=120):
    """`command` in a fresh bash that has only sourced the env file."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root")}
    return subprocess.run(["bash", "-c", f"source {run_dir}/env && {command}"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def make_run(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("newcomer") / "run"
    http_port = free_port()
    env = dict(os.environ, RUN_DIR=str(run_dir), PG_PORT=str(free_port()), CHAIN_PORT=str(free_port()),
               REDIS_PORT=str(free_port()), CASEATTEST_HTTP_PORT=str(http_port), CASEATTEST_BIN=BIN)
    for name in ("DATABASE_URL", "CASEATTEST_RPC_URL", "CASEATTEST_CONTRACT", "CASEATTEST_REDIS_URL"):
        env.pop(name, None)
    log = open(run_dir.parent / "make-run.log", "wb")
    # Its own session, so the test can press Ctrl-C the way a terminal does.
    process = subprocess.Popen(["scripts/run.sh"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    base = f"http://127.0.0.1:{http_port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail("make run exited:\n" + (run_dir.parent / "make-run.log").read_text())
            try:
                if request(base + "/healthz", timeout=1)[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail("make run's daemon did not answer within 180 s:\n"
                        + (run_dir.parent / "make-run.log").read_text())
        yield {"run_dir": run_dir, "process": process, "log": run_dir.parent / "make-run.log"}
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        subprocess.run(["scripts/dev-down.sh"], cwd=REPO, env=dict(env, CLEAN="1"), capture_output=True, timeout=120)


def test_env_holds_what_a_second_terminal_needs(make_run):
    text = (make_run["run_dir"] / "env").read_text()
    for name in ("DATABASE_URL", "CASEATTEST_RPC_URL", "CASEATTEST_CHAIN_ID", "CASEATTEST_REDIS_URL",
                 "CASEATTEST_CONTRACT",
                 "CASEATTEST_PRIVATE_KEY_FILE", "CASEATTEST_PSEUDONYM_KEY_FILE", "CASEATTEST_API_TOKENS_FILE"):
        assert f"export {name}=" in text, name
    # Paths to secrets, never the secrets themselves.
    assert "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80" not in text


def test_verify_all_works_as_the_readme_says(make_run):
    # The demo cases are confirmed within seconds; until then verify says pending (exit 1).
    deadline = time.monotonic() + 120
    while True:
        result = second_terminal(make_run["run_dir"], "caseattest verify --all")
        if result.returncode == 0 or time.monotonic() > deadline:
            break
        assert result.returncode == 1, result.stdout + result.stderr
        time.sleep(2)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "verified" in result.stdout


def test_doctor_passes_on_make_runs_configuration(make_run):
    result = second_terminal(make_run["run_dir"], "caseattest doctor")
    assert result.returncode == 0, result.stdout + result.stderr


def test_verify_writes_its_metrics_file(make_run, tmp_path):
    path = tmp_path / "caseattest_verify.prom"
    result = second_terminal(make_run["run_dir"], f"caseattest verify --all --metrics-file {path}")
    assert result.returncode == 0, result.stdout + result.stderr
    text = path.read_text()
    assert "caseattest_verify_problems 0" in text and "caseattest_verify_last_run_success 1" in text
    assert 'caseattest_verify_cases{verdict="verified"}' in text
    promtool = shutil.which("promtool")
    if promtool:
        checked = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    # No database: exit 2, and the file says the run could not check.
    result = second_terminal(make_run["run_dir"], f"DATABASE_URL=postgres://postgres@127.0.0.1:{free_port()}/x "
                                                  f"caseattest verify --all --metrics-file {path}")
    assert result.returncode == 2
    text = path.read_text()
    assert "caseattest_verify_last_run_success 0" in text and "caseattest_verify_problems" not in text


def test_doctor_names_a_stopped_database(make_run):
    # make run's own throwaway cluster, really stopped.
    data = pathlib.Path(os.path.realpath(make_run["run_dir"] / "pg")) / "data"
    pg_ctl = f"/usr/lib/postgresql/15/bin/pg_ctl -D {data} -m fast -w stop"
    command = ["su", "postgres", "-s", "/bin/bash", "-c", pg_ctl] if os.getuid() == 0 else ["bash", "-c", pg_ctl]
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    result = second_terminal(make_run["run_dir"], "caseattest doctor --timeout 5")
    assert result.returncode == 1, result.stdout + result.stderr
    assert any(line.startswith("FAIL  database ") for line in result.stdout.splitlines()), result.stdout
    assert "start PostgreSQL" in result.stdout


def test_ctrl_c_stops_everything(make_run):
    process = make_run["process"]
    os.killpg(process.pid, signal.SIGINT)
    process.wait(timeout=60)
    log = make_run["log"].read_text()
    assert "stopping services" in log
    assert not (make_run["run_dir"] / "env").exists()
