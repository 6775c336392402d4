"""One WHMCS API call over HTTP: auth, PHP-style encoding, retries for reads, errors.

This is the only module that touches ``requests``/``urllib3``; their exceptions are
converted to the :mod:`whmcs_frames._exceptions` tree here and nowhere else.

Reads and writes travel differently, as the :data:`~whmcs_frames._api.registry.ACTIONS`
table decides:

- reads retry connection errors, timeouts and 429/502/503/504 with exponential backoff,
  jitter and ``Retry-After`` (urllib3's ``Retry``), over a pooled keep-alive session;
- writes retry only a connection that was never established, and use a fresh
  connection each time (``Connection: close``), so a stale keep-alive socket can never
  turn a write into an unknown outcome.

Whether a failed write was sent is decided by :mod:`.wire`, which sees the first byte
of the request reach a socket, never by reading exception text; every request also has
a total deadline (connect + read timeout per attempt) that :mod:`.wire` enforces.
Secrets stay :class:`~.secrets.Secret` until :func:`_form_body` encodes the request.
"""

from __future__ import annotations

import html
import http.client
import json
import logging
import re
import ssl
import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

import requests
import urllib3.exceptions as u3
from urllib3.util.retry import Retry

from .._exceptions import (
    AccessDenied,
    ApiError,
    AuthenticationError,
    OutcomeUnknown,
    ResponseFormatError,
    TransportError,
    ValidationError,
    WhmcsError,
)
from . import wire
from .config import Settings
from .php import check_param_name, flatten_params
from .registry import SECRET_PARAMS, ActionSpec, is_secret_param, spec_for
from .secrets import MASK, Secret, reveal, scrub

__all__ = ["RETRY_STATUSES", "Transport"]

logger = logging.getLogger("whmcs_frames")

RETRY_STATUSES = frozenset({429, 502, 503, 504})
_FORM = {"Content-Type": "application/x-www-form-urlencoded"}
_RESERVED = frozenset({"action", "responsetype", "identifier", "secret", "username",
                       "password", "accesskey"})
_ACTION_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*")  # fullmatch: no "$" before a newline
# What PHP prints before the answer with display_errors=On: notices, warnings and
# deprecations, as HTML (html_errors=On) or plain lines. A fatal error is not among
# them: after one there is no answer to read.
_PHP_DIAGNOSTICS = re.compile(
    r"\A(?:\s*(?:<br\s*/?>\s*)?(?:<b>)?(?:PHP )?(?:Notice|Warning|Deprecated|Strict Standards"
    r"|User Notice|User Warning|User Deprecated)(?:</b>)?:[^\n]*?on line (?:<b>)?\d+"
    r"(?:</b>)?(?:<br\s*/?>)?)+\s*(?=[{])")


class _PoliteRetry(Retry):
    # A server asking us to wait an hour would freeze a notebook; honour Retry-After
    # up to a bound, and let the bounded retry count decide after that.
    RETRY_AFTER_MAX = 60.0

    def get_retry_after(self, response: Any) -> float | None:
        seconds = super().get_retry_after(response)
        return None if seconds is None else min(seconds, self.RETRY_AFTER_MAX)


def _read_retry(settings: Settings) -> Retry:
    n = settings.retries
    return _PoliteRetry(
        total=n, connect=n, read=n, status=n, other=0, redirect=0,
        allowed_methods=None,  # every call is a POST; only reads get this policy
        status_forcelist=RETRY_STATUSES,
        backoff_factor=settings.backoff_factor,
        backoff_jitter=settings.backoff_factor / 2,
        backoff_max=30.0,
        respect_retry_after_header=True,
        raise_on_status=False,
    )


def _write_retry(settings: Settings) -> Retry:
    # A refused or unresolvable connection never carried the request: safe to retry.
    # Everything after the connection is up may have reached WHMCS: never retried.
    n = settings.retries
    # urllib3 reads an empty allowed_methods as "every verb"; name one we never send.
    return Retry(total=n, connect=n, read=0, status=0, other=0, redirect=0,
                 allowed_methods=frozenset({"GET"}), backoff_factor=settings.backoff_factor,
                 raise_on_status=False)


def _new_session(retry: Retry, pool_size: int, *, close: bool = False) -> requests.Session:
    session = requests.Session()
    adapter = wire.TrackedAdapter(max_retries=retry, pool_connections=1,
                                  pool_maxsize=pool_size)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = "whmcs-frames"
    if close:
        session.headers["Connection"] = "close"
    return session


def _mask_pairs(pairs: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [(k, MASK if is_secret_param(k) else v) for k, v in pairs]


class _FormBody(str):
    """The urlencoded body: a str whose repr hides it from tracebacks with locals."""

    def __repr__(self) -> str:
        return "<form body, secrets hidden>"

    __str__ = __repr__

    def encode(self, *args: Any, **kwargs: Any) -> bytes:
        return _FormBytes(super().encode(*args, **kwargs))


class _FormBytes(bytes):
    def __repr__(self) -> str:
        return "<form body, secrets hidden>"

    __str__ = __repr__


def _form_body(pairs: Iterable[tuple[str, Any]]) -> _FormBody:
    # The one place secrets are revealed: straight into the encoded body.
    return _FormBody(urlencode([(k, reveal(v)) for k, v in pairs]))


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and every exception it wraps (reason, cause, context, args)."""
    found: list[BaseException] = []
    stack: list[Any] = [exc]
    while stack:
        err = stack.pop()
        if not isinstance(err, BaseException) or any(err is f for f in found):
            continue
        found.append(err)
        stack.extend([getattr(err, "reason", None), err.__cause__, err.__context__])
        stack.extend(a for a in err.args if isinstance(a, BaseException))
    return found


_VERIFY_HINT = "pass verify='/path/to/ca.pem' for a private CA"
_CLOSED = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError,
           http.client.RemoteDisconnected, http.client.IncompleteRead, u3.ProtocolError,
           requests.exceptions.ChunkedEncodingError)


def _describe(exc: BaseException, timeout: tuple[float, float],
              call: wire.CallState) -> str:
    """What went wrong, decided by the exceptions' types (never their text)."""
    if call.expired:
        return (f"no complete answer within {call.total:g} s (the whole request's "
                "deadline: the server was sending too slowly or not at all)")
    chain = _chain(exc)

    def has(*kinds: type[BaseException]) -> bool:
        return any(isinstance(err, kinds) for err in chain)

    if has(u3.NameResolutionError):
        return "the host name could not be resolved"
    if has(ConnectionRefusedError):
        return "connection refused"
    if has(u3.NewConnectionError):
        return "could not connect"
    if has(u3.ConnectTimeoutError, requests.exceptions.ConnectTimeout):
        return f"could not connect within {timeout[0]:g} s"
    if has(ssl.SSLCertVerificationError, ssl.CertificateError):
        return f"TLS certificate verification failed ({_VERIFY_HINT})"
    if has(ssl.SSLError, u3.SSLError, requests.exceptions.SSLError):
        if call.sent:
            return ("the TLS stream broke after the request was sent (something on the "
                    "path reset or corrupted it while the answer was read)")
        return f"the TLS handshake failed ({_VERIFY_HINT} if it uses one)"
    if has(u3.ReadTimeoutError, requests.exceptions.ReadTimeout, TimeoutError):
        return f"no answer within {timeout[1]:g} s"
    if has(*_CLOSED):
        return "the server closed the connection without answering"
    return type(exc).__name__


# A secret field inside a broken JSON answer ("password":"…" of GetClientsProducts).
_SECRET_NAMES = "|".join(sorted(SECRET_PARAMS))
_SECRET_FIELD = re.compile(rf'"({_SECRET_NAMES})"\s*:\s*"(?:[^"\\]|\\.)*"?', re.IGNORECASE)


def _scrub(text: str, secrets: Iterable[Any], limit: int = 200) -> str:
    text = _SECRET_FIELD.sub(lambda m: f'"{m.group(1)}":"***"', text)
    text = html.unescape(re.sub(r"<[^>]*>", " ", text))
    text = re.sub(r"\s+", " ", text).strip()
    text = scrub(text, secrets)
    return text[:limit] + ("…" if len(text) > limit else "")


_EXPLAIN_AUTH = ("check WHMCS_API_IDENTIFIER and WHMCS_API_SECRET (or the admin username and "
                 "password); API credentials are made in WHMCS under Manage API Credentials")


def _api_error(action: str, message: str, status: int) -> ApiError:
    if message.lower().startswith("authentication failed"):
        return AuthenticationError(action, message, status=status, explanation=_EXPLAIN_AUTH)
    ip = re.match(r"Invalid IP\s+(\S+)", message, re.IGNORECASE)
    if ip:
        return AccessDenied(
            action, message, status=status, ip=ip.group(1),
            explanation=(f"WHMCS saw this machine as {ip.group(1)}, which is not on its API IP "
                         "allow-list; add that address under Setup > General Settings > "
                         "Security, or set an API access key (WHMCS_API_ACCESSKEY)"))
    perm = re.match(r'Invalid Permissions: API action "?([^"\s]+)"?', message, re.IGNORECASE)
    if perm:
        return AccessDenied(
            action, message, status=status, denied_action=perm.group(1),
            explanation=(f"the API role of these credentials does not allow {perm.group(1)}; "
                         "grant it under Manage API Credentials > API Roles"))
    return ApiError(action, message, status=status)


class Transport:
    """Sends one action at a time to WHMCS; safe to share between threads.

    Each thread gets its own ``requests.Session`` for reads (keep-alive pool sized to
    the workers); every write gets a session of its own, closed once it has answered.
    :meth:`close` closes every read session any thread opened.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    def _read_session(self) -> requests.Session:
        """This thread's pooled keep-alive session for reads."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = _new_session(_read_retry(self.settings), self.settings.workers)
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def body(self, action: str, params: Mapping[str, Any]) -> list[tuple[str, Any]]:
        """The form pairs for a call, validated and flattened (credentials excluded).

        Names PHP would rewrite (and so could turn into ``action``) are refused; the
        values of secret-looking parameters come back as :class:`Secret`.
        """
        if not isinstance(action, str) or not _ACTION_RE.fullmatch(action):
            raise ValidationError("action", "a WHMCS action name such as 'GetOrders'",
                                  got=action)
        for name in params:
            check_param_name(name)
        clash = sorted(_RESERVED.intersection(k.lower() for k in params))
        if clash:
            raise ValidationError(clash[0], "not to be passed: the client sets it itself")
        pairs = [(k, Secret(v) if is_secret_param(k) and isinstance(v, str) else v)
                 for k, v in flatten_params(params)]
        return [("action", action), ("responsetype", "json"), *pairs]

    def call(self, action: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """POST one action and return WHMCS's JSON object.

        Raises
        ------
        ApiError, TransportError, OutcomeUnknown, ResponseFormatError, ValidationError
            As described in :mod:`whmcs_frames._exceptions`.
        """
        pairs = self.body(action, params)
        spec = spec_for(action)
        # Whatever WHMCS quotes back may echo a password we sent: scrub those too.
        secrets = self.settings.secret_values + tuple(
            v for k, v in pairs if v and is_secret_param(k))
        started = time.perf_counter()
        # A write never touches a pooled socket: one the server is closing would turn it
        # into an unknown outcome. Its own session is closed as soon as it has answered.
        session = (self._read_session() if spec.is_read
                   else _new_session(_write_retry(self.settings), 1, close=True))
        call = wire.begin(sum(self.settings.timeout))
        try:
            response = session.post(
                self.settings.url, data=_form_body(pairs + list(self.settings.auth.items())),
                headers=_FORM, timeout=self.settings.timeout, verify=self.settings.verify,
                allow_redirects=False, auth=self.settings.basic_auth())
            if call.expired:  # cut off mid-body: what arrived is not the whole answer
                response.close()
                raise requests.exceptions.ConnectionError("deadline passed")
        except requests.exceptions.RequestException as exc:
            raise self._failure(action, spec, exc, call) from None
        finally:
            wire.end(call)
            if not spec.is_read:
                session.close()
        elapsed = time.perf_counter() - started
        with response:
            logger.debug("%s -> HTTP %s in %.0f ms %s", action, response.status_code,
                         elapsed * 1000, _mask_pairs(pairs[2:]))
            return self._decode(action, spec, response, secrets)

    def _failure(self, action: str, spec: ActionSpec, exc: BaseException,
                 call: wire.CallState) -> WhmcsError:
        cause = _describe(exc, self.settings.timeout, call)
        logger.warning("%s failed: %s", action, cause)
        # Only a failure before the first byte of the request reached a socket proves
        # that nothing was sent (refused, DNS, the TLS handshake); anything later on a
        # write may have run.
        if not spec.is_read and call.sent:
            return OutcomeUnknown(action, cause)
        tries = "" if not spec.is_read else f" after {self.settings.retries} retries"
        return TransportError(f"{action}: {cause}{tries} ({self.settings.host})")

    def _decode(self, action: str, spec: ActionSpec, response: requests.Response,
                secrets: tuple[str, ...]) -> dict[str, Any]:
        status = response.status_code
        data = self._json_object(response)
        if data is None:
            data = self._after_php_notices(action, response, secrets)
        if data is None:
            problem = self._format_problem(action, response, secrets)
            if not spec.is_read:
                raise OutcomeUnknown(action, str(problem))
            raise problem
        result = data.get("result")
        if result is None and data.get("status") in ("success", "error"):
            result = data["result"] = data["status"]  # some versions say status, not result
        if result == "error":
            message = _scrub(str(data.get("message", "")), secrets, 500)
            raise _api_error(action, message or "(no message)", status)
        if result != "success":
            if not spec.is_read:  # neither success nor failure proven: it may have run
                raise OutcomeUnknown(action, f"WHMCS answered JSON without result=success "
                                     f"or error (HTTP {status}): the write may have run")
            raise ResponseFormatError(
                f"{action}: WHMCS answered JSON without result=success (HTTP {status})",
                status=status, content_type=response.headers.get("Content-Type"))
        if data.get("warning"):
            logger.warning("%s: WHMCS warning: %s", action,
                           _scrub(str(data["warning"]), secrets))
        return data

    @staticmethod
    def _json_object(response: requests.Response) -> dict[str, Any] | None:
        if 300 <= response.status_code < 400:
            return None
        try:
            data = json.loads(response.content.decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError):
            return None
        return data if isinstance(data, dict) else None

    @staticmethod
    def _after_php_notices(action: str, response: requests.Response,
                           secrets: tuple[str, ...]) -> dict[str, Any] | None:
        """The JSON answer behind PHP notices printed before it, or None.

        Only PHP's own notice, warning and deprecation lines may precede it; the
        answer is WHMCS's, so a write that succeeded is reported as one.
        """
        if 300 <= response.status_code < 400:
            return None
        text = response.content.decode("utf-8-sig", "replace")
        match = _PHP_DIAGNOSTICS.match(text)
        if match is None:
            return None
        try:
            data = json.loads(text[match.end():])
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        logger.warning("%s: PHP printed notices before the answer (display_errors is on "
                       "on the WHMCS server): %s", action, _scrub(match.group(), secrets))
        return data

    def _format_problem(self, action: str, response: requests.Response,
                        secrets: tuple[str, ...]) -> ResponseFormatError:
        status = response.status_code
        ctype = response.headers.get("Content-Type", "")
        if 300 <= status < 400:
            where = response.headers.get("Location", "?")
            message = (f"{action}: WHMCS answered a redirect (HTTP {status}) to {where}; "
                       "set the API URL to the final address (https, full path)")
            return ResponseFormatError(message, status=status, content_type=ctype)
        snippet = _scrub(response.content.decode("utf-8", "replace"), secrets)
        what = "an empty body" if not snippet else f"{ctype or 'no content type'}, not JSON"
        retried = f" after {self.settings.retries} retries" if (
            status in RETRY_STATUSES and spec_for(action).is_read) else ""
        message = (f"{action}: WHMCS answered HTTP {status} with {what}{retried}"
                   + (f": {snippet!r}" if snippet else "")
                   + " — a PHP error, proxy, maintenance page or firewall is answering "
                     "instead of the API")
        return ResponseFormatError(message, status=status, content_type=ctype, snippet=snippet)

    def close(self) -> None:
        """Close every pooled connection this transport opened, in any thread."""
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()
        self._local = threading.local()
