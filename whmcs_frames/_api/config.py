"""Connection settings: where WHMCS is and how to authenticate, from arguments or env.

Explicit arguments win over environment variables, field by field. Whatever is
resolved here is held in :class:`Settings`, whose repr masks every credential.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import numbers
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from .._exceptions import ConfigError, InsecureTransportWarning, ValidationError, warn
from .._validate import positive_int, seconds
from .secrets import Secret, reveal

__all__ = ["ENV_VARS", "Settings", "resolve_settings"]

ENV_VARS = {
    "url": "WHMCS_API_URL",
    "identifier": "WHMCS_API_IDENTIFIER",
    "secret": "WHMCS_API_SECRET",
    "accesskey": "WHMCS_API_ACCESSKEY",
    "username": "WHMCS_API_USERNAME",
    "password": "WHMCS_API_PASSWORD",
}

_HOW_TO = (
    "Set WHMCS_API_URL with WHMCS_API_IDENTIFIER and WHMCS_API_SECRET "
    "(or WHMCS_API_USERNAME and WHMCS_API_PASSWORD), optionally WHMCS_API_ACCESSKEY, "
    "or pass them to wf.connect(). To try things out without a WHMCS, use the sandbox: "
    "`with wf.sandbox.serve() as box: client = box.client()`."
)


def mask(value: str | Secret | None) -> str:
    """Show a credential as its first three characters and stars.

    Examples
    --------
    >>> mask("D5a8ZjY0KnFq")
    'D5a***'
    """
    text: str = reveal(value)
    if not text:
        return "''"
    return text[:3] + "***" if len(text) > 8 else "***"


@dataclass(frozen=True)
class Settings:
    """A resolved connection: URL, auth form fields, timeouts and retry policy."""

    url: str
    auth: Mapping[str, Secret | str] = field(repr=False)
    timeout: tuple[float, float] = (10.0, 30.0)
    verify: bool | str = True
    retries: int = 3
    backoff_factor: float = 0.5
    retry_after_max: float = 60.0
    workers: int = 4
    #: HTTP basic auth taken out of a ``https://user:pw@host/`` URL, never shown.
    userinfo: tuple[Secret, Secret] | None = field(default=None, repr=False)

    def basic_auth(self) -> tuple[str, str] | None:
        """(user, password) for HTTP basic auth, when the URL carried them."""
        if self.userinfo is None:
            return None
        return self.userinfo[0].reveal(), self.userinfo[1].reveal()

    @property
    def host(self) -> str:
        """The WHMCS host name, as used in the audit log and reports."""
        return urlsplit(self.url).hostname or ""

    @property
    def secret_values(self) -> tuple[Secret | str, ...]:
        """Every credential value, so quoted server text can be scrubbed of them."""
        found = [v for k, v in self.auth.items() if k != "username" and v]
        return tuple(found) + (self.userinfo[1:] if self.userinfo else ())

    def __repr__(self) -> str:
        who = self.auth.get("identifier") or self.auth.get("username")
        return f"Settings(url={self.url!r}, user={mask(who)}, timeout={self.timeout})"


def _pick(name: str, explicit: str | None, env: Mapping[str, str]) -> str | None:
    if explicit is not None:
        return explicit
    value = env.get(ENV_VARS[name], "").strip()
    return value or None


def _shown_url(url: str) -> str:
    """``url`` without a ``user:password@`` part, for messages."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]))


def _normalise_url(url: Any) -> tuple[str, tuple[Secret, Secret] | None]:
    """The API URL without credentials, and the HTTP basic auth it carried."""
    if not isinstance(url, str):
        raise ConfigError(f"WHMCS_API_URL / url must be a string, got {type(url).__name__}")
    try:
        parts = urlsplit(url.strip())
        # .port raises ValueError for a port out of range or not a number
        hostname = parts.hostname if parts.port is None or parts.port >= 0 else None
    except ValueError:
        hostname, parts = None, urlsplit("")
    if parts.scheme not in ("http", "https") or not hostname:
        raise ConfigError(
            f"WHMCS_API_URL / url must be an http(s) URL such as "
            f"https://billing.example.com/includes/api.php, got {_shown_url(url.strip())!r}"
        )
    path = parts.path.rstrip("/")
    # Analysts often paste the WHMCS base URL; the API lives at a fixed path under it.
    if not path.endswith(".php"):
        path += "/includes/api.php"
    netloc = parts.netloc.rsplit("@", 1)[-1]
    userinfo = None
    if parts.username is not None:  # kept out of the URL, so no repr can show it
        userinfo = (Secret(unquote(parts.username)), Secret(unquote(parts.password or "")))
    return urlunsplit((parts.scheme, netloc, path, "", "")), userinfo


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _auth_fields(values: Mapping[str, Any]) -> dict[str, Secret | str]:
    identifier, secret = values["identifier"], values["secret"]
    username, password = values["username"], values["password"]
    if identifier or secret:
        if not (identifier and secret):
            missing = "WHMCS_API_SECRET" if identifier else "WHMCS_API_IDENTIFIER"
            raise ConfigError(f"API credentials are half configured: {missing} is missing. "
                              + _HOW_TO)
        auth: dict[str, Secret | str] = {"identifier": Secret(identifier),
                                         "secret": Secret(secret)}
    elif username or password:
        if not (username and password):
            missing = "WHMCS_API_PASSWORD" if username else "WHMCS_API_USERNAME"
            raise ConfigError(f"Admin login is half configured: {missing} is missing. " + _HOW_TO)
        # WHMCS's legacy admin login wants the MD5 of the password, never the password.
        digest = hashlib.md5(reveal(password).encode("utf-8"),
                             usedforsecurity=False).hexdigest()
        auth = {"username": username, "password": Secret(digest)}
    else:
        raise ConfigError("No WHMCS credentials configured. " + _HOW_TO)
    if values["accesskey"]:
        auth["accesskey"] = Secret(values["accesskey"])
    return auth


def _positive_seconds(value: Any) -> bool:
    return (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and math.isfinite(value) and float(value) > 0)


def _timeouts(timeout: Any) -> tuple[float, float]:
    if isinstance(timeout, tuple) and len(timeout) == 2 and all(
            _positive_seconds(t) for t in timeout):
        return float(timeout[0]), float(timeout[1])
    if not _positive_seconds(timeout):
        raise ValidationError("timeout", "positive finite seconds, or a (connect, read) "
                              "pair of them", got=timeout)
    # A connect that takes longer than 10 s is not going to succeed; reads of a big page
    # legitimately can.
    return min(float(timeout), 10.0), float(timeout)


def _verify(verify: Any) -> bool | str:
    if isinstance(verify, bool):
        return verify
    if isinstance(verify, str | os.PathLike) and os.path.exists(verify):
        return os.fspath(verify)
    raise ValidationError("verify", "True, False or the path of an existing CA bundle",
                          got=verify)


def _credential(name: str, value: Any) -> Any:
    """A credential as given, held as a :class:`Secret` (the user name stays text)."""
    if value is None:
        return None
    if not isinstance(value, str | Secret):
        raise ConfigError(f"{name} must be a string, got {type(value).__name__}")
    return reveal(value) if name == "username" else Secret(reveal(value))


def resolve_settings(
    url: str | None = None,
    *,
    identifier: str | Secret | None = None,
    secret: str | Secret | None = None,
    accesskey: str | Secret | None = None,
    username: str | None = None,
    password: str | Secret | None = None,
    timeout: float | tuple[float, float] = 30,
    verify: bool | str = True,
    retries: int = 3,
    backoff_factor: float = 0.5,
    workers: int = 4,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Merge explicit arguments over environment variables into :class:`Settings`.

    Raises
    ------
    ConfigError
        When the URL or credentials are missing, half given or malformed.
    ValidationError
        When a numeric setting is out of range.

    Examples
    --------
    >>> s = resolve_settings("https://billing.example.com", identifier="id", secret="s3",
    ...                      env={})
    >>> s.url
    'https://billing.example.com/includes/api.php'
    """
    env = os.environ if env is None else env
    # Held masked from the start: a traceback with locals shows Secret('***').
    identifier, secret, accesskey, password = (
        _credential(k, v) for k, v in (("identifier", identifier), ("secret", secret),
                                       ("accesskey", accesskey), ("password", password)))
    explicit = {"identifier": identifier, "secret": secret, "accesskey": accesskey,
                "username": username, "password": password}
    # Explicit credentials of one kind silence the other kind's env variables, so a
    # connect(identifier=..., secret=...) is never mixed with a stray env password.
    use_env = not any(v is not None for k, v in explicit.items() if k != "accesskey")
    values = {k: (v if v is not None or not use_env else _pick(k, None, env))
              for k, v in explicit.items()}
    if values["accesskey"] is None:
        values["accesskey"] = _pick("accesskey", None, env)
    values = {k: _credential(k, v) for k, v in values.items()}
    raw_url = _pick("url", url, env)
    if not raw_url:
        raise ConfigError("No WHMCS URL configured (WHMCS_API_URL). " + _HOW_TO)
    positive_int("retries", retries, minimum=0)
    positive_int("workers", workers, maximum=8)  # the cap _fetch.pages.MAX_WORKERS keeps
    seconds("backoff_factor", backoff_factor)
    api_url, userinfo = _normalise_url(raw_url)
    return Settings(url=api_url, auth=_auth_fields(values), timeout=_timeouts(timeout),
                    verify=_verify(verify), retries=retries,
                    backoff_factor=float(backoff_factor), workers=workers,
                    userinfo=userinfo)


def warn_if_insecure(settings: Settings) -> None:
    """Warn when credentials would cross a network in clear text."""
    parts = urlsplit(settings.url)
    if parts.scheme == "http" and not _is_loopback(parts.hostname or ""):
        warn(f"Credentials will be sent over plain http to {parts.hostname}; "
             "use an https:// WHMCS URL.", InsecureTransportWarning)
    if settings.verify is False:
        warn("TLS certificate verification is off (verify=False); anyone on the path can "
             "read the credentials. Pass verify='/path/to/ca.pem' for a private CA instead.",
             InsecureTransportWarning)
