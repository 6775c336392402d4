"""Connection settings: where WHMCS is and how to authenticate, from arguments or env.

Explicit arguments win over environment variables, field by field. Whatever is
resolved here is held in :class:`Settings`, whose repr masks every credential.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from .._exceptions import ConfigError, InsecureTransportWarning, ValidationError, warn
from .._validate import positive_int, seconds

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


def mask(value: str | None) -> str:
    """Show a credential as its first three characters and stars.

    Examples
    --------
    >>> mask("D5a8ZjY0KnFq")
    'D5a***'
    """
    if not value:
        return "''"
    return value[:3] + "***" if len(value) > 8 else "***"


@dataclass(frozen=True)
class Settings:
    """A resolved connection: URL, auth form fields, timeouts and retry policy."""

    url: str
    auth: Mapping[str, str] = field(repr=False)
    timeout: tuple[float, float] = (10.0, 30.0)
    verify: bool | str = True
    retries: int = 3
    backoff_factor: float = 0.5
    retry_after_max: float = 60.0
    workers: int = 4

    @property
    def host(self) -> str:
        """The WHMCS host name, as used in the audit log and reports."""
        return urlsplit(self.url).hostname or ""

    @property
    def secret_values(self) -> tuple[str, ...]:
        """Every credential value, so quoted server text can be scrubbed of them."""
        return tuple(v for k, v in self.auth.items() if k != "username" and v)

    def __repr__(self) -> str:
        who = self.auth.get("identifier") or self.auth.get("username")
        return f"Settings(url={self.url!r}, user={mask(who)}, timeout={self.timeout})"


def _pick(name: str, explicit: str | None, env: Mapping[str, str]) -> str | None:
    if explicit is not None:
        return explicit
    value = env.get(ENV_VARS[name], "").strip()
    return value or None


def _normalise_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"WHMCS_API_URL / url must be an http(s) URL such as "
            f"https://billing.example.com/includes/api.php, got {url!r}"
        )
    path = parts.path.rstrip("/")
    # Analysts often paste the WHMCS base URL; the API lives at a fixed path under it.
    if not path.endswith(".php"):
        path += "/includes/api.php"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _auth_fields(values: dict[str, str | None]) -> dict[str, str]:
    identifier, secret = values["identifier"], values["secret"]
    username, password = values["username"], values["password"]
    if identifier or secret:
        if not (identifier and secret):
            missing = "WHMCS_API_SECRET" if identifier else "WHMCS_API_IDENTIFIER"
            raise ConfigError(f"API credentials are half configured: {missing} is missing. "
                              + _HOW_TO)
        auth = {"identifier": identifier, "secret": secret}
    elif username or password:
        if not (username and password):
            missing = "WHMCS_API_PASSWORD" if username else "WHMCS_API_USERNAME"
            raise ConfigError(f"Admin login is half configured: {missing} is missing. " + _HOW_TO)
        # WHMCS's legacy admin login wants the MD5 of the password, never the password.
        digest = hashlib.md5(password.encode("utf-8"), usedforsecurity=False).hexdigest()
        auth = {"username": username, "password": digest}
    else:
        raise ConfigError("No WHMCS credentials configured. " + _HOW_TO)
    if values["accesskey"]:
        auth["accesskey"] = values["accesskey"]
    return auth


def _timeouts(timeout: float | tuple[float, float]) -> tuple[float, float]:
    if isinstance(timeout, tuple):
        connect, read = timeout
    else:
        # A connect that takes longer than 10 s is not going to succeed; reads of a
        # big page legitimately can.
        connect, read = min(float(timeout), 10.0), float(timeout)
    if connect <= 0 or read <= 0:
        raise ValidationError("timeout", "positive seconds, or a (connect, read) pair",
                              got=timeout)
    return float(connect), float(read)


def resolve_settings(
    url: str | None = None,
    *,
    identifier: str | None = None,
    secret: str | None = None,
    accesskey: str | None = None,
    username: str | None = None,
    password: str | None = None,
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
    explicit = {"identifier": identifier, "secret": secret, "accesskey": accesskey,
                "username": username, "password": password}
    # Explicit credentials of one kind silence the other kind's env variables, so a
    # connect(identifier=..., secret=...) is never mixed with a stray env password.
    use_env = not any(v is not None for k, v in explicit.items() if k != "accesskey")
    values = {k: (v if v is not None or not use_env else _pick(k, None, env))
              for k, v in explicit.items()}
    if values["accesskey"] is None:
        values["accesskey"] = _pick("accesskey", None, env)
    raw_url = _pick("url", url, env)
    if not raw_url:
        raise ConfigError("No WHMCS URL configured (WHMCS_API_URL). " + _HOW_TO)
    positive_int("retries", retries, minimum=0)
    positive_int("workers", workers, maximum=8)  # the cap _fetch.pages.MAX_WORKERS keeps
    seconds("backoff_factor", backoff_factor)
    return Settings(url=_normalise_url(raw_url), auth=_auth_fields(values),
                    timeout=_timeouts(timeout), verify=verify, retries=retries,
                    backoff_factor=float(backoff_factor), workers=workers)


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
