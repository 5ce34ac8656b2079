"""Decoding and stateless checks of raw transactions, rejecting like geth with geth's messages."""

import rlp

from .errors import rejected

#: geth's txMaxSize (4 slots of 32 KiB).
MAX_TX_SIZE = 4 * 32 * 1024
#: EIP-3860 limit on contract creation code.
MAX_INITCODE_SIZE = 2 * 24576
#: geth --dev's minimum priority fee (miner.gasprice = 1 wei in dev mode).
MIN_TIP_WEI = 1
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

# type byte -> (geth's Go type name used in its rlp messages, number of RLP fields)
TX_TYPES = {
    None: ("LegacyTx", 9),
    1: ("AccessListTx", 11),
    2: ("DynamicFeeTx", 12),
    4: ("SetCodeTx", 13),
}
#: The types a pre-London chain takes: legacy and EIP-2930 (no dynamic fees).
PRE_LONDON_TX_TYPES = (None, 1)


def _rlp_structure_message(error: Exception) -> str:
    text = str(error)
    if "superfluous" in text:
        return "rlp: input contains more than one value"
    if "too short" in text or "exceeds" in text:
        return "rlp: value size exceeds available input length"
    if "prefix" in text or "canonical" in text or "leading" in text:
        return "rlp: non-canonical size information"
    return "rlp: " + text


def _check_rlp_shape(payload: bytes, type_id) -> None:
    go_name, field_count = TX_TYPES[type_id]
    try:
        items = rlp.decode(payload, strict=True)
    except rlp.exceptions.DecodingError as error:
        raise rejected(_rlp_structure_message(error)) from None
    if not isinstance(items, list):
        raise rejected(f"rlp: expected input list for types.{go_name}")
    if len(items) < field_count:
        raise rejected(f"rlp: too few elements for types.{go_name}")
    if len(items) > field_count:
        raise rejected(f"rlp: input list has too many elements for types.{go_name}")


def decode_raw_transaction(raw: bytes, transaction_builder, pre_london: bool = False):
    """Decode with py-evm after checking the envelope and RLP shape ourselves (geth's messages)."""
    if len(raw) == 0 or (raw[0] <= 0x7F and len(raw) <= 1):
        raise rejected("typed transaction too short")
    type_id = None if raw[0] > 0x7F else raw[0]
    if type_id not in TX_TYPES or (pre_london and type_id not in PRE_LONDON_TX_TYPES):
        raise rejected("transaction type not supported")
    _check_rlp_shape(raw if type_id is None else raw[1:], type_id)
    try:
        return transaction_builder.decode(raw)
    except Exception as error:  # py-rlp / py-evm field validation: still an RLP content error
        raise rejected("rlp: " + str(error).replace("\n", " ")) from None


def is_unprotected_legacy(tx) -> bool:
    return tx.type_id is None and tx.v in (27, 28)


def signed_chain_id(tx):
    """The chain id the signature commits to (EIP-155 for legacy), or None when it has none."""
    if tx.type_id is not None:
        return tx.chain_id
    if tx.v >= 35:
        return (tx.v - 35) // 2
    return None


def recover_sender(tx) -> bytes:
    """Sender address, or geth's "invalid sender" for out-of-range or unrecoverable signatures."""
    valid_range = 0 < tx.r < SECP256K1_N and 0 < tx.s <= SECP256K1_N // 2
    if tx.type_id is not None and tx.y_parity not in (0, 1):
        valid_range = False
    if not valid_range:
        raise rejected("invalid sender")
    try:
        tx.check_signature_validity()
        return tx.sender
    except Exception:
        raise rejected("invalid sender") from None


def check_stateless(tx, raw_size: int, block_gas_limit: int) -> None:
    """geth's ValidateTransaction checks that do not need account state, in geth's order."""
    if raw_size > MAX_TX_SIZE:
        raise rejected(f"oversized data: transaction size {raw_size}, limit {MAX_TX_SIZE}")
    if not tx.to and len(tx.data) > MAX_INITCODE_SIZE:
        raise rejected(f"max initcode size exceeded: code size {len(tx.data)}, limit {MAX_INITCODE_SIZE}")
    if tx.gas > block_gas_limit:
        raise rejected("exceeds block gas limit")
    if tx.max_priority_fee_per_gas > tx.max_fee_per_gas:
        raise rejected(
            "max priority fee per gas higher than max fee per gas: "
            f"maxPriorityFeePerGas: {tx.max_priority_fee_per_gas}, maxFeePerGas: {tx.max_fee_per_gas}"
        )


def check_gas_and_tip(tx, min_tip: int = MIN_TIP_WEI) -> None:
    """A legacy transaction's tip cap is its gas price (py-evm sets both fee fields to it)."""
    intrinsic = tx.intrinsic_gas
    if tx.gas < intrinsic:
        raise rejected(f"intrinsic gas too low: gas {tx.gas}, minimum needed {intrinsic}")
    if tx.max_priority_fee_per_gas < min_tip:
        raise rejected(
            f"transaction underpriced: gas tip cap {tx.max_priority_fee_per_gas}, minimum needed {min_tip}"
        )
