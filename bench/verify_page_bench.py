"""`make bench`: the auditor's page on 1,000 receipts in headless Chromium beside
`caseattest verify-receipt` run on the same folder (one process per receipt, as an auditor's
shell loop would). Both check every receipt against the dev chain; both must say verified.

Receipts are made end to end (tests/browser/pagekit.py): a fresh database, a registry, 1,000
resolved cases attested by `caseattest serve`, `caseattest receipt` for each.
"""

import os
import pathlib
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests" / "browser"))

import pagekit  # noqa: E402

COUNT = int(os.environ.get("BENCH_PAGE_RECEIPTS", "1000"))


def main():
    if not pagekit.services_available():
        print("== 70-verify-page: SKIPPED (needs CASEATTEST_BIN, DATABASE_URL and CASEATTEST_RPC_URL; "
              "run under make bench)")
        return 0
    if not pagekit.chromium_available():
        print("== 70-verify-page: SKIPPED (needs chromium and chromium-driver: scripts/install-deps.sh)")
        return 0
    with tempfile.TemporaryDirectory() as work:
        world = pagekit.World(pathlib.Path(work), cases=COUNT)
        started = time.monotonic()
        try:
            world.start(timeout=600)
            setup = time.monotonic() - started
            paths = sorted(world.receipts.glob("*.json"))
            assert len(paths) == COUNT, len(paths)

            driver = pagekit.chrome()
            try:
                page_file = pathlib.Path(work) / "verify.html"
                pagekit.run("verify-page", "--out", str(page_file))
                page = pagekit.Page(driver, page_file.as_uri())
                page.verify(paths[:10], registry=world.registry)   # warm-up: JIT, node connection
                wall = time.monotonic()
                results = page.verify(paths, registry=world.registry, timeout=600)
                wall = time.monotonic() - wall
                page_ms = page.elapsed_ms()
            finally:
                driver.quit()
            page_verified = sum(1 for r in results if r["verdict"] == "verified")

            cli_started = time.monotonic()
            cli_verified = 0
            for path in paths:
                verdict, _ = pagekit.verify_receipt_cli(path, registry=world.registry)
                cli_verified += verdict == "verified"
            cli = time.monotonic() - cli_started
        finally:
            world.stop()

    print(f"== 70-verify-page: {COUNT} receipts of one batch (setup {setup:.1f} s: attest with serve, write receipts)")
    print(f"{'checker':<44}{'total s':>10}{'ms/receipt':>12}{'verified':>10}")
    print(f"{'verify page (headless Chromium, in-page)':<44}{page_ms / 1000:>10.2f}"
          f"{page_ms / COUNT:>12.2f}{page_verified:>10}")
    print(f"{'verify page (incl. Selenium file upload)':<44}{wall:>10.2f}"
          f"{wall * 1000 / COUNT:>12.2f}{page_verified:>10}")
    print(f"{'caseattest verify-receipt, one per file':<44}{cli:>10.2f}{cli * 1000 / COUNT:>12.2f}{cli_verified:>10}")
    return 0 if page_verified == COUNT and cli_verified == COUNT else 1


if __name__ == "__main__":
    sys.exit(main())
