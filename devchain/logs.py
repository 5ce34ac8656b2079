"""eth_getLogs: filter parsing (address lists, topic OR-lists with null wildcards) and matching."""

from .errors import invalid_params, rejected
from .hexcodec import parse_address, parse_block_ref, parse_hash
from .serialize import log_entries

MAX_TOPICS = 4


class LogFilter:
    def __init__(self, from_ref, to_ref, block_hash, addresses, topics):
        self.from_ref = from_ref
        self.to_ref = to_ref
        self.block_hash = block_hash
        self.addresses = addresses  # set of 20-byte addresses, or None for any
        self.topics = topics  # list of (set of ints) or None per position

    def matches(self, log) -> bool:
        if self.addresses is not None and log.address not in self.addresses:
            return False
        if len(self.topics) > len(log.topics):
            return False
        return all(wanted is None or topic in wanted for wanted, topic in zip(self.topics, log.topics))


def _topic_set(value):
    if value is None:
        return None
    choices = value if isinstance(value, list) else [value]
    if not choices:
        return None  # an empty OR-list matches anything, as in geth
    return {int.from_bytes(parse_hash(choice, "topic"), "big") for choice in choices}


def parse_filter(criteria) -> LogFilter:
    if not isinstance(criteria, dict):
        raise invalid_params("invalid argument 0: expected a filter object")
    block_hash = criteria.get("blockHash")
    if block_hash is not None and (criteria.get("fromBlock") is not None or criteria.get("toBlock") is not None):
        raise invalid_params(
            "invalid argument 0: cannot specify both BlockHash and FromBlock/ToBlock, choose one or the other")
    address = criteria.get("address")
    if address is None:
        addresses = None
    else:
        listed = address if isinstance(address, list) else [address]
        addresses = {parse_address(item) for item in listed} if listed else None
    topics = criteria.get("topics") or []
    if not isinstance(topics, list):
        raise invalid_params("invalid argument 0: topics must be an array")
    if len(topics) > MAX_TOPICS:
        raise invalid_params("invalid argument 0: too many topics")
    return LogFilter(
        from_ref=parse_block_ref(criteria.get("fromBlock")),
        to_ref=parse_block_ref(criteria.get("toBlock")),
        block_hash=parse_hash(block_hash, "blockHash") if block_hash is not None else None,
        addresses=addresses,
        topics=[_topic_set(item) for item in topics],
    )


def _block_number(chain, ref) -> int:
    if isinstance(ref, int):
        return ref
    bundle, _ = chain.resolve("latest" if ref == "pending" else ref)
    return bundle.block.number


def _bundle_logs(bundle, log_filter: LogFilter) -> list:
    block = bundle.block
    found, first_log_index = [], 0
    for index, tx in enumerate(block.transactions):
        receipt_logs = bundle.receipts[index].logs
        if any(log_filter.matches(log) for log in receipt_logs):
            entries = log_entries(block, tx, index, bundle.receipts, first_log_index)
            found.extend(entry for entry, log in zip(entries, receipt_logs) if log_filter.matches(log))
        first_log_index += len(receipt_logs)
    return found


def get_logs(chain, log_filter: LogFilter) -> list:
    if log_filter.block_hash is not None:
        bundle = chain.bundle_by_hash(log_filter.block_hash)
        if bundle is None:
            raise rejected("unknown block")
        return _bundle_logs(bundle, log_filter)
    # Like geth, only two explicit numbers can form an invalid range; a start beyond the
    # resolved end (e.g. fromBlock past the head with toBlock "latest") just finds nothing.
    if isinstance(log_filter.from_ref, int) and isinstance(log_filter.to_ref, int):
        if log_filter.from_ref > log_filter.to_ref:
            raise rejected("invalid block range params")
    first = _block_number(chain, log_filter.from_ref)
    last = _block_number(chain, log_filter.to_ref)
    found = []
    for number in range(first, min(last, chain.head().block_number) + 1):
        bundle = chain.bundle_by_number(number)
        if bundle is not None and bundle.block.header.bloom:
            found.extend(_bundle_logs(bundle, log_filter))
    return found
