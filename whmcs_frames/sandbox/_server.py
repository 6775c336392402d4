"""HTTP on loopback: request parsing, WHMCS authentication, faults and answers.

HTTP/1.1 with keep-alive and exact ``Content-Length``, so pooled clients reuse
connections as they would against Apache/nginx. The order of checks follows WHMCS:
IP allow-list (bypassed by the right ``accesskey``), then credentials, then the API
role's permissions, then the action itself. Credentials are judged by value, as PHP's
``if ($identifier)`` does: an empty ``identifier=`` or ``secret=`` counts as absent, so
an admin ``username`` + md5 ``password`` sent beside empty API keys logs in.

Answers are JSON (``application/json``) when ``responsetype=json`` and XML otherwise,
as ``application/xml``; :mod:`._flavours` shapes both.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import ipaddress
import socket
import socketserver
import threading
import time
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qsl

from .._api.php import parse_form_pairs
from ._actions import dispatch, error, to_json, to_xml
from ._common import Context, php_name, truthy
from ._faults import BEFORE_ACTION, Faults, fault_response
from ._flavours import notices, numbers_as_strings, shape
from ._store import Store

API_PATH = "/includes/api.php"
#: What ``responsetype=xml`` is answered with (see docs/whmcs-api-notes.md for why).
XML_CONTENT_TYPE = "application/xml"


class ServedBox(Protocol):
    """What the server needs of the :class:`~._box.Sandbox` it serves."""

    store: Store
    faults: Faults
    identifier: str
    secret: str
    username: str
    password: str
    accesskey: str | None
    allowed_ips: tuple[Any, ...] | None
    denied_actions: frozenset[str]
    fraud_module: str | None
    flavour: str
    request_hook: Callable[..., object] | None

    def record_request(self, action: str, params: dict[str, Any]) -> dict[str, Any]: ...

    def update_request(self, entry: dict[str, Any], **changes: Any) -> None: ...

    def report_server_error(self, text: str) -> None: ...
MAX_BODY = 16 * 1024 * 1024
_NOT_FOUND = (b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>"
              b"<h1>Not Found</h1></body></html>\n")


class LoopbackServer(ThreadingHTTPServer):
    """A threading HTTP server that knows its box and its open connections."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], family: socket.AddressFamily,
                 box: ServedBox) -> None:
        self.address_family = family
        self.box = box
        self._open: dict[socket.socket, threading.Thread] = {}
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls getfqdn(), a reverse DNS lookup that can stall
        # start-up for seconds on machines without DNS; the host is known already.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def track(self, sock: socket.socket, is_open: bool) -> None:
        """Remember (or forget) a client connection, so closing can end it."""
        with self._open_lock:
            if is_open:
                self._open[sock] = threading.current_thread()
            else:
                self._open.pop(sock, None)

    def close_connections(self, wait: float = 1.0) -> None:
        """Hang up on every kept-alive client and give their threads time to finish."""
        with self._open_lock:
            open_now = dict(self._open)
        for sock in open_now:
            with contextlib.suppress(OSError):  # already closed by the client
                sock.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + wait
        for thread in open_now.values():
            if thread is not threading.current_thread():  # a hook may close its own box
                thread.join(max(deadline - time.monotonic(), 0))

    def handle_error(self, request: Any, client_address: Any) -> None:
        self.box.report_server_error(traceback.format_exc())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Apache"
    sys_version = ""
    timeout = 120  # idle keep-alive connections are reclaimed eventually
    # Headers and body go out in two writes; with Nagle on, the second waits for the
    # client's delayed ACK and every answer gains ~40 ms.
    disable_nagle_algorithm = True
    server: LoopbackServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: a test run must not fill stderr with access logs."""

    def do_POST(self) -> None:
        handle(self)

    do_GET = do_POST


def _read_body(h: BaseHTTPRequestHandler) -> bytes:
    if "chunked" in h.headers.get("Transfer-Encoding", "").lower():
        chunks: list[bytes] = []
        while True:
            size = int(h.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                h.rfile.readline()
                return b"".join(chunks)
            chunks.append(h.rfile.read(size))
            h.rfile.readline()
    length = int(h.headers.get("Content-Length") or 0)
    if length > MAX_BODY:
        raise ValueError("request body too large")
    return h.rfile.read(length) if length > 0 else b""


def _params(h: BaseHTTPRequestHandler, body: bytes) -> tuple[str, dict[str, Any]]:
    path, _, query = h.path.partition("?")
    # $_REQUEST semantics: POST values win over the query string.
    pairs = parse_qsl(query, keep_blank_values=True)
    pairs += parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    # Names as PHP registers them: " action" is action, "a.b" is a_b (see _common).
    named = ((php_name(key), value) for key, value in pairs)
    return path, parse_form_pairs((key, value) for key, value in named if key is not None)


def _send(h: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str,
          headers: list[tuple[str, str]] | None = None) -> None:
    try:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        for name, value in headers or ():
            h.send_header(name, value)
        if h.close_connection:  # say so, or a client may pool a socket about to close
            h.send_header("Connection", "close")
        h.end_headers()
        h.wfile.write(body)
    except OSError:
        h.close_connection = True  # the client gave up (read timeout): nothing to do


def handle(h: _Handler) -> None:
    """Answer one request on behalf of the handler's box."""
    box = h.server.box
    try:
        path, params = _params(h, _read_body(h))
    except (ValueError, OSError):
        h.close_connection = True
        _send(h, 400, b"Bad Request", "text/plain")
        return
    raw_action = params.get("action")
    action = raw_action if isinstance(raw_action, str) else ""
    # Logged on arrival, so a client that gave up can still see its request landed.
    entry = box.record_request(action, params)
    if path != API_PATH:
        _finish(h, box, entry, 404, _NOT_FOUND, "text/html; charset=utf-8")
        return
    fault = box.faults.draw(action)
    box.update_request(entry, fault=fault.kind if fault else None)
    if box.faults.latency > 0:
        time.sleep(box.faults.latency)
    if fault and fault.kind == "drop":
        _hang_up(h, box, entry)
        return
    if fault and fault.kind in BEFORE_ACTION:
        status, headers, body, ctype = fault_response(fault)
        _finish(h, box, entry, status, body, ctype, headers)
        return
    try:
        status, body, ctype = respond(box, action, params, h.client_address[0])
    except Exception:
        box.report_server_error(traceback.format_exc())
        status, body, ctype = 500, b"Internal sandbox error", "text/plain"
    if fault and fault.kind == "drop_after":
        _hang_up(h, box, entry)
        return
    if fault and fault.kind == "delay":
        box.update_request(entry, status=status)
        time.sleep(float(fault.opts.get("seconds", 1.0)))
    _finish(h, box, entry, status, body, ctype)


def _hang_up(h: _Handler, box: ServedBox, entry: dict[str, Any]) -> None:
    box.update_request(entry, status=0)
    h.close_connection = True  # closing without a byte written: the client sees EOF


def _finish(h: _Handler, box: ServedBox, entry: dict[str, Any], status: int, body: bytes,
            ctype: str, headers: list[tuple[str, str]] | None = None) -> None:
    box.update_request(entry, status=status)  # before sending: the client may look right after
    _send(h, status, body, ctype, headers)


def respond(box: ServedBox, action: str, params: dict[str, Any], ip: str
            ) -> tuple[int, bytes, str]:
    """(HTTP status, body, content type) for an authenticated or refused API call."""
    status, payload = _process(box, action, params, ip)
    if box.faults.per_record > 0:  # the page's cost, in this request's own thread
        time.sleep(box.faults.per_record * int(payload.get("numreturned") or 0))
    quirks = box.faults.quirks
    payload = shape(payload, action, box.flavour, quirks)
    if str(params.get("responsetype", "")).lower() == "json":
        return status, notices(quirks) + to_json(payload), "application/json"
    return status, notices(quirks) + to_xml(payload, action), XML_CONTENT_TYPE


def _process(box: ServedBox, action: str, params: dict[str, Any], ip: str
             ) -> tuple[int, dict[str, Any]]:
    if box.allowed_ips is not None and not _ip_allowed(ip, box.allowed_ips) \
            and not (box.accesskey and _same(params.get("accesskey"), box.accesskey)):
        return 403, error(f"Invalid IP {ip}")
    if not authenticated(box, params):
        return 403, error("Authentication Failed")
    if action.lower() in box.denied_actions:
        return 403, error(f'Invalid Permissions: API action "{action.lower()}" is not allowed')
    hook = box.request_hook
    if hook is not None:
        hook(box, action, params)
    return 200, dispatch(box.store, action, params, Context(
        ip, box.fraud_module, numbers_as_strings(box.flavour)))


def _same(given: Any, expected: str) -> bool:
    return isinstance(given, str) and hmac.compare_digest(given.encode(), expected.encode())


def authenticated(box: ServedBox, params: dict[str, Any]) -> bool:
    """Whether the request carries API credentials or an admin login WHMCS accepts.

    Judged by value: ``identifier``/``secret`` decide only when one of them is
    non-empty; empty ones (a client that always sends every key) fall through to
    ``username`` + ``password``.
    """
    ident, secret = params.get("identifier"), params.get("secret")
    if truthy(ident) or truthy(secret):
        return _same(ident, box.identifier) and _same(secret, box.secret)
    user, password = params.get("username"), params.get("password")
    if _same(user, box.identifier) and _same(password, box.secret):
        return True  # API credentials passed the pre-7.2 way
    admin_md5 = hashlib.md5(box.password.encode("utf-8"), usedforsecurity=False).hexdigest()
    return _same(user, box.username) and _same(password, admin_md5)


def _ip_allowed(ip: str, allowed: tuple[Any, ...]) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # IPv6 only: ::ffff:127.0.0.1
    if mapped is not None:
        address = mapped
    return any(address in network for network in allowed)
