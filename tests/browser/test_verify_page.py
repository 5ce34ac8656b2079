"""The auditor's page (web/verify.html) in headless Chromium, against real receipts made end to end
by the `caseattest` binary, with the verdicts of `caseattest verify-receipt` as the reference."""

import json
import re

import pytest

import pagekit

pytestmark = [
    pytest.mark.skipif(not pagekit.services_available(),
                       reason="needs CASEATTEST_BIN, DATABASE_URL and CASEATTEST_RPC_URL (make test sets them)"),
    pytest.mark.skipif(not pagekit.chromium_available(),
                       reason="needs Debian's chromium and chromium-driver (scripts/install-deps.sh installs them)"),
]

DOCS = pagekit.REPO / "docs"


def same_outcome(page, cli):
    """The page and verify-receipt agree: the same verdict and reason (confirmation counts aside:
    the dev chain mines a block a second between the two checks)."""
    strip = lambda text: re.sub(r"\d+ (of \d+ )?confirmations", "N confirmations", text)
    assert page["verdict"] == cli[0], (page, cli)
    assert strip(page["reason"]) == strip(cli[1]), (page, cli)


def edited(world, tmp_path, name, change):
    receipt = json.loads(world.receipt_path(1).read_text())
    change(receipt)
    path = tmp_path / name
    path.write_text(json.dumps(receipt))
    return path


@pytest.fixture
def page(driver, page_file):
    return pagekit.Page(driver, page_file.as_uri())


def screenshot(driver, name):
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, max(900, min(height + 40, 4000)))
    DOCS.mkdir(exist_ok=True)
    driver.save_screenshot(str(DOCS / name))
    driver.set_window_size(1280, 1000)


def test_genuine_receipt_is_verified(page, world, driver):
    path = world.receipt_path(1)
    [result] = page.verify([path], registry=world.registry)
    assert result["verdict"] == "verified", result
    assert re.fullmatch(r"anchored in block \d+ by 0x[0-9a-f]{64}, \d+ confirmations", result["reason"])
    same_outcome(result, pagekit.verify_receipt_cli(path, registry=world.registry))
    # It shows its work: verdict in words, the block and its time, and the proof path as SVG.
    assert page.find("#detail-verdict").text == "✔ verified"
    detail = page.find("#detail").text
    assert "Block time" in detail and "Confirmations" in detail
    receipt = json.loads(path.read_text())
    assert str(receipt["blockNumber"]) in detail
    assert len(page.find_all("#detail svg g")) == 2 * len(receipt["proof"]) + 1
    assert page.find("#summary").get_attribute("data-verified") == "1"
    screenshot(driver, "verify-page-verified.png")


def test_edited_document_is_refused_naming_the_field(page, world, tmp_path, driver):
    def change(receipt):
        receipt["document"]["case"]["status"] = "closed"
    path = edited(world, tmp_path, "edited-status.json", change)
    [result] = page.verify([path], registry=world.registry)
    assert result["verdict"] == "record-changed"
    assert result["reason"].startswith("document/contentHash: the document does not hash to contentHash 0x")
    same_outcome(result, pagekit.verify_receipt_cli(path, registry=world.registry))
    assert page.find("#detail-verdict").text == "✘ record-changed"
    screenshot(driver, "verify-page-refused.png")


@pytest.mark.parametrize("field,change,verdict,starts", [
    ("schema", lambda r: r["document"].__setitem__("schema", "aicare.case-attestation/v9"),
     "record-changed", "document: schema"),
    ("leaf", lambda r: r.__setitem__("leaf", "0x" + "11" * 32), "proof-invalid", "leaf: "),
    ("proof", lambda r: r.__setitem__("proof", ["0x" + "22" * 32] + r["proof"][1:]), "proof-invalid", "proof/root: "),
    ("blockNumber", lambda r: r.__setitem__("blockNumber", r["blockNumber"] - 1),
     "not-anchored", "blockNumber: claimed"),
    ("blockHash", lambda r: r.__setitem__("blockHash", "0x" + "33" * 32), "not-anchored", "blockHash: claimed"),
    ("attestedAt", lambda r: r.__setitem__("attestedAt", "2020-01-01T00:00:00.000000Z"),
     "not-anchored", "attestedAt: claimed"),
    ("leafIndex", lambda r: r.__setitem__("leafIndex", 100000), "proof-invalid", "leafIndex: 100000"),
    ("chainId", lambda r: r.__setitem__("chainId", 999), "wrong-contract", "chainId: attested on chain 999"),
    ("txHash", lambda r: r.__setitem__("txHash", "0x" + "44" * 32), "not-anchored", "txHash: transaction"),
    ("format", lambda r: r.__setitem__("format", "caseattest-receipt/v0"), "unsupported-format", "format: "),
    ("extra", lambda r: r.__setitem__("note", "hi"), "malformed-receipt", 'unexpected field "note"'),
    ("links", lambda r: r.__setitem__("links", {"transaction": "https://explorer.example/tx/0x" + "55" * 32}),
     "malformed-receipt", "links.transaction: does not name this receipt's txHash"),
])
def test_each_edited_field_is_named_as_verify_receipt_names_it(page, world, tmp_path, field, change, verdict, starts):
    path = edited(world, tmp_path, f"edited-{field}.json", change)
    [result] = page.verify([path], registry=world.registry)
    assert result["verdict"] == verdict, result
    assert result["reason"].startswith(starts), result
    cli = pagekit.verify_receipt_cli(path, registry=world.registry)
    if cli[0] == "exit-2":   # an unreadable receipt: verify-receipt exits 2 with "receipt CODE: message"
        assert cli[1].endswith(f"{result['reason']}"), (result, cli)
    else:
        same_outcome(result, cli)


def test_receipt_with_explorer_links_is_verified_as_without(page, world, tmp_path):
    """A receipt's links (from the issuer's chain profile) are informational: the page accepts them,
    checks only that they name the receipt's own transaction and contract, and verifies as before."""
    def change(receipt):
        receipt["links"] = {"transaction": "https://explorer.example/tx/" + receipt["txHash"],
                            "contract": "https://explorer.example/address/" + receipt["contract"]}
    path = edited(world, tmp_path, "with-links.json", change)
    [result] = page.verify([path], registry=world.registry)
    assert result["verdict"] == "verified", result
    same_outcome(result, pagekit.verify_receipt_cli(path, registry=world.registry))


def test_another_registry_is_refused(page, world):
    path = world.receipt_path(1)
    [result] = page.verify([path], registry=world.other_registry)
    assert result["verdict"] == "wrong-contract"
    assert result["reason"] == f"contract: anchored through {world.registry}, not the registry {world.other_registry}"
    same_outcome(result, pagekit.verify_receipt_cli(path, registry=world.other_registry))


def test_not_deep_enough_is_unconfirmed(page, world):
    path = world.receipt_path(1)
    block = json.loads(path.read_text())["blockNumber"]
    depth = int(pagekit.rpc("eth_blockNumber"), 16) - block + 1
    required = depth + 1000   # the anchor is `depth` blocks deep; ask for more than the chain will have
    [result] = page.verify([path], registry=world.registry, confirmations=required)
    assert result["verdict"] == "unconfirmed"
    assert re.fullmatch(rf"block {block} has \d+ of {required} confirmations", result["reason"]), result
    same_outcome(result, pagekit.verify_receipt_cli(path, registry=world.registry, confirmations=required))


def test_hundred_receipts_at_once_with_the_summary(page, world, tmp_path):
    paths = [world.receipt_path(i) for i in range(1, 101)]
    results = page.verify(paths, registry=world.registry)
    assert len(results) == 100
    assert all(r["verdict"] == "verified" for r in results), [r for r in results if r["verdict"] != "verified"][:3]
    summary = page.summary()
    assert summary["total"] == "100" and summary["verified"] == "100", summary
    assert "All 100 receipt(s) verified." in page.find("#summary").text

    # One bad apple among them is counted and named.
    def change(receipt):
        receipt["document"]["appointments"][0]["status"] = "cancelled"
    bad = edited(world, tmp_path, "zz-edited.json", change)
    results = page.verify(paths[:99] + [bad], registry=world.registry)
    summary = page.summary()
    assert summary["verified"] == "99" and summary["recordChanged"] == "1", summary
    assert "1 of 100 receipt(s) NOT verified." in page.find("#summary").text
    assert [r["file"] for r in results if r["verdict"] != "verified"] == ["zz-edited.json"]


def test_served_page_and_written_file_behave_the_same(driver, world, page_file, tmp_path):
    status, served = pagekit.http_get(world.base + "/verify")
    assert status == 200
    assert served == page_file.read_bytes() == pagekit.PAGE_SOURCE.read_bytes()

    def change(receipt):
        receipt["document"]["case"]["resolved_at"] = "2026-02-01T10:30:00.654322Z"
    files = [world.receipt_path(1), world.receipt_path(2), edited(world, tmp_path, "edited.json", change)]
    outcomes = []
    for url in (world.base + "/verify", page_file.as_uri()):
        page = pagekit.Page(driver, url)
        outcomes.append([(r["file"], r["verdict"], re.sub(r"\d+ confirmations", "N confirmations", r["reason"]))
                         for r in page.verify(files, registry=world.registry)])
        outcomes.append([(r["file"], r["verdict"], r["reason"])
                         for r in page.verify([files[0]], registry=world.other_registry)])
    assert outcomes[0] == outcomes[2] and outcomes[1] == outcomes[3]
    assert [o[1] for o in outcomes[0]] == ["verified", "verified", "record-changed"]


def test_settings_are_kept_and_controls_are_labelled(driver, page_file, world):
    page = pagekit.Page(driver, page_file.as_uri())
    page.verify([world.receipt_path(1)], registry=world.registry)
    again = pagekit.Page(driver, page_file.as_uri())
    assert again.find("#node").get_attribute("value") == pagekit.RPC_URL
    assert again.find("#registry").get_attribute("value") == world.registry
    unlabelled = driver.execute_script("""
        return Array.from(document.querySelectorAll('input, button, select, textarea'))
          .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
          .map((e) => e.id || e.outerHTML);""")
    assert unlabelled == []


def test_keyboard_details_and_print_view(driver, page_file, world, tmp_path):
    from selenium.webdriver.common.keys import Keys

    def change(receipt):
        receipt["document"]["case"]["status"] = "closed"
    page = pagekit.Page(driver, page_file.as_uri())
    page.verify([world.receipt_path(3), edited(world, tmp_path, "edited.json", change)], registry=world.registry)
    assert page.find("#detail").get_attribute("hidden") is not None   # many receipts: the table first
    buttons = page.find_all("#table tbody button")
    buttons[1].send_keys(Keys.ENTER)
    assert page.find("#detail").get_attribute("hidden") is None
    assert driver.switch_to.active_element == page.find("#detail")   # focus moves to what was opened
    assert page.find("#detail-verdict").text == "✘ record-changed"
    # Verdicts in words, not colour alone: every verdict cell has its name in its text.
    assert [c.text for c in page.find_all("#table tbody td.verdict")] == ["✔ verified", "✘ record-changed"]

    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        displayed = lambda css: page.find(css).is_displayed()
        assert not displayed("#settings") and displayed("#table") and displayed("#summary") and displayed("#detail")
        assert "against node " + pagekit.RPC_URL in page.find("#printhead").text
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_dropped_files_are_verified(driver, page_file, world):
    page = pagekit.Page(driver, page_file.as_uri())
    page.set_field("node", pagekit.RPC_URL)
    page.set_field("registry", world.registry)
    texts = [world.receipt_path(i).read_text() for i in (4, 5)]
    driver.execute_script("""
        const transfer = new DataTransfer();
        arguments[0].forEach((text, i) =>
            transfer.items.add(new File([text], 'dropped-' + i + '.json', {type: 'application/json'})));
        document.getElementById('drop').dispatchEvent(
            new DragEvent('drop', {dataTransfer: transfer, bubbles: true, cancelable: true}));
    """, texts)
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(driver, 10).until(lambda d: "2 files chosen" in page.find("#chosen").text)
    page.find("#verify").click()
    WebDriverWait(driver, 60).until(lambda d: page.find("#status").get_attribute("data-state") == "done")
    assert [(r["file"], r["verdict"]) for r in page.results()] == [
        ("dropped-0.json", "verified"), ("dropped-1.json", "verified")]


def test_node_of_another_chain_is_an_error_not_a_verdict(page, world):
    path = world.receipt_path(1)
    [result] = page.verify([path], registry=world.registry, chain_id=1)
    assert result["verdict"] == "error"
    assert result["reason"] == "the node serves chain 1337, expected 1"
    verdict, message = pagekit.verify_receipt_cli(path, registry=world.registry, chain_id=1)
    assert verdict == "exit-2" and message.endswith(result["reason"]), message
