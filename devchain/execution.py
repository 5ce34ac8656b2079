"""eth_call / eth_estimateGas: run a call object against a block's state without keeping changes."""

from eth.estimators.gas import binary_gas_search_exact
from eth.exceptions import (
    InsufficientStack,
    InvalidInstruction,
    InvalidJumpDestination,
    OutOfGas,
    Revert,
    StackDepthLimit,
    WriteProtection,
)
from eth.vm.spoof import SpoofTransaction
from eth_abi import abi
from eth_utils import ValidationError

from .errors import EXECUTION_REVERTED, RpcError, rejected
from .hexcodec import encode_data

ERROR_SELECTOR = bytes.fromhex("08c379a0")  # Error(string)
PANIC_SELECTOR = bytes.fromhex("4e487b71")  # Panic(uint256)
# geth's abi.panicReasons
PANIC_REASONS = {
    0x00: "generic panic",
    0x01: "assert(false)",
    0x11: "arithmetic underflow or overflow",
    0x12: "division or modulo by zero",
    0x21: "enum overflow",
    0x22: "invalid encoded storage byte array accessed",
    0x31: "out-of-bounds array access; popping on an empty array",
    0x32: "out-of-bounds access of an array or bytesliceX",
    0x41: "out of memory",
    0x51: "uninitialized function",
}
# geth's vm error texts for the failures a call can hit
VM_ERROR_TEXT = {
    OutOfGas: "out of gas",
    InsufficientStack: "stack underflow",
    InvalidJumpDestination: "invalid jump destination",
    InvalidInstruction: "invalid opcode",
    StackDepthLimit: "max call depth exceeded",
    WriteProtection: "write protection",
}


def revert_reason(output: bytes):
    """The reason geth prints after "execution reverted: ", or None when there is none."""
    try:
        if output[:4] == ERROR_SELECTOR:
            return abi.decode(["string"], output[4:])[0]
        if output[:4] == PANIC_SELECTOR:
            code = abi.decode(["uint256"], output[4:])[0]
            return PANIC_REASONS.get(code, f"unknown panic code: {code:#x}")
    except Exception:  # malformed revert data: geth prints no reason either
        return None
    return None


def revert_error(output: bytes) -> RpcError:
    reason = revert_reason(output)
    message = "execution reverted" if reason is None else f"execution reverted: {reason}"
    return RpcError(EXECUTION_REVERTED, message, data=encode_data(output))


def vm_error_text(error) -> str:
    for kind, text in VM_ERROR_TEXT.items():
        if isinstance(error, kind):
            return text
    return str(error) or type(error).__name__


class CallRequest:
    """A parsed call object; fee fields are accepted but calls run at gas price zero (like geth
    when none are given), so only `value` must be covered by the sender's balance."""

    def __init__(self, sender: bytes, to: bytes, gas, value: int, data: bytes):
        self.sender = sender
        self.to = to
        self.gas = gas
        self.value = value
        self.data = data


def _transaction(vm, state, call: CallRequest, gas: int):
    unsigned = vm.create_unsigned_transaction(
        nonce=state.get_nonce(call.sender), gas_price=0, gas=gas, to=call.to, value=call.value, data=call.data
    )
    return SpoofTransaction(unsigned, from_=call.sender)


def _check_value(state, call: CallRequest) -> None:
    balance = state.get_balance(call.sender)
    if call.value > balance:
        raise rejected(
            f"insufficient funds for gas * price + value: address 0x{call.sender.hex()} "
            f"have {balance} want {call.value}"
        )


def _apply(state, transaction):
    """Execute; py-evm's refusals (intrinsic gas and the like) become geth-style -32000 errors."""
    intrinsic = transaction.intrinsic_gas
    if transaction.gas < intrinsic:
        raise rejected(f"intrinsic gas too low: have {transaction.gas}, want {intrinsic}")
    try:
        return state.apply_transaction(transaction)
    except ValidationError as error:
        raise rejected(str(error)) from None


def call(vm, call_request: CallRequest, gas_cap: int) -> bytes:
    gas = min(call_request.gas or gas_cap, gas_cap)
    with vm.in_costless_state() as state:
        _check_value(state, call_request)
        computation = _apply(state, _transaction(vm, state, call_request, gas))
    if computation.is_error:
        if isinstance(computation.error, Revert):
            raise revert_error(computation.output)
        raise rejected(vm_error_text(computation.error))
    return computation.output


def estimate_gas(vm, call_request: CallRequest, gas_cap: int) -> int:
    cap = min(call_request.gas or gas_cap, gas_cap)
    with vm.in_costless_state() as state:
        _check_value(state, call_request)
        snapshot = state.snapshot()
        computation = _apply(state, _transaction(vm, state, call_request, cap))
        state.revert(snapshot)
        if computation.is_error:
            if isinstance(computation.error, Revert):
                raise revert_error(computation.output)
            if isinstance(computation.error, OutOfGas):
                raise rejected(f"gas required exceeds allowance ({cap})")
            raise rejected(vm_error_text(computation.error))
        return binary_gas_search_exact(state, _transaction(vm, state, call_request, cap))
