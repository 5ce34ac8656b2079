"""JSON-RPC envelopes (batches, notifications, errors) and the HTTP layer."""

import http.client
import json
import socket
from urllib.parse import urlparse

from devchain.server import RpcHandler

DEV_ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


def test_batch_in_array_out_with_per_item_errors(rpc):
    replies = rpc.raw([
        {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
        {"jsonrpc": "2.0", "id": "two", "method": "no_such_method", "params": []},
        {"jsonrpc": "2.0", "id": 3, "method": "eth_getBalance", "params": ["0x1234"]},
        {"jsonrpc": "2.0", "method": "eth_blockNumber", "params": []},  # a notification: no reply
        17,
        {"jsonrpc": "2.0", "id": 5, "method": "eth_blockNumber"},
    ])
    assert isinstance(replies, list) and len(replies) == 5
    assert replies[0] == {"jsonrpc": "2.0", "id": 1, "result": "0x539"}
    assert replies[1]["id"] == "two" and replies[1]["error"]["code"] == -32601
    assert replies[1]["error"]["message"] == "the method no_such_method does not exist/is not available"
    assert replies[2]["id"] == 3 and replies[2]["error"]["code"] == -32602
    assert replies[3] == {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "invalid request"}}
    assert replies[4]["id"] == 5 and replies[4]["result"].startswith("0x")


def test_envelope_errors(rpc):
    reply = rpc.session.post(rpc.url, data=b"{not json", headers={"Content-Type": "application/json"},
                             timeout=30).json()
    assert reply == {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "parse error"}}
    assert rpc.raw({"jsonrpc": "2.0", "id": 1})["error"]["code"] == -32600
    assert rpc.raw({"jsonrpc": "1.0", "id": 1, "method": "eth_chainId"})["error"]["code"] == -32600
    assert rpc.raw({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": "x"})["error"]["code"] == -32600
    assert rpc.raw([])["error"] == {"code": -32600, "message": "empty batch"}
    assert rpc.raw({"jsonrpc": "2.0", "id": 9, "method": "eth_nothing"})["error"]["code"] == -32601
    too_many = rpc.raw({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": [1]})
    assert too_many["error"] == {"code": -32602, "message": "too many arguments, want at most 0"}
    missing = rpc.raw({"jsonrpc": "2.0", "id": 1, "method": "eth_getBalance", "params": []})
    assert missing["error"] == {"code": -32602, "message": "missing value for required argument 0"}


def test_notification_alone_gets_an_empty_body(rpc):
    response = rpc.post({"jsonrpc": "2.0", "method": "eth_chainId", "params": []})
    assert response.status_code == 200 and response.content == b""


def _connection(url: str) -> http.client.HTTPConnection:
    parsed = urlparse(url)
    return http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)


def test_http_rules(devchain):
    connection = _connection(devchain.url)
    connection.request("GET", "/")
    response = connection.getresponse()
    response.read()
    assert response.status == 405 and response.getheader("Allow") == "POST, OPTIONS"

    connection.request("POST", "/", body=b'{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}',
                       headers={"Content-Type": "text/plain"})
    response = connection.getresponse()
    response.read()
    assert response.status == 415
    connection.close()

    parsed = urlparse(devchain.url)
    with socket.create_connection((parsed.hostname, parsed.port), timeout=30) as raw:
        raw.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\r\n{}")
        assert raw.recv(4096).startswith(b"HTTP/1.1 411")
    with socket.create_connection((parsed.hostname, parsed.port), timeout=30) as raw:
        raw.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999\r\n\r\n")
        assert raw.recv(4096).startswith(b"HTTP/1.1 413")


def test_keep_alive_reuses_one_connection(devchain):
    assert RpcHandler.disable_nagle_algorithm is True and RpcHandler.protocol_version == "HTTP/1.1"
    connection = _connection(devchain.url)
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []})
    local_ports = set()
    for _ in range(50):
        connection.request("POST", "/", body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        assert response.status == 200 and response.getheader("Connection") != "close"
        assert json.loads(response.read())["result"].startswith("0x")
        local_ports.add(connection.sock.getsockname()[1])
    connection.close()
    assert len(local_ports) == 1


def test_concurrent_clients_are_served_consistently(devchain):
    import threading

    from devchain_process import Rpc

    failures = []

    def worker():
        client = Rpc(devchain.url)
        try:
            for _ in range(25):
                if client("eth_chainId") != "0x539":
                    failures.append("wrong chain id")
                client("eth_getBlockByNumber", "latest", True)
        except Exception as error:  # collected and asserted below
            failures.append(repr(error))
        finally:
            client.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []


def test_cors_preflight_and_headers(devchain):
    """The auditor's verify page (another origin, or a file) may call the node, as with geth's
    --http.corsdomain '*'."""
    connection = _connection(devchain.url)
    connection.request("OPTIONS", "/", headers={
        "Origin": "null", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
        "Access-Control-Request-Private-Network": "true"})
    response = connection.getresponse()
    response.read()
    assert response.status == 204
    assert response.getheader("Access-Control-Allow-Origin") == "*"
    assert "POST" in response.getheader("Access-Control-Allow-Methods")
    assert response.getheader("Access-Control-Allow-Headers") == "content-type"
    assert response.getheader("Access-Control-Allow-Private-Network") == "true"

    connection.request("POST", "/", body=b'{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}',
                       headers={"Content-Type": "application/json", "Origin": "http://127.0.0.1:8080"})
    response = connection.getresponse()
    assert b'"result"' in response.read()
    assert response.getheader("Access-Control-Allow-Origin") == "*"
    connection.close()
