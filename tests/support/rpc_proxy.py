"""A loopback JSON-RPC proxy that misbehaves on request, for the daemon's integration tests.

    python tests/support/rpc_proxy.py --upstream http://127.0.0.1:8545 [--port 0] [--seed N]

Prints one line, `rpc proxy listening on http://127.0.0.1:PORT`, once it accepts connections, and
runs until SIGTERM/SIGINT. Every POST is forwarded to the upstream node, except in these modes:

* pass  - forward faithfully (the start mode);
* down  - the node is unreachable: every connection is closed at once, no response;
* chaos - answer at random with HTTP 500 (before or after forwarding, so a transaction may reach
          the node while its sender sees a failure), a garbage or truncated body, a JSON-RPC error
          instead of the result, or a delay before forwarding; otherwise forward.
* refuse-below - refuse every `eth_sendRawTransaction` whose fee cap (maxFeePerGas, or gasPrice)
          is below a floor in wei (`proxy_setMode ["refuse-below", "WEI"]`) with geth's "max fee per
          gas less than block base fee" error, without forwarding it: what a node answers when the
          base fee rose between signing and sending. Transactions at or above the floor pass.
* max-log-range - refuse every `eth_getLogs` whose block range spans more than N blocks
          (`proxy_setMode ["max-log-range", "1000"]`) with a JSON-RPC error, as hosted providers do
          ("block range is too large"); smaller ranges and every other request pass. A range
          given with a tag (latest, ...) is resolved against the node's head first.

The mode is switched by a JSON-RPC request to the proxy itself, answered in every mode:
`{"jsonrpc":"2.0","id":1,"method":"proxy_setMode","params":["down"]}` -> `"down"`.
`proxy_stats` returns counts of what the proxy did per outcome.
"""

import argparse
import json
import random
import signal
import socket
import sys
import threading
import time
import urllib.error
import urllib.request

import rlp
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODES = ("pass", "down", "chaos", "refuse-below", "max-log-range")


class ProxyState:
    def __init__(self, upstream: str, seed):
        self.upstream = upstream
        self.mode = "pass"
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.stats = {}
        self.fee_floor = 0
        self.max_log_range = 0

    def count(self, outcome: str):
        with self.lock:
            self.stats[outcome] = self.stats.get(outcome, 0) + 1

    def roll(self) -> float:
        with self.lock:
            return self.random.random()


def raw_fee_cap(raw: bytes) -> int:
    """maxFeePerGas of an EIP-1559 transaction, gasPrice of a legacy one."""
    if raw and raw[0] == 0x02:
        return int.from_bytes(rlp.decode(raw[1:])[3], "big")
    return int.from_bytes(rlp.decode(raw)[1], "big")


def control_request(body: bytes):
    """The proxy's own methods, or None when the body is for the node."""
    try:
        request = json.loads(body)
    except ValueError:
        return None
    if isinstance(request, dict) and request.get("method") in ("proxy_setMode", "proxy_stats"):
        return request
    return None


class ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    state: ProxyState = None  # set in main

    def log_message(self, format, *args):
        pass

    def _reply(self, status: int, body: bytes, content_type: str = "application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drop(self):
        """Close the connection without a response: what a dead node looks like."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _forward(self, body: bytes):
        request = urllib.request.Request(self.state.upstream, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except (urllib.error.URLError, OSError):
            return None, b""

    def _control(self, request):
        method = request["method"]
        if method == "proxy_setMode":
            params = request.get("params") or []
            mode = params[0] if params else None
            if mode not in MODES:
                result = {"error": {"code": -32602, "message": f"mode must be one of {', '.join(MODES)}"}}
            else:
                if mode == "refuse-below":
                    self.state.fee_floor = int(params[1]) if len(params) > 1 else 0
                if mode == "max-log-range":
                    self.state.max_log_range = int(params[1]) if len(params) > 1 else 1000
                self.state.mode = mode
                result = {"result": mode}
        else:
            with self.state.lock:
                result = {"result": dict(self.state.stats, mode=self.state.mode)}
        self._reply(200, json.dumps(dict(jsonrpc="2.0", id=request.get("id"), **result)).encode())

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        control = control_request(body)
        if control is not None:
            self._control(control)
            return
        mode = self.state.mode
        if mode == "down":
            self.state.count("dropped")
            self._drop()
            return
        if mode == "chaos" and self._chaos(body):
            return
        if mode == "refuse-below" and self._refuse_below(body):
            return
        if mode == "max-log-range" and self._refuse_log_range(body):
            return
        status, answer = self._forward(body)
        if status is None:
            self.state.count("upstream-unreachable")
            self._drop()
            return
        self.state.count("forwarded")
        self._reply(status, answer)

    def _refuse_below(self, body: bytes) -> bool:
        """Refuses (True) a raw transaction whose fee cap is below the floor."""
        try:
            request = json.loads(body)
        except ValueError:
            return False
        if not isinstance(request, dict) or request.get("method") != "eth_sendRawTransaction":
            return False
        try:
            fee_cap = raw_fee_cap(bytes.fromhex((request.get("params") or [""])[0].removeprefix("0x")))
        except (ValueError, TypeError, IndexError, rlp.DecodingError):
            return False
        if fee_cap >= self.state.fee_floor:
            return False
        self.state.count("refused-send")
        message = (f"max fee per gas less than block base fee: address 0x0, maxFeePerGas: {fee_cap}, "
                   f"baseFee: {self.state.fee_floor}")
        answer = dict(jsonrpc="2.0", id=request.get("id"), error={"code": -32000, "message": message})
        self._reply(200, json.dumps(answer).encode())
        return True

    def _block_number(self, tag) -> int:
        if isinstance(tag, str) and tag.startswith("0x"):
            return int(tag, 16)
        if tag == "earliest":
            return 0
        status, answer = self._forward(
            json.dumps(dict(jsonrpc="2.0", id=0, method="eth_blockNumber", params=[])).encode())
        return int(json.loads(answer)["result"], 16) if status == 200 else 0

    def _refuse_log_range(self, body: bytes) -> bool:
        """Refuses (True) an eth_getLogs over more than max_log_range blocks."""
        try:
            request = json.loads(body)
        except ValueError:
            return False
        if not isinstance(request, dict) or request.get("method") != "eth_getLogs":
            return False
        try:
            criteria = (request.get("params") or [{}])[0]
            if "blockHash" in criteria:
                return False
            low = self._block_number(criteria.get("fromBlock", "latest"))
            high = self._block_number(criteria.get("toBlock", "latest"))
        except (ValueError, TypeError, KeyError, AttributeError, IndexError):
            return False
        if high - low + 1 <= self.state.max_log_range:
            self.state.count("logs-passed")
            return False
        self.state.count("logs-refused")
        message = f"block range is too large: {high - low + 1} blocks, at most {self.state.max_log_range} allowed"
        answer = dict(jsonrpc="2.0", id=request.get("id"), error={"code": -32602, "message": message})
        self._reply(200, json.dumps(answer).encode())
        return True

    def _chaos(self, body: bytes) -> bool:
        """Misbehaves (True) or lets the request through (False)."""
        roll = self.state.roll()
        if roll < 0.10:
            self.state.count("500-before")
            self._reply(500, b"internal error", "text/plain")
        elif roll < 0.20:
            # The node did the work (a transaction may be in its pool); the client sees a failure.
            self._forward(body)
            self.state.count("500-after")
            self._reply(502, b"bad gateway", "text/plain")
        elif roll < 0.28:
            self.state.count("garbage")
            self._reply(200, b"\x00\xffnot json{{[", "application/json")
        elif roll < 0.34:
            status, answer = self._forward(body)
            self.state.count("truncated")
            self._reply(200, (answer or b"{}")[: max(1, len(answer) // 2)])
        elif roll < 0.44:
            self.state.count("rpc-error")
            try:
                request = json.loads(body)
            except ValueError:
                request = {}
            if isinstance(request, list):
                answer = [dict(jsonrpc="2.0", id=item.get("id"),
                               error={"code": -32000, "message": "chaos: internal error"})
                          for item in request if isinstance(item, dict)]
            else:
                answer = dict(jsonrpc="2.0", id=request.get("id") if isinstance(request, dict) else None,
                              error={"code": -32603, "message": "chaos: internal error"})
            self._reply(200, json.dumps(answer).encode())
        elif roll < 0.52:
            self.state.count("delayed")
            time.sleep(self.state.roll() * 2.0)
            return False
        else:
            return False
        return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, help="the node's URL (loopback only)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the proxy listens on loopback only")

    ProxyHandler.state = ProxyState(args.upstream, args.seed)
    server = ThreadingHTTPServer((args.host, args.port), ProxyHandler)
    server.daemon_threads = True
    # Keep-alive clients hold handler threads; do not wait for them on shutdown.
    server.block_on_close = False
    host, port = server.server_address[:2]
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown, daemon=True).start())
    print(f"rpc proxy listening on http://{host}:{port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
