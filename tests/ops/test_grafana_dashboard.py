"""ops/grafana/dashboard.json: every panel query parses (promtool checks them
as recording rules) and names only metrics the daemon exports."""

import json
import pathlib
import re
import shutil
import subprocess

import pytest
import yaml

from exported_metrics import exported_metric_names

REPO = pathlib.Path(__file__).resolve().parents[2]
DASHBOARD = REPO / "ops/grafana/dashboard.json"

# Grafana's variables, replaced by values PromQL accepts.
VARIABLES = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h", "$instance": ".*"}
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset",
            "and", "or", "unless", "inf", "nan"}


def panels(items):
    for panel in items:
        yield panel
        yield from panels(panel.get("panels", []))


def queries():
    dashboard = json.loads(DASHBOARD.read_text())
    found = []
    for panel in panels(dashboard["panels"]):
        for target in panel.get("targets", []):
            expr = target["expr"]
            for name, value in VARIABLES.items():
                expr = expr.replace(name, value)
            found.append((panel["title"], expr))
    return found


def metric_names(expr):
    """Bare identifiers that are not functions, keywords or label names."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)                # strings
    text = re.sub(r"\{[^}]*\}", "", text)                            # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)                           # ranges
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        rest = text[match.end():].lstrip()
        word = match.group(0)
        if rest.startswith("(") or word.lower() in KEYWORDS:
            continue
        if re.fullmatch(r"\d+(?:e\d+)?", word):
            continue
        names.add(word)
    return names


def test_dashboard_has_queries():
    assert len(queries()) >= 10


def test_every_query_parses(tmp_path):
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool not found: scripts/install-deps.sh installs Debian's prometheus package")
    rules = [{"record": f"dashboard:query_{index}", "expr": expr} for index, (_, expr) in enumerate(queries())]
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    result = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_queries_use_only_exported_metrics():
    exported = exported_metric_names()
    assert "caseattest_http_requests_total" in exported and "caseattest_worker_stalled" in exported
    for title, expr in queries():
        names = metric_names(expr)
        assert names, f"panel {title!r}: no metric in {expr}"
        unknown = names - exported
        assert not unknown, f"panel {title!r} uses metrics the daemon does not export: {sorted(unknown)}"


def test_the_name_check_catches_an_unknown_metric():
    assert (metric_names('sum by (le) (rate(caseattest_nope_bucket{a="b"}[5m])) / up')
            == {"caseattest_nope_bucket", "up"})
