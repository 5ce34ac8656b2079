"""`caseattest doctor` on a good configuration exits 0; with each fault
injected in turn it exits 1 and names that fault (and never prints a secret)."""

import os
import re
import secrets

import pytest
from eth_account import Account

from live import DEV_SIGNER, deployment, free_port, needs_services, run, with_database

pytestmark = needs_services

CHECKS = ["database", "migrations", "role-rights", "node", "signer-key", "registry", "attester", "balance",
          "key-permissions", "pseudonym-key", "api-tokens", "redis"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    work = tmp_path_factory.mktemp("doctor")
    with deployment(work) as world:
        if os.environ.get("CASEATTEST_TEST_REDIS_URL"):
            world["env"]["CASEATTEST_REDIS_URL"] = os.environ["CASEATTEST_TEST_REDIS_URL"]
        yield world


def doctor(env, **changes):
    result = run(["doctor", "--timeout", "5"], dict(env, **changes), timeout=90, check=False)
    lines = {}
    for line in result.stdout.splitlines():
        match = re.match(r"^(ok|FAIL)\s+(\S+)\s", line)
        if match:
            lines[match.group(2)] = match.group(1)
    return result, lines


def assert_no_secret(result, world):
    output = result.stdout + result.stderr
    assert DEV_SIGNER[2:] not in output
    assert (world["work"] / "pseudonym.key").read_text().strip() not in output
    assert world["backend"] not in output


def assert_fault(result, lines, check, words):
    assert result.returncode == 1, result.stdout + result.stderr
    assert lines.get(check) == "FAIL", result.stdout
    failing = [line for line in result.stdout.splitlines() if line.startswith(f"FAIL  {check} ")]
    assert any(word in failing[0] for word in words), result.stdout
    # The first failure reported is the injected one, and it comes with a fix.
    assert next(name for name in CHECKS if lines.get(name) == "FAIL") == check, result.stdout
    assert "fix: " in result.stdout


def test_good_configuration_passes(world):
    result, lines = doctor(world["env"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert set(lines) == set(CHECKS) and set(lines.values()) == {"ok"}, result.stdout
    assert "all 12 checks passed" in result.stdout
    assert_no_secret(result, world)


def test_stopped_database(world):
    # Nothing listens on a fresh free port: what a stopped server looks like.
    url = with_database(f"postgres://postgres@127.0.0.1:{free_port()}/x", world["database"])
    result, lines = doctor(world["env"], DATABASE_URL=url)
    assert_fault(result, lines, "database", ["cannot", "connect", "refused"])
    assert lines["node"] == "ok"


def test_wrong_chain_id(world):
    result, lines = doctor(world["env"], CASEATTEST_CHAIN_ID="1")
    assert_fault(result, lines, "node", ["serves chain"])


def test_unknown_contract(world):
    address = "0x" + secrets.token_hex(20)
    result, lines = doctor(world["env"], CASEATTEST_CONTRACT=address)
    assert_fault(result, lines, "registry", ["no contract"])


def test_signer_not_an_attester(world):
    signer = Account.from_key(DEV_SIGNER).address
    run(["contract", "attesters", "remove", signer], world["env"])
    try:
        result, lines = doctor(world["env"])
        assert_fault(result, lines, "attester", ["not an enabled attester"])
        assert lines["balance"] == "ok"
    finally:
        run(["contract", "attesters", "add", signer], world["env"])
    assert doctor(world["env"])[0].returncode == 0


def test_key_file_readable_by_others(world):
    key = world["work"] / "signer.key"
    os.chmod(key, 0o644)
    try:
        result, lines = doctor(world["env"])
        assert_fault(result, lines, "key-permissions", ["mode 644"])
        assert f"chmod 600 {key}" in result.stdout
    finally:
        os.chmod(key, 0o600)


def test_empty_balance(world):
    # A fresh key, enabled as attester by the registry's owner, never funded.
    key = "0x" + secrets.token_hex(32)
    path = world["work"] / "empty.key"
    path.write_text(key + "\n")
    os.chmod(path, 0o600)
    run(["contract", "attesters", "add", Account.from_key(key).address], world["env"])
    result, lines = doctor(world["env"], CASEATTEST_PRIVATE_KEY_FILE=str(path))
    assert_fault(result, lines, "balance", ["pays for 0 anchors"])
    assert lines["attester"] == "ok"
    assert key[2:] not in result.stdout + result.stderr
