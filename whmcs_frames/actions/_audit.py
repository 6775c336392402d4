"""The audit log: an append-only JSON Lines file with one record per phase of a write.

Every write attempt gets an attempt id and is logged in two phases:

1. a ``"start"`` record (outcome ``"pending"``) written and fsynced *before* the request
   is sent — if it cannot be written, :class:`~whmcs_frames.AuditLogError` stops the write;
2. an ``"end"`` record with the outcome (``"success"``, ``"error"``, ``"unknown"``),
   WHMCS's message and the duration, written before the call returns.

A process killed between the two leaves a start record alone, which
:func:`read_audit_log` reports as outcome ``"unknown"``: the log never claims less than
may have happened. A dry run is one ``"end"`` record with outcome ``"dry-run"``.

Each record is one ``os.write`` of one line to a file opened with ``O_APPEND``, under an
exclusive ``flock`` where the platform has it, then ``fsync``: several processes may
append at once and every line stays whole.

Example
-------
>>> import whmcs_frames as wf
>>> wf.read_audit_log("audit.jsonl")  # doctest: +SKIP
"""

from __future__ import annotations

import getpass
import json
import os
import stat
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd
import platformdirs

from .._api.registry import is_secret_param
from .._api.secrets import Secret, scrub
from .._exceptions import AuditLogError, AuditLogWarning, ConfigError, WhmcsWarning, warn
from ..frames._records import AUDIT_OUTCOMES, audit_log_frame

try:  # POSIX; elsewhere O_APPEND alone keeps single writes whole
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "ANALYST_ENV",
    "AUDIT_LOG_ENV",
    "OUTCOMES",
    "Attempt",
    "append_record",
    "check_writable",
    "default_audit_log_path",
    "masked_params",
    "read_audit_log",
    "read_records",
]

ANALYST_ENV = "WHMCS_FRAMES_ANALYST"
#: Outcomes an attempt can end with; ``"pending"`` only ever appears in start records.
OUTCOMES = AUDIT_OUTCOMES
_CREDENTIALS = frozenset({"identifier", "secret", "username", "password", "accesskey"})
_MASK = "***"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError, ImportError):  # no login name (containers): log anyway
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def masked_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters as they may be logged: secrets as ``***``, credentials dropped.

    Examples
    --------
    >>> masked_params({"orderid": 5, "servicepassword": "pw", "secret": "s", "x": None})
    {'orderid': 5, 'servicepassword': '***'}
    """
    return {str(k): (_MASK if is_secret_param(str(k)) else v) for k, v in params.items()
            if v is not None and str(k).lower() not in _CREDENTIALS}


def secret_values(params: Mapping[str, Any]) -> tuple[str | Secret, ...]:
    """Every secret value in ``params`` (nested ones too), to scrub quoted messages."""
    found: list[str | Secret] = []

    def collect(value: Any) -> None:
        if isinstance(value, Mapping):
            for item in value.values():
                collect(item)
        elif isinstance(value, list | tuple):
            for item in value:
                collect(item)
        elif isinstance(value, Secret):
            found.append(value)
        elif value is not None and value != "":
            found.append(str(value))

    for key, value in params.items():
        if is_secret_param(str(key)):
            collect(value)
    return tuple(found)


def _encode(record: Mapping[str, Any]) -> bytes:
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                      default=str)
    return (text + "\n").encode("utf-8")


def _open_log(path: Path) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
        return os.open(path, flags, 0o600)
    except (OSError, ValueError, TypeError) as exc:
        raise AuditLogError(str(path), _reason(exc)) from None


def check_writable(path: Path) -> None:
    """Raise :class:`AuditLogError` unless the log can be opened for appending."""
    os.close(_open_log(path))


def append_record(path: Path, record: Mapping[str, Any]) -> None:
    """Append one record as one line; flushed and fsynced before returning.

    Raises
    ------
    AuditLogError
        When the file cannot be created, locked, written or synced.
    """
    try:
        line = _encode(record)
    except (ValueError, TypeError) as exc:
        raise AuditLogError(str(path), _reason(exc)) from None
    fd = _open_log(path)
    try:
        _warn_if_exposed(path, fd)
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        # One write of the whole line: with O_APPEND and the lock no other writer's
        # bytes can land inside it.
        written = os.write(fd, line)
        if written != len(line):
            raise OSError(f"short write ({written} of {len(line)} bytes)")
        os.fsync(fd)
    except OSError as exc:
        raise AuditLogError(str(path), _reason(exc)) from None
    finally:
        os.close(fd)  # closing releases the lock


_WARNED: set[tuple[str, int]] = set()


def _warn_if_exposed(path: Path, fd: int) -> None:
    """Warn (once per file and mode) when others may read, or group or others write, it.

    The log names orders, hosts and analysts; one others can write can be forged. We
    create it 0600; an existing file keeps the mode somebody gave it, so say so, as
    ssh does for a private key.
    """
    mode = stat.S_IMODE(os.fstat(fd).st_mode)
    if not mode & 0o027 or (str(path), mode) in _WARNED:
        return
    _WARNED.add((str(path), mode))
    warn(f"the audit log {path} is readable or writable by others (mode {mode:04o}); "
         f"restrict it with: chmod 600 {path}", AuditLogWarning)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


@dataclass
class Attempt:
    """One write attempt's audit records, sharing an attempt id.

    Parameters
    ----------
    path : Path
        The audit log.
    host : str
        The WHMCS host.
    action : str
        The WHMCS action name.
    orderid : int or None
        The order acted on (for AddOrder: filled in once WHMCS answers).
    params : Mapping
        The parameters as sent; masked here, never stored unmasked.
    scrub : tuple of str
        Values to blank out of any message that is logged.
    """

    path: Path
    host: str
    action: str
    orderid: int | None
    params: Mapping[str, Any]
    scrub: tuple[str | Secret, ...] = ()
    attempt: str = field(default_factory=lambda: str(uuid.uuid4()))
    started: float = 0.0

    def _record(self, phase: str, outcome: str, **extra: Any) -> dict[str, Any]:
        analyst = os.environ.get(ANALYST_ENV, "").strip() or None
        return {"attempt": self.attempt, "phase": phase, "time": _now(), "user": _os_user(),
                "analyst": analyst, "host": self.host, "action": self.action,
                "orderid": self.orderid, "params": masked_params(self.params),
                "outcome": outcome, **extra}

    def _clean(self, message: str) -> str:
        return scrub(message, self.scrub)

    def check(self) -> None:
        """Raise :class:`AuditLogError` unless the log can be appended to."""
        check_writable(self.path)

    def start(self) -> None:
        """Write the ``pending`` record; raises :class:`AuditLogError` if it cannot."""
        append_record(self.path, self._record("start", "pending", sent=False, message=""))

    def finish(self, outcome: str, message: str = "", *, sent: bool,
               duration_ms: float | None = None, error: str | None = None,
               strict: bool = False) -> None:
        """Write the final record.

        With ``strict`` a failure raises :class:`AuditLogError` (nothing was sent yet);
        otherwise it warns, because the write has happened and its result matters more.
        """
        record = self._record("end", outcome, sent=sent, message=self._clean(message),
                              duration_ms=duration_ms, error=error)
        try:
            append_record(self.path, record)
        except AuditLogError as exc:
            if strict:
                raise
            warn(f"{self.action} (attempt {self.attempt}) went through but its "
                 f"final audit record was not written: {exc}", AuditLogWarning)


def read_records(path: Path) -> list[dict[str, Any]]:
    """Every well-formed record in file order; a torn or foreign line is warned about.

    Raises
    ------
    FileNotFoundError
        When there is no audit log at ``path``.
    """
    records: list[dict[str, Any]] = []
    bad = 0
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                bad += 1
                continue
            if isinstance(record, dict) and record.get("attempt"):
                records.append(record)
            else:
                bad += 1
    if bad:
        warn(f"{bad} line(s) of {path} are not audit records and were skipped", WhmcsWarning)
    return records


_NO_END = ("no final record: the process stopped before the outcome was logged, or the "
           "attempt is still running; look the order up in WHMCS")


def _attempt_row(start: Mapping[str, Any] | None, end: Mapping[str, Any] | None) -> dict:
    first = start or end or {}
    last = end or {}
    orderid = last.get("orderid") if last.get("orderid") is not None else first.get("orderid")
    return {
        "attempt": first.get("attempt"), "time": first.get("time"),
        "finished": last.get("time"), "user": first.get("user"),
        "analyst": first.get("analyst"), "host": first.get("host"),
        "action": first.get("action"), "orderid": orderid,
        "outcome": last.get("outcome", "unknown"),
        "sent": last.get("sent") if end else None,
        "message": last.get("message") if end else _NO_END,
        "duration_ms": last.get("duration_ms"), "error": last.get("error"),
        "params": dict(first.get("params") or {}),
    }


def _attempt_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    phases: dict[str, dict[str, Mapping[str, Any]]] = {}
    for record in records:  # dicts keep first-seen order: attempts in the order begun
        slot = "start" if record.get("phase") == "start" else "end"
        phases.setdefault(str(record["attempt"]), {})[slot] = record
    return [_attempt_row(p.get("start"), p.get("end")) for p in phases.values()]


AUDIT_LOG_ENV = "WHMCS_FRAMES_AUDIT_LOG"


def default_audit_log_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Where write attempts are logged: argument, else env, else the user's data dir.

    Examples
    --------
    >>> default_audit_log_path("/tmp/audit.jsonl")
    PosixPath('/tmp/audit.jsonl')
    """
    if explicit is not None:
        return Path(explicit).expanduser()
    from_env = os.environ.get(AUDIT_LOG_ENV, "").strip()
    if from_env:
        return Path(from_env).expanduser()
    return Path(platformdirs.user_data_dir("whmcs-frames", appauthor=False)) / "audit.jsonl"


def read_audit_log(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The audit log as a DataFrame, one row per write attempt.

    An attempt's start and final records are merged on their attempt id; an attempt
    with no final record (the process died, or it is still running) has outcome
    ``"unknown"``.

    Parameters
    ----------
    path : path, optional
        The log; default ``WHMCS_FRAMES_AUDIT_LOG``, else the user's data directory
        (the same place :func:`whmcs_frames.connect` logs to).

    Returns
    -------
    pandas.DataFrame
        Columns ``attempt, time, finished`` (UTC), ``user, analyst, host, action,
        orderid`` (Int64), ``outcome`` (category: dry-run, success, error, unknown),
        ``sent`` (boolean), ``message, duration_ms, error`` and ``params`` (dicts, secrets
        shown as ``***``). Empty when the default log does not exist yet.

    Raises
    ------
    ConfigError
        When an explicitly named log does not exist.

    Examples
    --------
    >>> log = wf.read_audit_log()  # doctest: +SKIP
    >>> log[log.outcome == "success"].groupby("action", observed=True).size()  # doctest: +SKIP
    """
    if path is not None and not isinstance(path, str | os.PathLike):
        raise ConfigError(f"read_audit_log() wants the path of an audit log, got "
                          f"{type(path).__name__}")
    target = default_audit_log_path(path)
    if target.is_dir():
        raise ConfigError(f"{target} is a folder, not an audit log file")
    if not target.exists():
        if path is not None:
            raise ConfigError(f"no audit log at {target}")
        return audit_log_frame([])
    return audit_log_frame(_attempt_rows(read_records(target)))
