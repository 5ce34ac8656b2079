"""ops/prometheus/alerts.yml: valid rules, and promtool's unit tests pass with
a firing and a not-firing case for every alert."""

import pathlib
import shutil
import subprocess

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
RULES = REPO / "ops/prometheus/alerts.yml"
TESTS = REPO / "ops/prometheus/alerts.test.yml"


def promtool():
    path = shutil.which("promtool")
    if path is None:
        pytest.fail("promtool not found: scripts/install-deps.sh installs Debian's prometheus package")
    return path


def alert_names():
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule["alert"] for group in groups for rule in group["rules"] if "alert" in rule]


def test_rules_are_valid():
    result = subprocess.run([promtool(), "check", "rules", str(RULES)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_unit_tests_pass():
    result = subprocess.run([promtool(), "test", "rules", str(TESTS)], capture_output=True, text=True,
                            cwd=TESTS.parent, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_is_tested_firing_and_not_firing():
    firing, quiet = set(), set()
    for test in yaml.safe_load(TESTS.read_text())["tests"]:
        for case in test.get("alert_rule_test", []):
            (firing if case.get("exp_alerts") else quiet).add(case["alertname"])
    names = alert_names()
    assert len(names) == len(set(names)), "duplicate alert names"
    assert not set(names) - firing, f"alerts never tested firing: {sorted(set(names) - firing)}"
    assert not set(names) - quiet, f"alerts never tested not firing: {sorted(set(names) - quiet)}"
    assert not (firing | quiet) - set(names), "tests name alerts that do not exist"
