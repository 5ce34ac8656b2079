"""The Ethereum utilities of the real `caseattest` binary ($CASEATTEST_BIN),
checked against the shared vectors and against eth-account 0.14."""

import json
import os
import pathlib
import subprocess

import pytest
from eth_account import Account

REPO = pathlib.Path(__file__).resolve().parents[2]
VECTORS = pathlib.Path(os.environ.get("CASEATTEST_VECTORS") or REPO / ".." / "shared" / "vectors")
BIN = os.environ.get("CASEATTEST_BIN")

pytestmark = pytest.mark.skipif(
    not BIN or not os.access(BIN, os.X_OK),
    reason="CASEATTEST_BIN is not set to the caseattest executable (make test sets it)",
)

KEY = "0x4646464646464646464646464646464646464646464646464646464646464646"


def run(*args, stdin=b"", timeout=120):
    return subprocess.run([BIN, *args], input=stdin, capture_output=True, timeout=timeout)


def vector_cases():
    path = VECTORS / "transactions" / "ethers-eip155-london-sample.json"
    if not path.exists():
        pytest.skip(f"shared vectors not found at {VECTORS}")
    return json.loads(path.read_text())


def fields(tx, london):
    """The vector's fields for one type, as sign-tx takes them."""
    out = dict(tx)
    if london:
        out.pop("gasPrice", None)
        out.setdefault("maxFeePerGas", "0x0")
    else:
        for key in ("maxFeePerGas", "maxPriorityFeePerGas", "accessList"):
            out.pop(key, None)
    return out


def test_sign_tx_reproduces_all_vectors_in_order():
    lines, expected = [], []
    for case in vector_cases():
        lines.append(json.dumps({"privateKey": case["privateKey"], "transaction": fields(case["transaction"], True)}))
        expected.append(case["signedLondon"])
        if case["signedEip155"]:
            lines.append(json.dumps({"privateKey": case["privateKey"],
                                     "transaction": fields(case["transaction"], False)}))
            expected.append(case["signedEip155"])
    result = run("util", "sign-tx", stdin=("\n".join(lines) + "\n").encode())
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().splitlines() == expected
    assert len(expected) == 602


def test_sign_tx_reports_bad_lines_by_number_without_the_key():
    good = json.dumps({"privateKey": KEY, "transaction": {"chainId": "0x1", "gasPrice": "0x1", "gasLimit": "0x5208"}})
    bad_json = '{"privateKey": "' + KEY + '", '
    bad_field = json.dumps({"privateKey": KEY, "transaction": {"maxFeePerGas": "0x1", "gasPrice": "0x1"}})
    result = run("util", "sign-tx", stdin="\n".join([good, bad_json, good, bad_field]).encode() + b"\n")
    assert result.returncode != 0
    assert len(result.stdout.decode().splitlines()) == 2
    err = result.stderr.decode()
    assert "line 2:" in err and "line 4:" in err
    assert KEY[2:] not in err and "464646" not in err


def test_decode_tx_recovers_sender_and_hash():
    case = vector_cases()[0]
    result = run("util", "decode-tx", case["signedLondon"])
    assert result.returncode == 0, result.stderr.decode()
    decoded = json.loads(result.stdout)
    assert decoded["from"] == Account.from_key(case["privateKey"]).address
    assert decoded["type"] == "0x2"
    assert decoded["chainId"] == case["transaction"]["chainId"]
    from eth_utils import keccak
    assert decoded["hash"] == "0x" + keccak(hexstr=case["signedLondon"]).hex()
    assert run("util", "decode-tx", "0x02c0").returncode != 0


def test_keccak256_matches_pycryptodome():
    from Crypto.Hash import keccak
    data = bytes(range(256)) * 10
    result = run("util", "keccak256", stdin=data)
    assert result.stdout.decode().strip() == "0x" + keccak.new(digest_bits=256, data=data).hexdigest()


def test_keystores_interoperate_with_eth_account(tmp_path):
    password = "correct horse battery staple"
    (tmp_path / "pw").write_text(password + "\n")
    (tmp_path / "raw.key").write_text(KEY + "\n")

    ours = tmp_path / "ours.json"
    result = run("keys", "import", "--key-file", str(tmp_path / "raw.key"), "--keystore", str(ours),
                 "--password-file", str(tmp_path / "pw"), "--kdf", "scrypt-light")
    assert result.returncode == 0, result.stderr.decode()
    assert ours.stat().st_mode & 0o777 == 0o600
    assert Account.decrypt(json.loads(ours.read_text()), password).hex().removeprefix("0x") == KEY[2:]
    # Never overwrites.
    again = run("keys", "import", "--key-file", str(tmp_path / "raw.key"), "--keystore", str(ours),
                "--password-file", str(tmp_path / "pw"))
    assert again.returncode != 0 and "refusing to overwrite" in again.stderr.decode()

    theirs = tmp_path / "theirs.json"
    theirs.write_text(json.dumps(Account.encrypt(KEY, password, kdf="scrypt", iterations=1 << 12)))
    result = run("keys", "address", "--keystore", str(theirs), "--password-file", str(tmp_path / "pw"))
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().strip() == Account.from_key(KEY).address


def test_keys_new_writes_a_decryptable_0600_keystore(tmp_path):
    (tmp_path / "pw").write_text("hunter22\n")
    path = tmp_path / "new.json"
    result = run("keys", "new", "--keystore", str(path), "--password-file", str(tmp_path / "pw"),
                 "--kdf", "scrypt-light")
    assert result.returncode == 0, result.stderr.decode()
    assert path.stat().st_mode & 0o777 == 0o600
    key = Account.decrypt(json.loads(path.read_text()), "hunter22")
    assert Account.from_key(key).address == result.stdout.decode().strip()
    shown = run("keys", "address", "--keystore", str(path))
    assert shown.stdout.decode().strip() == result.stdout.decode().strip()
