"""ops/systemd: the units pass `systemd-analyze verify`, and the service takes
its secrets through LoadCredential= with the hardening it promises."""

import os
import pathlib
import shutil
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
UNITS = REPO / "ops/systemd"
BINARY = "/usr/local/bin/caseattest"


def read_unit(name):
    """{section: [(key, value), ...]}, keeping repeated keys (LoadCredential=)."""
    lines = {}
    section = None
    for raw in (UNITS / name).read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            lines.setdefault(section, [])
            continue
        key, _, value = line.partition("=")
        lines[section].append((key, value))
    return lines


def values(unit, section, key):
    return [value for k, value in unit[section] if k == key]


def test_units_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian's systemd package has it)")
    # verify insists that ExecStart's binary exists: point it at one that does.
    binary = os.environ.get("CASEATTEST_BIN") or "/bin/true"
    names = sorted(path.name for path in UNITS.iterdir() if path.suffix in (".service", ".timer"))
    for name in names:
        (tmp_path / name).write_text((UNITS / name).read_text().replace(BINARY, binary))
    result = subprocess.run([analyze, "verify", *[str(tmp_path / name) for name in names]],
                            capture_output=True, text=True, timeout=60)
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0 and "Failed to initialize manager" in output:
        pytest.skip(f"systemd-analyze cannot run here: {output.splitlines()[0]}")
    assert result.returncode == 0 and not output, output


def test_service_takes_secrets_through_credentials():
    unit = read_unit("caseattest.service")
    credentials = values(unit, "Service", "LoadCredential")
    assert {c.split(":")[0] for c in credentials} == {"signer.key", "pseudonym.key", "api-tokens"}
    environment = values(unit, "Service", "Environment")
    for variable, credential in (("CASEATTEST_PRIVATE_KEY_FILE", "signer.key"),
                                 ("CASEATTEST_PSEUDONYM_KEY_FILE", "pseudonym.key"),
                                 ("CASEATTEST_API_TOKENS_FILE", "api-tokens")):
        assert f"{variable}=%d/{credential}" in environment


def test_service_is_hardened_and_restarts():
    unit = read_unit("caseattest.service")
    service = dict(unit["Service"])
    assert service["User"] == "caseattest"
    assert service["Restart"] == "on-failure"
    for key, value in (("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"),
                       ("PrivateTmp", "yes"), ("CapabilityBoundingSet", ""), ("UMask", "0077")):
        assert service.get(key) == value, key
    assert "ExecReload" not in service, "serve has no reload; the unit must not pretend it has"
