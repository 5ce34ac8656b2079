"""Parsing and formatting of JSON-RPC hex values, strict where geth is strict."""

from .errors import invalid_params

BLOCK_TAGS = ("latest", "earliest", "pending", "safe", "finalized")


def encode_quantity(value: int) -> str:
    return hex(value)


def encode_data(value: bytes) -> str:
    return "0x" + bytes(value).hex()


def encode_word(value: int) -> str:
    """A 256-bit integer as 32-byte data (log topics, storage keys)."""
    return encode_data(value.to_bytes(32, "big"))


def parse_quantity(value, name: str = "quantity", allow_int: bool = False) -> int:
    if allow_int and isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise invalid_params(f"invalid {name}: negative")
        return value
    if not isinstance(value, str) or not value.startswith(("0x", "0X")):
        raise invalid_params(f"invalid {name}: hex string without 0x prefix")
    digits = value[2:]
    if not digits:
        raise invalid_params(f"invalid {name}: hex string \"0x\"")
    if len(digits) > 64:
        raise invalid_params(f"invalid {name}: hex number > 256 bits")
    try:
        return int(digits, 16)
    except ValueError:
        raise invalid_params(f"invalid {name}: invalid hex string") from None


def parse_data(value, name: str = "data") -> bytes:
    if not isinstance(value, str) or not value.startswith(("0x", "0X")):
        raise invalid_params(f"invalid {name}: hex string without 0x prefix")
    digits = value[2:]
    if len(digits) % 2:
        raise invalid_params(f"invalid {name}: hex string of odd length")
    try:
        return bytes.fromhex(digits)
    except ValueError:
        raise invalid_params(f"invalid {name}: invalid hex string") from None


def parse_fixed(value, size: int, name: str) -> bytes:
    raw = parse_data(value, name)
    if len(raw) != size:
        raise invalid_params(f"invalid {name}: expected {size} bytes, got {len(raw)}")
    return raw


def parse_address(value, name: str = "address") -> bytes:
    return parse_fixed(value, 20, name)


def parse_hash(value, name: str = "hash") -> bytes:
    return parse_fixed(value, 32, name)


def parse_bool(value, name: str) -> bool:
    if not isinstance(value, bool):
        raise invalid_params(f"invalid {name}: expected a boolean")
    return value


def parse_block_ref(value, default: str = "latest"):
    """A block tag, a number, or an EIP-1898 object; returns a tag str, an int or ("hash", bytes)."""
    if value is None:
        return default
    if isinstance(value, dict):
        if "blockHash" in value:
            return ("hash", parse_hash(value["blockHash"], "blockHash"))
        if "blockNumber" in value:
            return parse_block_ref(value["blockNumber"], default)
        raise invalid_params("invalid block reference: expected blockHash or blockNumber")
    if isinstance(value, str) and value in BLOCK_TAGS:
        return value
    return parse_quantity(value, "block number")
