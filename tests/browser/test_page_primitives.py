"""The page's own Keccak-256, SHA-256 and RFC 8785 canonicalisation, run in headless Chromium,
against `caseattest util keccak256 --lines` and `caseattest util canonicalize --lines` on a few
thousand seeded random inputs: lengths around Keccak's 136-byte blocks, Unicode strings, nested
objects, numbers of every shape, and invalid texts that both must refuse."""

import hashlib
import json
import math
import random
import struct
import subprocess

import pytest

import pagekit

pytestmark = [
    pytest.mark.skipif(not (pagekit.BIN and pagekit.chromium_available()),
                       reason="needs CASEATTEST_BIN and Debian's chromium and chromium-driver"),
]

SEED = 20261128


@pytest.fixture(scope="module")
def primitives(driver):
    driver.get(pagekit.PAGE_SOURCE.as_uri())
    return driver


def in_page(driver, function, inputs, chunk=500):
    out = []
    for start in range(0, len(inputs), chunk):
        out += driver.execute_script(
            f"return arguments[0].map((x) => window.CaseAttestPage.{function}(x));", inputs[start:start + chunk])
    return out


def cli_lines(command, lines: list[bytes]):
    result = subprocess.run([pagekit.BIN, "util", command, "--lines"], input=b"\n".join(lines) + b"\n",
                            capture_output=True, timeout=300)
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.split(b"\n")
    assert out[-1] == b""
    return out[:-1]


def keccak_inputs(rng):
    lengths = list(range(0, 300))
    for block in range(1, 8):
        lengths += [136 * block + d for d in range(-3, 4)] * 20
    lengths += [rng.randrange(0, 4000) for _ in range(700)]
    return [bytes(rng.getrandbits(8) for _ in range(n)) for n in lengths]


def test_keccak256_and_sha256_match_the_cli(primitives):
    rng = random.Random(SEED)
    inputs = keccak_inputs(rng)
    assert len(inputs) >= 1900
    hexes = ["0x" + data.hex() for data in inputs]
    expected = [line.decode() for line in cli_lines("keccak256", [h.encode() for h in hexes])]
    got = in_page(primitives, "keccak256Hex", hexes)
    mismatches = [(len(inputs[i]), got[i], expected[i]) for i in range(len(inputs)) if got[i] != expected[i]]
    assert not mismatches, mismatches[:5]
    # The plain-JS SHA-256 the page uses where WebCrypto is unavailable.
    got = in_page(primitives, "sha256Hex", hexes[:800])
    assert got == ["0x" + hashlib.sha256(d).hexdigest() for d in inputs[:800]]


ALPHABET = ["a", "Z", "0", " ", "\"", "\\", "/", "\b", "\f", "\n", "\r", "\t", "\u0000", "\u001f", "\u007f",
            "é", "ß", "€", "\u2028", "\ufeff", "\ufb01", "😀", "𝄞", "中", "\U0010ffff", "\ud7ff", "\ue000"]


def random_string(rng):
    return "".join(rng.choice(ALPHABET) if rng.random() < 0.5 else chr(rng.randrange(0x20, 0x3000))
                   for _ in range(rng.randrange(0, 12)))


def random_number(rng):
    kind = rng.randrange(6)
    if kind == 0:
        return rng.randrange(-10**6, 10**6)
    if kind == 1:
        return rng.randrange(-2**53, 2**53)
    if kind == 2:
        while True:
            value = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
            if math.isfinite(value):
                return value
    if kind == 3:
        return rng.choice([0.0, -0.0, 1e21, 1e-7, 1e-6, 123e18, 5e-324, 1.7976931348623157e308, 0.1, 1 / 3,
                           100.0, 2.5e-8])
    if kind == 4:
        return round(rng.uniform(-1000, 1000), rng.randrange(0, 8))
    return rng.randrange(-10**30, 10**30)   # beyond a double's integers: rounded by both


def random_value(rng, depth=0):
    kind = rng.randrange(8 if depth < 5 else 5)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind in (1, 2):
        return random_number(rng)
    if kind in (3, 4):
        return random_string(rng)
    if kind in (5, 6):
        return {random_string(rng): random_value(rng, depth + 1) for _ in range(rng.randrange(0, 6))}
    return [random_value(rng, depth + 1) for _ in range(rng.randrange(0, 6))]


def number_text(value):
    if isinstance(value, float):
        text = repr(value)
        if text in ("-0.0", "0.0") and random.random() < 0.5:
            return text.replace(".0", "")
        return text.replace("e-0", "e-").replace("inf", "1e999")
    return str(value)


def encode(value, rng):
    """A JSON text with random escaping and whitespace (no raw newline: one text per line)."""
    space = lambda: rng.choice(["", "", " ", "\t", "  "])
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, (int, float)):
        text = number_text(value)
        if isinstance(value, int) and rng.random() < 0.1:
            text += ".0" if rng.random() < 0.5 else "e0"
        return text
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=rng.random() < 0.4)
    if isinstance(value, dict):
        return "{" + space() + ",".join(space() + encode(k, rng) + space() + ":" + space() + encode(v, rng) + space()
                                       for k, v in value.items()) + "}"
    return "[" + ",".join(space() + encode(v, rng) + space() for v in value) + space() + "]"


INVALID = [b'{"a":1,"a":2}', b'"\\ud800"', b'"\\udc00x"', b'["\\ud83d\\u0041"]', b'\xef\xbb\xbf{}', b'{"a":01}',
           b'[1,]', b'NaN', b'[Infinity]', b'1e400', b'-', b'"\xff"', b'"\xed\xa0\x80"', b'"\xc0\xaf"', b'[1 2]',
           b'{"a" 1}', b'"a\tb"', b'tru', b'{}x', b'', b'  ', b'"\\x"', b'[-01]', b'.5', b'1.', b'+1', b'[1e]',
           b'{"k":"\x01"}', b'"\xf4\x90\x80\x80"', b'[' * 513 + b']' * 513]


def test_canonicalize_matches_the_cli(primitives):
    rng = random.Random(SEED + 1)
    texts = [encode(random_value(rng), rng).encode() for _ in range(2200)]
    texts += [b'[' * 512 + b']' * 512, b'{"a":' * 100 + b'1' + b'}' * 100]
    texts += INVALID
    assert all(b"\n" not in t for t in texts)
    expected = cli_lines("canonicalize", texts)
    got = in_page(primitives, "canonicalize", ["0x" + t.hex() for t in texts], chunk=400)
    mismatches = []
    accepted = 0
    for text, want, have in zip(texts, expected, got):
        if want.startswith(b"!"):
            if have["ok"]:
                mismatches.append((text[:200], "cli refused: " + want.decode(errors="replace"), have))
        else:
            accepted += 1
            if not have["ok"] or have["text"].encode("utf-8", "surrogatepass") != want:
                mismatches.append((text[:200], want[:200], have))
    assert not mismatches, mismatches[:5]
    assert accepted >= 2200
    assert sum(1 for w in expected if w.startswith(b"!")) >= len(INVALID) - 1
