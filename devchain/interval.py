"""Interval mining: a background thread that mines a block every N seconds (0 = off)."""

import sys
import threading
import traceback


class IntervalMiner:
    def __init__(self, chain, seconds: float = 0):
        self.chain = chain
        self.interval = seconds
        self.version = 0
        self.stopped = False
        self.blocks_mined = 0
        self.condition = threading.Condition()
        self.thread = threading.Thread(target=self._run, name="interval-miner", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def set_interval(self, seconds: float) -> None:
        with self.condition:
            self.interval = seconds
            self.version += 1
            self.condition.notify_all()

    def stop(self) -> None:
        with self.condition:
            self.stopped = True
            self.condition.notify_all()
        if self.thread.is_alive():
            self.thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            # Never hold the condition while taking the chain lock: RPC threads hold the chain
            # lock when they call set_interval.
            with self.condition:
                while not self.stopped and self.interval <= 0:
                    self.condition.wait()
                if self.stopped:
                    return
                version = self.version
                self.condition.wait(self.interval)
                if self.stopped:
                    return
                if self.version != version:
                    continue  # the interval changed: start timing again
            with self.chain.lock:
                try:
                    self.chain.mine_block()
                    self.blocks_mined += 1
                except Exception:
                    traceback.print_exc(file=sys.stderr)
