"""Fixtures for the auditor's page: one world of real receipts and one headless Chromium per module."""

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import pagekit  # noqa: E402

RECEIPTS = 100


@pytest.fixture(scope="session")
def world(tmp_path_factory):
    world = pagekit.World(tmp_path_factory.mktemp("verify-page"), cases=RECEIPTS)
    try:
        yield world.start()
    finally:
        world.stop()


@pytest.fixture(scope="session")
def driver():
    browser = pagekit.chrome()
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture(scope="session")
def page_file(tmp_path_factory):
    """The page as `caseattest verify-page --out FILE` writes it."""
    path = tmp_path_factory.mktemp("page") / "verify.html"
    result = pagekit.run("verify-page", "--out", str(path))
    assert "wrote" in result.stdout
    return path
