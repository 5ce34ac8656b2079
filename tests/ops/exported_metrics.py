"""The metric names the Swift sources export: every `caseattest_*` name given
as a metric label (`label: "..."`) or as a named constant, plus the series
Prometheus derives from timers, histograms and summaries."""

import pathlib
import re

REPO = pathlib.Path(__file__).resolve().parents[2]
NAME = re.compile(r'(?:label:\s*|=\s*)"(caseattest_[a-z0-9_]+)"')
SUFFIXES = ("", "_bucket", "_sum", "_count")


def exported_metric_names():
    names = set()
    for source in (REPO / "Sources").rglob("*.swift"):
        names.update(NAME.findall(source.read_text(encoding="utf-8")))
    return {name + suffix for name in names for suffix in SUFFIXES}
