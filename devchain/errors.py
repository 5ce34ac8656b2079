"""JSON-RPC error type and the codes geth uses."""

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
#: geth's generic server error, used for every rejected transaction.
SERVER_ERROR = -32000
#: geth's code for "execution reverted" (eth_call / eth_estimateGas), with revert data.
EXECUTION_REVERTED = 3


class RpcError(Exception):
    """An error that becomes the `error` member of a JSON-RPC response."""

    def __init__(self, code: int, message: str, data=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def to_json(self) -> dict:
        error = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


def rejected(message: str) -> RpcError:
    """A transaction or request the node refuses, with geth's message (code -32000)."""
    return RpcError(SERVER_ERROR, message)


def invalid_params(message: str) -> RpcError:
    return RpcError(INVALID_PARAMS, message)
