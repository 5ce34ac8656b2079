"""geth-shaped JSON for blocks, transactions, receipts and logs (hex quantities, checksum-free lowercase)."""

import rlp
from eth._utils.address import generate_contract_address

from .hexcodec import encode_data as data
from .hexcodec import encode_quantity as qty
from .hexcodec import encode_word as word


def _address(value: bytes):
    return data(value) if value else None


def effective_gas_price(tx, base_fee: int) -> int:
    if tx.type_id is None or tx.type_id == 1:
        return tx.gas_price
    return min(tx.max_fee_per_gas, base_fee + tx.max_priority_fee_per_gas)


def _access_list(tx) -> list:
    return [
        {"address": data(address), "storageKeys": [word(key) for key in keys]}
        for address, keys in tx.access_list
    ]


def _authorization_list(tx) -> list:
    return [
        {
            "chainId": qty(auth.chain_id),
            "address": data(auth.address),
            "nonce": qty(auth.nonce),
            "yParity": qty(auth.y_parity),
            "r": qty(auth.r),
            "s": qty(auth.s),
        }
        for auth in tx.authorization_list
    ]


def transaction(tx, sender: bytes, block=None, index=None) -> dict:
    """eth_getTransactionByHash shape; block/index are None while the transaction is pending."""
    mined = block is not None
    out = {
        "blockHash": data(block.hash) if mined else None,
        "blockNumber": qty(block.number) if mined else None,
        "from": data(sender),
        "gas": qty(tx.gas),
        "gasPrice": None,
        "hash": data(tx.hash),
        "input": data(tx.data),
        "nonce": qty(tx.nonce),
        "to": _address(tx.to),
        "transactionIndex": qty(index) if mined else None,
        "value": qty(tx.value),
        "type": qty(tx.type_id or 0),
    }
    if tx.type_id is None:
        out["gasPrice"] = qty(tx.gas_price)
        if tx.v >= 35:
            out["chainId"] = qty((tx.v - 35) // 2)
        out["v"] = qty(tx.v)
    else:
        out["chainId"] = qty(tx.chain_id)
        out["accessList"] = _access_list(tx)
        if tx.type_id == 1:
            out["gasPrice"] = qty(tx.gas_price)
        else:
            out["maxFeePerGas"] = qty(tx.max_fee_per_gas)
            out["maxPriorityFeePerGas"] = qty(tx.max_priority_fee_per_gas)
            price = effective_gas_price(tx, block.header.base_fee_per_gas) if mined else tx.max_fee_per_gas
            out["gasPrice"] = qty(price)
        if tx.type_id == 4:
            out["authorizationList"] = _authorization_list(tx)
        out["v"] = qty(tx.y_parity)
        out["yParity"] = qty(tx.y_parity)
    out["r"] = qty(tx.r)
    out["s"] = qty(tx.s)
    return out


def log_entries(block, tx, index: int, receipts, first_log_index: int) -> list:
    return [
        {
            "address": data(log.address),
            "topics": [word(topic) for topic in log.topics],
            "data": data(log.data),
            "blockNumber": qty(block.number),
            "transactionHash": data(tx.hash),
            "transactionIndex": qty(index),
            "blockHash": data(block.hash),
            "logIndex": qty(first_log_index + offset),
            "removed": False,
        }
        for offset, log in enumerate(receipts[index].logs)
    ]


def receipt(block, tx, sender: bytes, index: int, receipts) -> dict:
    this = receipts[index]
    previous_cumulative = receipts[index - 1].gas_used if index > 0 else 0
    first_log_index = sum(len(earlier.logs) for earlier in receipts[:index])
    contract = generate_contract_address(sender, tx.nonce) if not tx.to else None
    return {
        "blockHash": data(block.hash),
        "blockNumber": qty(block.number),
        "contractAddress": data(contract) if contract else None,
        "cumulativeGasUsed": qty(this.gas_used),
        "effectiveGasPrice": qty(effective_gas_price(tx, block.header.base_fee_per_gas)),
        "from": data(sender),
        "gasUsed": qty(this.gas_used - previous_cumulative),
        "logs": log_entries(block, tx, index, receipts, first_log_index),
        "logsBloom": data(this.bloom.to_bytes(256, "big")),
        "status": qty(1 if this.state_root == b"\x01" else 0),
        "to": _address(tx.to),
        "transactionHash": data(tx.hash),
        "transactionIndex": qty(index),
        "type": qty(tx.type_id or 0),
    }


def block(blk, full_transactions: bool, senders, pending: bool = False) -> dict:
    """eth_getBlockByNumber shape; a pending block has null hash, nonce and miner like geth's."""
    header = blk.header
    if full_transactions:
        txs = [transaction(tx, senders[i], None if pending else blk, i) for i, tx in enumerate(blk.transactions)]
    else:
        txs = [data(tx.hash) for tx in blk.transactions]
    out = {
        "baseFeePerGas": qty(header.base_fee_per_gas),
        "blobGasUsed": qty(header.blob_gas_used),
        "difficulty": qty(header.difficulty),
        "excessBlobGas": qty(header.excess_blob_gas),
        "extraData": data(header.extra_data),
        "gasLimit": qty(header.gas_limit),
        "gasUsed": qty(header.gas_used),
        "hash": None if pending else data(header.hash),
        "logsBloom": data(header.bloom.to_bytes(256, "big")),
        "miner": None if pending else data(header.coinbase),
        "mixHash": data(header.mix_hash),
        "nonce": None if pending else data(header.nonce),
        "number": qty(header.block_number),
        "parentBeaconBlockRoot": data(header.parent_beacon_block_root),
        "parentHash": data(header.parent_hash),
        "receiptsRoot": data(header.receipt_root),
        "requestsHash": data(header.requests_hash),
        "sha3Uncles": data(header.uncles_hash),
        "size": qty(len(rlp.encode(blk))),
        "stateRoot": data(header.state_root),
        "timestamp": qty(header.timestamp),
        "transactions": txs,
        "transactionsRoot": data(header.transaction_root),
        "uncles": [],
        "withdrawals": [],
        "withdrawalsRoot": data(header.withdrawals_root),
    }
    return out
