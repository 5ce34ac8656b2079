"""JSON-RPC 2.0 envelopes: single requests, batches, notifications and the standard errors."""

import json
import sys
import traceback

from .errors import INTERNAL_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR, RpcError

#: geth's default BatchRequestLimit.
MAX_BATCH_ITEMS = 1000


def _error(request_id, code: int, message: str, data=None) -> dict:
    return {"jsonrpc": "2.0", "id": request_id, "error": RpcError(code, message, data).to_json()}


def _valid_id(request_id) -> bool:
    return request_id is None or isinstance(request_id, str) or (
        isinstance(request_id, (int, float)) and not isinstance(request_id, bool)
    )


def handle_request(methods, request):
    """The response object for one request, or None for a notification."""
    if not isinstance(request, dict):
        return _error(None, INVALID_REQUEST, "invalid request")
    request_id = request.get("id")
    if (
        request.get("jsonrpc") != "2.0"
        or not isinstance(request.get("method"), str)
        or not _valid_id(request_id)
        or not isinstance(request.get("params", []), (list, dict, type(None)))
    ):
        return _error(request_id if _valid_id(request_id) else None, INVALID_REQUEST, "invalid request")
    method = request["method"]
    if method not in methods.table:
        response = _error(request_id, METHOD_NOT_FOUND, f"the method {method} does not exist/is not available")
    else:
        try:
            response = {"jsonrpc": "2.0", "id": request_id, "result": methods.call(method, request.get("params"))}
        except RpcError as error:
            response = {"jsonrpc": "2.0", "id": request_id, "error": error.to_json()}
        except Exception as error:  # a bug of ours: report it, keep serving
            traceback.print_exc(file=sys.stderr)
            response = _error(request_id, INTERNAL_ERROR, f"internal error: {type(error).__name__}: {error}")
    return None if "id" not in request else response


def handle_body(methods, body: bytes):
    """The JSON bytes to answer with, or None when every request was a notification."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return json.dumps(_error(None, PARSE_ERROR, "parse error")).encode()
    if isinstance(payload, list):
        if not payload:
            return json.dumps(_error(None, INVALID_REQUEST, "empty batch")).encode()
        if len(payload) > MAX_BATCH_ITEMS:
            return json.dumps(_error(None, INVALID_REQUEST, "batch too large")).encode()
        responses = [response for response in (handle_request(methods, item) for item in payload) if response]
        return json.dumps(responses).encode() if responses else None
    response = handle_request(methods, payload)
    return json.dumps(response).encode() if response is not None else None
