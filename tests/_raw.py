"""Plain HTTP to a sandbox, without whmcs_frames' client: what a bare integration sends."""

from __future__ import annotations

from typing import Any

import requests

from whmcs_frames._api.php import flatten_params


def raw_call(box: Any, action: str, *, timeout: float = 30, **params: Any) -> dict[str, Any]:
    """POST ``action`` to ``box`` with its API credentials; the decoded JSON answer."""
    data = flatten_params({"action": action, "identifier": box.identifier,
                           "secret": box.secret, "responsetype": "json", **params})
    with requests.post(box.url, data=data, timeout=timeout) as resp:
        assert resp.status_code == 200, resp.text[:300]
        return resp.json()
