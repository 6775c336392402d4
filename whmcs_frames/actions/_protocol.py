"""What the write layer needs of a client, as a :class:`typing.Protocol`.

The actions sit below the :class:`~whmcs_frames.Client` facade, which binds them as
methods; typing them against this small protocol keeps the import graph pointing down.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from .._api.config import Settings

__all__ = ["Client"]


class Client(Protocol):
    """A connected client: one raw call, where to audit, and whom it talks to."""

    settings: Settings
    audit_log: Path

    @property
    def host(self) -> str:
        """The WHMCS host, for audit records."""
        ...

    def call(self, action: str, /, **params: Any) -> dict[str, Any]:
        """Send one API call and return WHMCS's answer (writes audited)."""
        ...

    def _send(self, action: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Send one API call as it is: the actions audit the writes they send."""
        ...
