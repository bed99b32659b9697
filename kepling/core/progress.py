"""Progress lines for long commands, on standard error (standard output keeps the result, e.g. --json)."""

from __future__ import annotations

import sys
import time
from typing import Protocol


class Writable(Protocol):
    def write(self, text: str, /) -> object: ...

    def flush(self) -> object: ...


class Progress:
    """Prints each step with the time since the start, and row counts at most once a second."""

    def __init__(self, stream: Writable | None = None) -> None:
        self.stream: Writable = stream or sys.stderr
        self.started = time.monotonic()
        self.last_rows = 0.0

    def step(self, text: str) -> None:
        self.stream.write(f"[{time.monotonic() - self.started:6.1f} s] {text}\n")
        self.stream.flush()

    def rows(self, count: int) -> None:
        now = time.monotonic()
        if now - self.last_rows >= 1.0:
            self.last_rows = now
            self.step(f"{count:,} rows read".replace(",", "."))
