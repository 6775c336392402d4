"""Plain HTTP to a sandbox, without whmcs_frames' client: what a bare integration sends."""

from __future__ import annotations

import json
import re
from typing import Any

import requests

from whmcs_frames._api.php import flatten_params
from whmcs_frames._api.transport import _PHP_DIAGNOSTICS
from whmcs_frames.frames._dtypes import money_text
from whmcs_frames.sandbox._common import stringify

#: WHMCS's double-wrapped lists: outer key -> inner key.
WRAPPERS = {"orders": "order", "lineitems": "lineitem", "products": "product",
            "promotions": "promotion", "statuses": "status", "customfields": "customfield",
            "configoptions": "configoption", "options": "option"}

_PLAIN_MONEY = re.compile(r"^-?[0-9]+\.[0-9]{2}$")
_LIST_OF = {"getorders": "orders", "getproducts": "products", "getpromotions": "promotions",
            "getorderstatuses": "statuses"}


def raw_call(box: Any, action: str, *, timeout: float = 30, **params: Any) -> dict[str, Any]:
    """POST ``action`` to ``box`` with its API credentials; the decoded JSON answer."""
    data = flatten_params({"action": action, "identifier": box.identifier,
                           "secret": box.secret, "responsetype": "json", **params})
    with requests.post(box.url, data=data, timeout=timeout) as resp:
        assert resp.status_code == 200, resp.text[:300]
        return resp.json()


def tidy_call(box: Any, action: str, **params: Any) -> dict[str, Any]:
    """:func:`raw_call` made flavour-neutral: what a careful integration reads.

    PHP notices before the JSON are skipped, ``status`` becomes ``result``, a
    ``warning`` is dropped, every
    double-wrapped list is a list again (``""``, a missing top-level key or a lone
    object included) and every integer is a string, so one assertion holds for every
    flavour. Amounts formatted with their currency are read back to two decimals;
    other values (entities, zero dates) are left as sent.
    """
    data = flatten_params({"action": action, "identifier": box.identifier,
                           "secret": box.secret, "responsetype": "json", **params})
    with requests.post(box.url, data=data, timeout=30) as resp:
        assert resp.status_code == 200, resp.text[:300]
        text = resp.text
    notices = _PHP_DIAGNOSTICS.match(text)
    answer = json.loads(text[notices.end():] if notices else text)
    if "result" not in answer and answer.get("status") in ("success", "error"):
        answer["result"] = answer.pop("status")
    answer.pop("warning", None)  # logged by a careful client, not part of the answer
    listed = _LIST_OF.get(action.lower())
    if answer["result"] == "success" and listed:
        answer.setdefault(listed, "")  # an empty list's key may be missing
    return stringify(_relisted(answer))


def _relisted(value: Any) -> Any:
    if isinstance(value, list):
        return [_relisted(item) for item in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        inner = WRAPPERS.get(key)
        if inner is not None and item in ("", []):
            item = {inner: []}
        elif inner is not None and isinstance(item, dict) and isinstance(item.get(inner), dict):
            item = {inner: [item[inner]]}
        if key == "amount" and isinstance(item, str) and not _PLAIN_MONEY.match(item):
            item = f"{money_text(item):.2f}"
        out[key] = _relisted(item)
    return out
