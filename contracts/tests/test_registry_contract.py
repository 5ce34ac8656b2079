"""The registry contract on a real EVM: every function, every revert path, the events it emits."""

from __future__ import annotations

import hashlib

from registry_chain import deploy, revert_reason, send, transact

ZERO_ADDRESS = "0x" + "00" * 20
ZERO_ROOT = b"\x00" * 32
MAX_UINT32 = 2**32 - 1
# Enough for any of these calls to run to the failing check, so a revert is mined rather than
# refused at estimation: the test then sees the transaction fail on chain too.
REVERT_GAS = 300_000


def root_of(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


def assert_reverts(w3, contract_call, sender, reason: str) -> None:
    """The call fails with `reason` in eth_call AND a mined transaction of it has status 0."""
    message = revert_reason(contract_call, sender)
    assert message is not None, f"expected revert '{reason}', the call succeeded"
    assert reason in message, f"expected revert '{reason}', got '{message}'"
    receipt = transact(w3, sender, contract_call, gas=REVERT_GAS)
    assert receipt["status"] == 0


def single_event(contract, name: str, receipt) -> dict:
    events = getattr(contract.events, name)().process_receipt(receipt)
    assert len(events) == 1, f"expected one {name} event, got {len(events)}"
    return events[0]["args"]


# --- deployment and the committed artifact -------------------------------------------------------


def test_deployer_is_owner_and_state_starts_empty(w3, owner, artifact):
    contract, receipt = deploy(w3, owner, artifact)
    assert contract.functions.owner().call() == owner.address
    assert contract.functions.pendingOwner().call() == ZERO_ADDRESS
    assert contract.functions.paused().call() is False
    assert contract.functions.anchorCount().call() == 0
    assert contract.functions.attesterIdCount().call() == 0
    assert contract.functions.isAttester(owner.address).call() is False
    transferred = single_event(contract, "OwnershipTransferred", receipt)
    assert transferred["previousOwner"] == ZERO_ADDRESS
    assert transferred["newOwner"] == owner.address


def test_deployed_code_is_the_artifact_runtime(w3, registry, artifact):
    code = w3.eth.get_code(registry.address)
    assert code.hex().removeprefix("0x") == artifact["deployedBytecode"].removeprefix("0x")


# --- anchor ------------------------------------------------------------------------------------------


def test_anchor_records_root_and_emits_event(w3, anchoring_registry, attester):
    root = root_of("batch-1")
    receipt = transact(w3, attester, anchoring_registry.functions.anchor(root, 256))
    assert receipt["status"] == 1
    block = w3.eth.get_block(receipt["blockNumber"])

    event = single_event(anchoring_registry, "Anchored", receipt)
    assert event["root"] == root
    assert event["attester"] == attester.address
    assert event["leafCount"] == 256
    assert event["blockTimestamp"] == block["timestamp"]

    timestamp, number, recorded_attester, leaf_count = anchoring_registry.functions.anchorOf(root).call()
    assert (timestamp, number, recorded_attester, leaf_count) == (
        block["timestamp"], receipt["blockNumber"], attester.address, 256)
    assert anchoring_registry.functions.isAnchored(root).call() is True
    assert anchoring_registry.functions.anchorCount().call() == 1


def test_anchor_count_counts_roots(w3, anchoring_registry, attester):
    for i in range(3):
        receipt = transact(w3, attester, anchoring_registry.functions.anchor(root_of(f"count-{i}"), i + 1))
        assert receipt["status"] == 1
    assert anchoring_registry.functions.anchorCount().call() == 3


def test_anchor_packs_extreme_leaf_count_without_bleeding_into_other_fields(w3, anchoring_registry, attester):
    root = root_of("max-count")
    receipt = transact(w3, attester, anchoring_registry.functions.anchor(root, MAX_UINT32))
    assert receipt["status"] == 1
    timestamp, number, recorded_attester, leaf_count = anchoring_registry.functions.anchorOf(root).call()
    assert leaf_count == MAX_UINT32
    assert recorded_attester == attester.address
    assert number == receipt["blockNumber"]
    assert timestamp == w3.eth.get_block(receipt["blockNumber"])["timestamp"]


def test_anchor_of_unknown_root_is_all_zero(registry):
    assert tuple(registry.functions.anchorOf(root_of("never")).call()) == (0, 0, ZERO_ADDRESS, 0)
    assert registry.functions.isAnchored(root_of("never")).call() is False


def test_anchor_by_non_attester_reverts(w3, anchoring_registry, stranger):
    assert_reverts(w3, anchoring_registry.functions.anchor(root_of("x"), 1), stranger,
                   "registry: caller is not an enabled attester")


def test_anchor_by_owner_who_is_not_attester_reverts(w3, registry, owner):
    assert_reverts(w3, registry.functions.anchor(root_of("x"), 1), owner,
                   "registry: caller is not an enabled attester")


def test_anchor_by_disabled_attester_reverts(w3, anchoring_registry, owner, attester):
    assert transact(w3, owner, anchoring_registry.functions.setAttester(attester.address, False))["status"] == 1
    assert_reverts(w3, anchoring_registry.functions.anchor(root_of("x"), 1), attester,
                   "registry: caller is not an enabled attester")


def test_anchor_zero_root_reverts(w3, anchoring_registry, attester):
    assert_reverts(w3, anchoring_registry.functions.anchor(ZERO_ROOT, 1), attester, "registry: root is zero")


def test_anchor_zero_leaf_count_reverts(w3, anchoring_registry, attester):
    assert_reverts(w3, anchoring_registry.functions.anchor(root_of("x"), 0), attester,
                   "registry: leaf count is zero")


def test_anchor_same_root_twice_reverts_and_keeps_first_record(w3, anchoring_registry, owner, attester, stranger):
    root = root_of("once")
    assert transact(w3, attester, anchoring_registry.functions.anchor(root, 5))["status"] == 1
    first = anchoring_registry.functions.anchorOf(root).call()
    assert_reverts(w3, anchoring_registry.functions.anchor(root, 7), attester, "registry: root already anchored")
    # Another attester cannot overwrite it either.
    assert transact(w3, owner, anchoring_registry.functions.setAttester(stranger.address, True))["status"] == 1
    assert_reverts(w3, anchoring_registry.functions.anchor(root, 7), stranger, "registry: root already anchored")
    assert tuple(anchoring_registry.functions.anchorOf(root).call()) == tuple(first)
    assert anchoring_registry.functions.anchorCount().call() == 1


# --- attesters ---------------------------------------------------------------------------------------


def test_set_attester_enables_and_disables_with_events(w3, registry, owner, attester):
    receipt = transact(w3, owner, registry.functions.setAttester(attester.address, True))
    event = single_event(registry, "AttesterSet", receipt)
    assert (event["attester"], event["enabled"]) == (attester.address, True)
    assert registry.functions.isAttester(attester.address).call() is True

    receipt = transact(w3, owner, registry.functions.setAttester(attester.address, False))
    event = single_event(registry, "AttesterSet", receipt)
    assert (event["attester"], event["enabled"]) == (attester.address, False)
    assert registry.functions.isAttester(attester.address).call() is False


def test_attester_ids_are_assigned_once_per_address(w3, registry, owner, attester, stranger):
    for account, enabled in ((attester, True), (attester, False), (attester, True), (stranger, True)):
        assert transact(w3, owner, registry.functions.setAttester(account.address, enabled))["status"] == 1
    assert registry.functions.attesterIdCount().call() == 2


def test_anchors_keep_naming_their_attester_after_removal(w3, registry, owner, attester, stranger):
    for account in (attester, stranger):
        assert transact(w3, owner, registry.functions.setAttester(account.address, True))["status"] == 1
    assert transact(w3, attester, registry.functions.anchor(root_of("by-attester"), 1))["status"] == 1
    assert transact(w3, stranger, registry.functions.anchor(root_of("by-stranger"), 2))["status"] == 1
    assert transact(w3, owner, registry.functions.setAttester(attester.address, False))["status"] == 1
    assert registry.functions.anchorOf(root_of("by-attester")).call()[2] == attester.address
    assert registry.functions.anchorOf(root_of("by-stranger")).call()[2] == stranger.address


def test_set_attester_by_non_owner_reverts(w3, registry, attester, stranger):
    assert_reverts(w3, registry.functions.setAttester(stranger.address, True), attester,
                   "registry: caller is not the owner")
    assert registry.functions.isAttester(stranger.address).call() is False


def test_set_attester_zero_address_reverts(w3, registry, owner):
    assert_reverts(w3, registry.functions.setAttester(ZERO_ADDRESS, True), owner,
                   "registry: attester is the zero address")


# --- pause -------------------------------------------------------------------------------------------


def test_pause_stops_anchoring_and_unpause_resumes(w3, anchoring_registry, owner, attester):
    receipt = transact(w3, owner, anchoring_registry.functions.pause())
    assert single_event(anchoring_registry, "Paused", receipt)["account"] == owner.address
    assert anchoring_registry.functions.paused().call() is True
    assert_reverts(w3, anchoring_registry.functions.anchor(root_of("p"), 1), attester, "registry: anchoring is paused")

    receipt = transact(w3, owner, anchoring_registry.functions.unpause())
    assert single_event(anchoring_registry, "Unpaused", receipt)["account"] == owner.address
    assert anchoring_registry.functions.paused().call() is False
    assert transact(w3, attester, anchoring_registry.functions.anchor(root_of("p"), 1))["status"] == 1


def test_pause_keeps_anchor_count_and_records(w3, anchoring_registry, owner, attester):
    assert transact(w3, attester, anchoring_registry.functions.anchor(root_of("before"), 3))["status"] == 1
    assert transact(w3, owner, anchoring_registry.functions.pause())["status"] == 1
    assert anchoring_registry.functions.anchorCount().call() == 1
    assert anchoring_registry.functions.anchorOf(root_of("before")).call()[3] == 3
    assert transact(w3, owner, anchoring_registry.functions.unpause())["status"] == 1
    assert anchoring_registry.functions.anchorCount().call() == 1


def test_pause_and_unpause_by_non_owner_revert(w3, registry, owner, stranger):
    assert_reverts(w3, registry.functions.pause(), stranger, "registry: caller is not the owner")
    assert transact(w3, owner, registry.functions.pause())["status"] == 1
    assert_reverts(w3, registry.functions.unpause(), stranger, "registry: caller is not the owner")
    assert registry.functions.paused().call() is True


def test_pause_twice_and_unpause_when_running_revert(w3, registry, owner):
    assert_reverts(w3, registry.functions.unpause(), owner, "registry: not paused")
    assert transact(w3, owner, registry.functions.pause())["status"] == 1
    assert_reverts(w3, registry.functions.pause(), owner, "registry: already paused")


# --- ownership ---------------------------------------------------------------------------------------


def test_two_step_ownership_transfer(w3, registry, owner, attester, stranger):
    receipt = transact(w3, owner, registry.functions.transferOwnership(attester.address))
    started = single_event(registry, "OwnershipTransferStarted", receipt)
    assert (started["previousOwner"], started["newOwner"]) == (owner.address, attester.address)
    # Nothing changes until the new owner accepts.
    assert registry.functions.owner().call() == owner.address
    assert registry.functions.pendingOwner().call() == attester.address
    assert transact(w3, owner, registry.functions.setAttester(stranger.address, True))["status"] == 1

    assert_reverts(w3, registry.functions.acceptOwnership(), stranger, "registry: caller is not the pending owner")

    receipt = transact(w3, attester, registry.functions.acceptOwnership())
    transferred = single_event(registry, "OwnershipTransferred", receipt)
    assert (transferred["previousOwner"], transferred["newOwner"]) == (owner.address, attester.address)
    assert registry.functions.owner().call() == attester.address
    assert registry.functions.pendingOwner().call() == ZERO_ADDRESS

    assert_reverts(w3, registry.functions.setAttester(stranger.address, False), owner,
                   "registry: caller is not the owner")
    assert transact(w3, attester, registry.functions.setAttester(stranger.address, False))["status"] == 1
    # The pending slot is cleared, so accepting again fails.
    assert_reverts(w3, registry.functions.acceptOwnership(), attester, "registry: caller is not the pending owner")


def test_transfer_to_zero_address_cancels_pending_transfer(w3, registry, owner, attester):
    assert transact(w3, owner, registry.functions.transferOwnership(attester.address))["status"] == 1
    receipt = transact(w3, owner, registry.functions.transferOwnership(ZERO_ADDRESS))
    started = single_event(registry, "OwnershipTransferStarted", receipt)
    assert started["newOwner"] == ZERO_ADDRESS
    assert registry.functions.pendingOwner().call() == ZERO_ADDRESS
    assert_reverts(w3, registry.functions.acceptOwnership(), attester, "registry: caller is not the pending owner")
    assert registry.functions.owner().call() == owner.address


def test_transfer_ownership_by_non_owner_reverts(w3, registry, stranger):
    assert_reverts(w3, registry.functions.transferOwnership(stranger.address), stranger,
                   "registry: caller is not the owner")
    assert registry.functions.pendingOwner().call() == ZERO_ADDRESS


def test_accept_ownership_without_pending_transfer_reverts(w3, registry, owner):
    assert_reverts(w3, registry.functions.acceptOwnership(), owner, "registry: caller is not the pending owner")


def test_registry_rejects_ether(w3, registry, owner):
    # No payable function and no __default__: plain transfers must bounce, not lock funds.
    receipt = send(w3, owner, {"to": registry.address, "value": 1}, gas=REVERT_GAS)
    assert receipt["status"] == 0
    assert w3.eth.get_balance(registry.address) == 0
