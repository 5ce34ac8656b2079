"""contracts/build.py: the committed Swift artifact must match the Vyper source and compiler output."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys

from registry_chain import BUILD_PY, REPO_ROOT
from registry_merkle import keccak256

SWIFT_FILE = REPO_ROOT / "Sources" / "Registry" / "RegistryArtifact.swift"


def load_build_module():
    spec = importlib.util.spec_from_file_location("registry_build", BUILD_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def swift_constant(name: str) -> str:
    match = re.search(rf'public static let {name} = "([^"]*)"', SWIFT_FILE.read_text())
    assert match, f"{name} missing from {SWIFT_FILE.name}"
    return match.group(1)


def test_committed_swift_artifact_is_current():
    completed = subprocess.run([sys.executable, str(BUILD_PY), "--check"], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr


def test_check_reports_a_changed_source_and_bytecode():
    build = load_build_module()
    artifact = build.compile_contract()
    assert build.check_swift(artifact) == []

    changed_source = {**artifact, "sourceSha256": "00" * 32}
    assert any("source SHA-256 differs" in r for r in build.check_swift(changed_source))

    changed_code = {**artifact, "bytecode": artifact["bytecode"] + "00"}
    reasons = build.check_swift(changed_code)
    assert any("creation bytecode differs" in r for r in reasons)
    assert not any("source" in r for r in reasons)


def test_swift_constants_match_the_artifact(artifact):
    assert swift_constant("sourceSHA256") == artifact["sourceSha256"]
    assert swift_constant("creationBytecode") == artifact["bytecode"]
    assert swift_constant("vyperVersion") == "0.4.3"
    runtime = bytes.fromhex(artifact["deployedBytecode"].removeprefix("0x"))
    assert swift_constant("deployedBytecodeKeccak256") == "0x" + keccak256(runtime).hex()


def test_deployed_code_hash_is_the_swift_constant(w3, registry):
    code = bytes(w3.eth.get_code(registry.address))
    assert "0x" + keccak256(code).hex() == swift_constant("deployedBytecodeKeccak256")
