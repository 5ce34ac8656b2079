"""Measure JSON-RPC round-trip latency over one keep-alive connection.

    python devchain/latency.py [--calls 1000]

Starts the dev chain as a subprocess (the real setup) and times eth_blockNumber calls over a
single HTTP/1.1 connection; then, for contrast, runs the same handler in-process with Nagle's
algorithm left on (disable_nagle_algorithm = False), which is what costs ~40 ms per call.
"""

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devchain.server import make_server  # noqa: E402

BODY = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []})


def measure(host: str, port: int, calls: int) -> list:
    connection = http.client.HTTPConnection(host, port, timeout=30)
    timings = []
    for _ in range(calls):
        started = time.perf_counter()
        connection.request("POST", "/", body=BODY, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        payload = json.loads(response.read())
        timings.append(time.perf_counter() - started)
        if "result" not in payload:
            raise RuntimeError(f"unexpected reply: {payload}")
    connection.close()
    return timings


def summary(label: str, timings: list) -> str:
    ms = sorted(t * 1000 for t in timings)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return (f"{label:<44} calls={len(ms):<5} total={sum(ms):9.1f} ms  mean={statistics.mean(ms):7.3f} ms  "
            f"median={statistics.median(ms):7.3f} ms  p99={p99:7.3f} ms")


def subprocess_figure(calls: int) -> str:
    server = subprocess.Popen([sys.executable, str(Path(__file__).with_name("server.py")), "--port", "0"],
                              stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().split(" ")[3]
        host, port = url.removeprefix("http://").split(":")
        return summary("devchain subprocess (Nagle off)", measure(host, int(port), calls))
    finally:
        server.terminate()
        server.wait(timeout=15)


def in_process_figure(calls: int, nagle_off: bool) -> str:
    args = SimpleNamespace(host="127.0.0.1", port=0, chain_id=1337, prefund=None, no_automine=False, block_time=0)
    server, _ = make_server(args)
    server.RequestHandlerClass.disable_nagle_algorithm = nagle_off
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        label = f"in-process handler, Nagle {'off' if nagle_off else 'ON (for contrast)'}"
        return summary(label, measure(host, port, calls))
    finally:
        server.shutdown()
        server.server_close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--contrast-calls", type=int, default=50, help="calls for the slow Nagle-on contrast run")
    args = parser.parse_args()
    print(subprocess_figure(args.calls), flush=True)
    print(in_process_figure(args.calls, nagle_off=True), flush=True)
    print(in_process_figure(args.contrast_calls, nagle_off=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
