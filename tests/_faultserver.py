"""Raw-socket fault servers on 127.0.0.1, for faults that live in the transport.

Each reads one whole HTTP request (headers and Content-Length body), records it, and
then misbehaves: corrupts or resets a TLS stream after the request arrived, trickles
the answer a byte at a time, or hangs up without answering.
"""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import struct
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import parse_qsl


def make_cert(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made now with the openssl CLI."""
    openssl = shutil.which("openssl")
    assert openssl, "the openssl command line tool is needed for the TLS fault tests"
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def read_request(conn: socket.socket) -> bytes:
    """One HTTP request's body, read off ``conn`` (b"" if it never came whole)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return b""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return b""
        body += chunk
    return body


class FaultServer:
    """A server on 127.0.0.1: each connection gets ``mode`` after its request is read.

    Modes: ``"tls-corrupt"`` (garbage TLS record), ``"tls-reset"`` (TCP reset),
    ``"trickle"`` (an HTTP answer one byte every ``interval`` seconds, for at most
    ``limit`` seconds), ``"drop"`` (close without answering).
    """

    def __init__(self, mode: str, *, cert: tuple[Path, Path] | None = None,
                 interval: float = 0.8, limit: float = 12.0, then: str | None = None) -> None:
        # ``then``: the mode of every connection after the first ("ok" answers at once)
        self.mode, self.interval, self.limit, self.then = mode, interval, limit, then
        self.requests: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self.handshake_errors = 0
        self._context = None
        if cert is not None:
            self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._context.load_cert_chain(str(cert[0]), str(cert[1]))
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        scheme = "https" if cert else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}/includes/api.php"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def __enter__(self) -> FaultServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=15)
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                raw, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            raw.settimeout(10)
            # A thread per connection: a retry must not wait behind a trickle.
            threading.Thread(target=self._handle_safely, args=(raw,), daemon=True).start()

    def _handle_safely(self, raw: socket.socket) -> None:
        try:
            self._handle(raw)
        except (OSError, ValueError):
            pass
        finally:
            raw.close()

    def _handle(self, raw: socket.socket) -> None:
        conn = raw
        if self._context is not None:
            try:
                # wrap_socket takes raw's descriptor over: conn is the only handle left
                conn = self._context.wrap_socket(raw, server_side=True)
            except (ssl.SSLError, OSError):
                self.handshake_errors += 1
                return
        try:
            self._misbehave(conn)
        finally:
            conn.close()

    def _misbehave(self, conn: socket.socket) -> None:
        body = read_request(conn)
        with self._lock:
            self.requests.append(dict(parse_qsl(body.decode("utf-8", "replace"))))
            first = len(self.requests) == 1
        mode = self.mode if first or self.then is None else self.then
        if mode == "ok":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Connection: close\r\nContent-Length: 20\r\n\r\n"
                         b'{"result":"success"}')
        elif mode == "tls-corrupt":
            # An application-data record whose MAC cannot check out: a middlebox
            # mangling the stream after the request went through.
            os.write(conn.fileno(), b"\x17\x03\x03\x00\x40" + os.urandom(64))
            time.sleep(0.5)
        elif mode == "tls-reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif mode == "trickle":
            answer = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 20\r\n\r\n" + b'{"result":"success"}')
            ends = time.monotonic() + self.limit
            for byte in answer:
                if self._stop.is_set() or time.monotonic() > ends:
                    break
                conn.sendall(bytes([byte]))
                time.sleep(self.interval)
        # "drop": just close
