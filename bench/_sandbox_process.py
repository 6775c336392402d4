"""Run the sandbox in its own process, as a real WHMCS would be (no GIL sharing)."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class RemoteSandbox:
    """Where the sandbox process listens and how to authenticate."""

    url: str
    identifier: str
    secret: str


@contextlib.contextmanager
def sandbox_process(orders: int, *, seed: int = 7, latency_ms: float = 0.0,
                    per_order_ms: float = 0.0, port: int = 0) -> Iterator[RemoteSandbox]:
    """Start ``whmcs-frames sandbox`` in a child process; stop it on exit."""
    # the cli is a package without __main__: run its main() the way the script does
    cmd = [sys.executable, "-c", "import sys; from whmcs_frames.cli import main; "
           "sys.exit(main(sys.argv[1:]))", "sandbox", "--port", str(port),
           "--orders", str(orders), "--seed", str(seed), "--latency-ms", str(latency_ms),
           "--per-order-ms", str(per_order_ms)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        found: dict[str, str] = {}
        assert proc.stdout is not None
        for line in proc.stdout:
            match = re.search(r"export (WHMCS_API_\w+)=(\S+)", line)
            if match:
                found[match.group(1)] = match.group(2)
            if "WHMCS_API_SECRET" in found:
                break
        yield RemoteSandbox(found["WHMCS_API_URL"], found["WHMCS_API_IDENTIFIER"],
                            found["WHMCS_API_SECRET"])
    finally:
        proc.terminate()
        proc.wait(timeout=10)
