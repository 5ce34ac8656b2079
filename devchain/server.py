"""CaseAttest dev chain: a JSON-RPC Ethereum node on 127.0.0.1 over eth-tester + py-evm.

    python devchain/server.py [--host 127.0.0.1] [--port 0] [--chain-id 1337]
        [--prefund ADDRESS[:WEI] ...] [--no-automine] [--block-time SECONDS] [--port-file PATH]
        [--pre-london] [--min-tip WEI] [--safe-depth N] [--finalized-depth N]

Prints `devchain listening on http://HOST:PORT chain-id=N` once it accepts connections and runs
until SIGTERM/SIGINT. See devchain/README.md.
"""

import argparse
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `devchain` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devchain.accounts import DEFAULT_PREFUND_WEI, DEV_ADDRESSES  # noqa: E402
from devchain.admission import MIN_TIP_WEI  # noqa: E402
from devchain.chain import ChainSettings, DevChain  # noqa: E402
from devchain.interval import IntervalMiner  # noqa: E402
from devchain.jsonrpc import handle_body  # noqa: E402
from devchain.methods import Methods  # noqa: E402

#: geth's default HTTP body limit (5 MiB).
MAX_BODY_BYTES = 5 * 1024 * 1024

#: CORS, as geth's `--http.corsdomain '*'`: any page (the auditor's verify page opened from a file or
#: served by `caseattest serve`) may call the node. The dev chain holds nothing secret.
CORS_HEADERS = (
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "POST, OPTIONS"),
    ("Access-Control-Max-Age", "600"),
)


class RpcHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    # Without this every keep-alive response waits ~40 ms for the client's delayed ACK (Nagle).
    disable_nagle_algorithm = True
    server_version = "CaseAttestDevchain/0.1"
    methods = None  # set by make_server

    def log_message(self, format, *args):  # one line per request would drown test output
        pass

    def _reply(self, status: int, body: bytes = b"", content_type: str = "application/json", close: bool = False):
        self.send_response(status)
        if status == 405:
            self.send_header("Allow", "POST, OPTIONS")
        self._cors_headers()
        if body:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _plain(self, status: int, text: str, close: bool = False):
        self._reply(status, (text + "\n").encode(), "text/plain; charset=utf-8", close)

    def do_POST(self):
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            # We cannot find the end of the body: answer and drop the connection.
            return self._plain(411, "Content-Length required", close=True)
        try:
            length = int(length_header)
        except ValueError:
            return self._plain(400, "invalid Content-Length", close=True)
        if length < 0:
            return self._plain(400, "invalid Content-Length", close=True)
        if length > MAX_BODY_BYTES:
            return self._plain(413, f"content length too large ({length}>{MAX_BODY_BYTES})", close=True)
        body = self.rfile.read(length)
        content_type = self.headers.get("Content-Type", "application/json").split(";")[0].strip().lower()
        if content_type not in ("application/json", "application/json-rpc", "application/jsonrequest"):
            return self._plain(415, "invalid content type, only application/json is supported")
        response = handle_body(self.methods, body)
        self._reply(200, response or b"")

    def _cors_headers(self):
        for name, value in CORS_HEADERS:
            self.send_header(name, value)

    def do_OPTIONS(self):
        """A CORS preflight: allow POST with the headers the page asks for (Content-Type)."""
        self.send_response(204)
        self._cors_headers()
        requested = self.headers.get("Access-Control-Request-Headers")
        self.send_header("Access-Control-Allow-Headers", requested if requested else "Content-Type")
        if self.headers.get("Access-Control-Request-Private-Network", "").lower() == "true":
            self.send_header("Access-Control-Allow-Private-Network", "true")
        self.send_header("Vary", "Access-Control-Request-Headers")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _not_allowed(self):
        self._plain(405, "method not allowed: use POST")

    do_GET = do_PUT = do_DELETE = do_PATCH = do_HEAD = _not_allowed


class RpcServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def parse_prefund(spec: str):
    address, _, wei = spec.partition(":")
    if not (address.startswith(("0x", "0X")) and len(address) == 42):
        raise argparse.ArgumentTypeError(f"invalid prefund address {address!r}: expected 0x + 40 hex digits")
    try:
        raw = bytes.fromhex(address[2:])
        amount = int(wei, 0) if wei else DEFAULT_PREFUND_WEI
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid prefund {spec!r}: expected ADDRESS[:WEI]") from None
    if amount < 0:
        raise argparse.ArgumentTypeError(f"invalid prefund {spec!r}: negative amount")
    return raw, amount


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description="CaseAttest dev chain (JSON-RPC over eth-tester + py-evm)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one (default)")
    parser.add_argument("--chain-id", type=int, default=1337, help="EIP-155 chain id (default 1337)")
    parser.add_argument(
        "--prefund", type=parse_prefund, action="append", metavar="ADDRESS[:WEI]",
        help="fund ADDRESS at genesis (default 10^24 wei); repeatable; replaces the three default dev accounts",
    )
    parser.add_argument("--no-automine", action="store_true", help="keep transactions pending until a block is mined")
    parser.add_argument("--block-time", type=float, default=0, metavar="SECONDS",
                        help="also mine a block every SECONDS")
    parser.add_argument("--port-file", metavar="PATH", help="write the URL to PATH once listening")
    parser.add_argument("--pre-london", action="store_true",
                        help="Berlin rules: no base fee, type-2 transactions refused (legacy and EIP-2930 only)")
    parser.add_argument("--min-tip", type=int, default=MIN_TIP_WEI, metavar="WEI",
                        help="refuse a tip (or legacy gas price) below WEI as underpriced (default 1)")
    parser.add_argument("--safe-depth", type=int, default=0, metavar="N",
                        help="the `safe` tag lags `latest` by N blocks")
    parser.add_argument("--finalized-depth", type=int, default=0, metavar="N",
                        help="the `finalized` tag lags `latest` by N blocks")
    args = parser.parse_args(argv)
    if args.chain_id <= 0:
        parser.error("--chain-id must be positive")
    if args.block_time < 0:
        parser.error("--block-time must not be negative")
    if args.min_tip < 0 or args.safe_depth < 0 or args.finalized_depth < 0:
        parser.error("--min-tip, --safe-depth and --finalized-depth must not be negative")
    if not 0 <= args.port <= 65535:
        parser.error("--port must be between 0 and 65535")
    return args


def make_server(args):
    if args.prefund:
        prefund = dict(args.prefund)
    else:
        prefund = {bytes.fromhex(address[2:]): DEFAULT_PREFUND_WEI for address in DEV_ADDRESSES}
    settings = ChainSettings(pre_london=args.pre_london, min_tip=args.min_tip, safe_depth=args.safe_depth,
                             finalized_depth=args.finalized_depth)
    chain = DevChain(args.chain_id, prefund, automine=not args.no_automine, settings=settings)
    miner = IntervalMiner(chain, args.block_time)
    handler = type("BoundRpcHandler", (RpcHandler,), {"methods": Methods(chain, miner)})
    return RpcServer((args.host, args.port), handler), miner


def write_port_file(path: str, url: str) -> None:
    temporary = f"{path}.tmp{os.getpid()}"
    with open(temporary, "w") as handle:
        handle.write(url)
    os.replace(temporary, path)


def main(argv=None) -> int:
    args = parse_arguments(argv)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"devchain: warning: listening on {args.host}, not loopback; the dev keys are public", file=sys.stderr)
    server, miner = make_server(args)
    host, port = server.server_address[:2]
    url = f"http://{host}:{port}"
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    serving = threading.Thread(target=server.serve_forever, name="http", daemon=True)
    serving.start()
    miner.start()
    if args.port_file:
        write_port_file(args.port_file, url)
    # The socket is already listening (bound in the constructor), so clients can connect now.
    print(f"devchain listening on {url} chain-id={args.chain_id}", flush=True)
    while not stop.wait(timeout=1):
        pass
    miner.stop()
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
