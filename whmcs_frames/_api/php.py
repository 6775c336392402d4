"""PHP wire formats: form-array flattening and ``serialize``/``unserialize``.

WHMCS is PHP, so its API reads arrays from bracketed form keys (``pid[0]=1``) and
several parameters carry ``base64(serialize(map))``. Both directions live here so the
client and the sandbox server agree on one implementation.

Example
-------
>>> flatten_params({"pid": [1, 5], "noemail": True, "skip": None})
[('pid[0]', '1'), ('pid[1]', '5'), ('noemail', '1')]
>>> php_serialize({5: "abc"})
'a:1:{i:5;s:3:"abc";}'
>>> php_unserialize('a:1:{i:5;s:3:"abc";}')
{5: 'abc'}
"""

from __future__ import annotations

import base64
import math
import numbers
import re
from collections.abc import Iterable, Mapping
from typing import Any

from .._exceptions import ResponseFormatError, ValidationError
from .secrets import Secret

__all__ = [
    "check_array_key",
    "check_param_name",
    "encode_serialized",
    "flatten_params",
    "parse_form_pairs",
    "php_serialize",
    "php_unserialize",
]

Scalar = str | int | float | bool


#: The parameter names PHP leaves as they are. PHP strips leading whitespace, cuts a
#: name at NUL, reads ``[``/``]`` as array syntax and turns ``.`` and spaces into
#: ``_``: ``" action"`` or ``"action\0"`` would arrive as ``action``.
_NAME_RE = re.compile(r"[A-Za-z0-9_]+")
_KEY_BAD = re.compile(r"[\[\]\x00]")


def check_param_name(name: Any) -> str:
    """``name`` if PHP reads it back unchanged as a top-level parameter name.

    Examples
    --------
    >>> check_param_name("limitnum")
    'limitnum'
    """
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise ValidationError(repr(name), "a parameter name of letters, digits and _ "
                              "(PHP rewrites any other)", got=name)
    return name


def check_array_key(name: str, key: Any) -> str:
    """An array key as text, if PHP keeps it whole inside ``name[...]``."""
    text = str(key)
    if (isinstance(key, bool) or not isinstance(key, numbers.Integral | str)
            or _KEY_BAD.search(text)):
        raise ValidationError(name, "array keys without [, ] or NUL (PHP would cut them)",
                              got=key)
    return text


def _form_scalar(key: str, value: Any) -> str | Secret:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and not math.isfinite(value):
        raise ValidationError(key, "a finite number", got=value)
    if isinstance(value, int | float | str | Secret):
        return value if isinstance(value, Secret) else str(value)
    raise ValidationError(
        key, "a string, number, boolean, list or mapping", got_text=f"a {type(value).__name__}"
    )


def flatten_params(params: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Flatten nested lists and mappings into PHP form keys.

    Lists become ``name[0]``, ``name[1]``…; mappings become ``name[key]``; nesting
    composes (``name[0][x]``). Booleans are sent as ``1``/``0`` and ``None`` values are
    dropped, so optional parameters can be passed through unconditionally.

    Parameters
    ----------
    params : Mapping[str, Any]
        Parameter names to values.

    Returns
    -------
    list of (str, str)
        Pairs in a stable order, ready for form encoding.

    Examples
    --------
    >>> flatten_params({"domainrenewals": {"example.com": 2}})
    [('domainrenewals[example.com]', '2')]
    """
    pairs: list[tuple[str, Any]] = []
    for name, value in params.items():
        _flatten_into(pairs, str(name), value)
    return pairs


def _flatten_into(pairs: list[tuple[str, Any]], key: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, Mapping):
        for sub, item in value.items():
            _flatten_into(pairs, f"{key}[{check_array_key(key, sub)}]", item)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _flatten_into(pairs, f"{key}[{index}]", item)
    else:
        pairs.append((key, _form_scalar(key, value)))


_KEY_RE = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


def parse_form_pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Rebuild PHP-style arrays from form pairs, as PHP fills ``$_POST``.

    ``pid[0]=1&pid[1]=2`` becomes ``{"pid": {"0": "1", "1": "2"}}`` — PHP arrays are
    ordered maps, so lists come back as dicts with string keys; a repeated plain key
    keeps only its last value, exactly the PHP behaviour that makes ``pid=1&pid=2``
    lose data. ``name[]`` appends.

    Examples
    --------
    >>> parse_form_pairs([("pid[0]", "1"), ("pid[1]", "5"), ("action", "AddOrder")])
    {'pid': {'0': '1', '1': '5'}, 'action': 'AddOrder'}
    """
    result: dict[str, Any] = {}
    for key, value in pairs:
        match = _KEY_RE.match(key)
        if not match:
            result[key] = value
            continue
        name, brackets = match.groups()
        parts = re.findall(r"\[([^\[\]]*)\]", brackets)
        _assign(result, [name, *parts], value)
    return result


def _assign(target: dict[str, Any], path: list[str], value: str) -> None:
    *parents, last = path
    node = target
    for part in parents:
        if part == "":
            part = str(len(node))
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[str(len(node)) if last == "" else last] = value


def php_serialize(value: Any) -> str:
    """Serialize str/int/float/bool/None, lists and mappings the way PHP does.

    String lengths are counted in UTF-8 bytes, as PHP counts them.

    Examples
    --------
    >>> php_serialize({"name": "Zoë", "n": [1, True]})
    'a:2:{s:4:"name";s:4:"Zoë";s:1:"n";a:2:{i:0;i:1;i:1;b:1;}}'
    """
    if value is None:
        return "N;"
    if isinstance(value, bool):
        return f"b:{int(value)};"
    if isinstance(value, int):
        return f"i:{value};"
    if isinstance(value, float):
        if not math.isfinite(value):  # PHP's unserialize() rejects d:nan; / d:inf;
            raise ValidationError("value", "a finite number (PHP cannot read back "
                                  "NaN or infinity)", got=value)
        return f"d:{value!r};"
    if isinstance(value, str):
        return f's:{len(value.encode("utf-8"))}:"{value}";'
    if isinstance(value, list | tuple):
        value = dict(enumerate(value))
    if isinstance(value, Mapping):
        body = "".join(_serialize_key(k) + php_serialize(v) for k, v in value.items())
        return f"a:{len(value)}:{{{body}}}"
    raise ValidationError("value", "str, int, float, bool, None, list or mapping",
                          got_text=f"a {type(value).__name__}")


def _serialize_key(key: Any) -> str:
    # PHP turns decimal-integer string keys into int keys; mirror that so the
    # server sees field id 5 whether the caller wrote 5 or "5".
    if isinstance(key, bool):
        return f"i:{int(key)};"
    if isinstance(key, int) or (isinstance(key, str) and re.fullmatch(r"-?[1-9]\d*|0", key)):
        return f"i:{int(key)};"
    if isinstance(key, str):
        return php_serialize(key)
    raise ValidationError("key", "an int or str array key", got_text=f"a {type(key).__name__}")


def encode_serialized(mapping: Mapping[Any, Scalar]) -> str:
    """``base64(serialize(mapping))``, the form of ``customfields``/``configoptions``.

    Examples
    --------
    >>> encode_serialized({5: "abc"})
    'YToxOntpOjU7czozOiJhYmMiO30='
    """
    return base64.b64encode(php_serialize(dict(mapping)).encode("utf-8")).decode("ascii")


class _Reader:
    """A cursor over serialized bytes; it only ever builds plain Python values."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def fail(self, why: str) -> ResponseFormatError:
        return ResponseFormatError(f"malformed PHP serialized data at byte {self.pos}: {why}")

    def take_until(self, stop: bytes) -> bytes:
        end = self.data.find(stop, self.pos)
        if end < 0:
            raise self.fail(f"expected {stop.decode()!r}")
        chunk = self.data[self.pos:end]
        self.pos = end + len(stop)
        return chunk

    def expect(self, token: bytes) -> None:
        if self.data[self.pos:self.pos + len(token)] != token:
            raise self.fail(f"expected {token.decode()!r}")
        self.pos += len(token)

    def integer(self, stop: bytes) -> int:
        raw = self.take_until(stop)
        if not re.fullmatch(rb"[+-]?\d+", raw):
            raise self.fail(f"bad integer {raw[:20]!r}")
        return int(raw)

    def value(self, depth: int = 0) -> Any:
        if depth > 64:
            raise self.fail("nesting too deep")
        kind = self.data[self.pos:self.pos + 2]
        self.pos += 2
        if kind == b"N;":
            return None
        if kind == b"b:":
            flag = self.integer(b";")
            if flag not in (0, 1):
                raise self.fail("boolean must be 0 or 1")
            return bool(flag)
        if kind == b"i:":
            return self.integer(b";")
        if kind == b"d:":
            raw = self.take_until(b";").decode("ascii", "replace")
            try:
                return float(raw)
            except ValueError:
                raise self.fail(f"bad float {raw[:20]!r}") from None
        if kind == b"s:":
            return self.string()
        if kind == b"a:":
            return self.array(depth)
        raise self.fail(f"unsupported type {kind!r} (objects are never unserialized)")

    def string(self) -> str:
        length = self.integer(b":")
        self.expect(b'"')
        raw = self.data[self.pos:self.pos + length]
        if length < 0 or len(raw) != length:
            raise self.fail("string shorter than its declared length")
        self.pos += length
        self.expect(b'";')
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("latin-1")

    def array(self, depth: int) -> dict[Any, Any]:
        count = self.integer(b":")
        self.expect(b"{")
        out: dict[Any, Any] = {}
        for _ in range(count):
            key = self.value(depth + 1)
            if not isinstance(key, int | str):
                raise self.fail("array keys must be int or string")
            out[key] = self.value(depth + 1)
        self.expect(b"}")
        return out


def php_unserialize(text: str | bytes) -> Any:
    """Parse PHP ``serialize`` output into dicts, lists, str, int, float, bool, None.

    Objects (``O:``/``C:``) and references are refused rather than built. An array
    whose keys are exactly ``0..n-1`` in order comes back as a list.

    Raises
    ------
    ResponseFormatError
        When the input is not well-formed serialized data.

    Examples
    --------
    >>> php_unserialize('a:2:{i:0;s:1:"a";i:1;s:1:"b";}')
    ['a', 'b']
    """
    data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    reader = _Reader(data)
    value = reader.value()
    if reader.pos != len(data):
        raise reader.fail("trailing data")
    return _lists_where_sequential(value)


def _lists_where_sequential(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    items = {k: _lists_where_sequential(v) for k, v in value.items()}
    if list(items) == list(range(len(items))) and items:
        return list(items.values())
    return items
