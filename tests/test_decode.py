"""The one decoder for documents inside WHMCS text fields, and its three users."""

from __future__ import annotations

import base64
import math

import pytest

from whmcs_frames._api import decode
from whmcs_frames._api.decode import decode_text
from whmcs_frames._api.php import php_serialize
from whmcs_frames.actions._perform import fraud_results
from whmcs_frames.frames._fields import fraud_fields, unserialized_or_none


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


@pytest.mark.parametrize(("value", "options", "expected"), [
    ('a:1:{s:5:"score";d:1.5;}', {}, {"score": 1.5}),
    ('  {"score": 2}\n', {}, {"score": 2}),
    (_b64('a:1:{s:2:"ip";s:7:"1.2.3.4";}'), {"base64": True}, {"ip": "1.2.3.4"}),
    (_b64('{"a": [1, 2]}'), {"base64": True}, {"a": [1, 2]}),
    ('a:1:{s:1:&quot;a&quot;;s:4:&quot;Zoë&quot;;}', {"unescape": True}, {"a": "Zoë"}),
    ({"already": "decoded"}, {}, {"already": "decoded"}),
    ([1, 2], {}, [1, 2]),
])
def test_each_format_is_read(value, options, expected):
    assert decode_text(value, **options) == expected


@pytest.mark.parametrize("value", [
    None, "", "   ", 7, 1.5, True, "<html>", "a:1:{", '{"a": ', "a:1:{s:9:\"a\";i:1;}",
    "[" * 100_000,  # JSON nesting Python's parser cannot follow
    "1" * 5000,  # more digits than Python turns into an int
    'i:' + "9" * 5000 + ';',  # the same inside PHP serialize
    'O:8:"stdClass":0:{}',  # objects are never built
    _b64("\xff\xfe not utf-8".encode("latin-1").decode("latin-1")),
])
def test_anything_else_is_the_default(value):
    assert decode_text(value, base64=True, unescape=True, default="D") == "D"


def test_only_the_formats_asked_for_are_tried():
    assert decode_text('{"a": 1}', formats=("php",)) is None
    assert decode_text('a:0:{}', formats=("json",)) is None
    assert decode_text(_b64('{"a": 1}')) is None  # base64 only when asked


def test_a_bug_in_a_decoder_surfaces_instead_of_becoming_no_value(monkeypatch):
    def broken(text):
        raise TypeError("a bug, not bad data")

    monkeypatch.setitem(decode._DECODERS, "php", broken)
    with pytest.raises(TypeError, match="a bug"):
        decode_text("a:0:{}")
    with pytest.raises(TypeError, match="a bug"):
        fraud_fields("maxmind", "a:0:{}")
    with pytest.raises(TypeError, match="a bug"):
        unserialized_or_none("a:0:{}")


def test_fraud_results_keep_their_contract():
    details = {"riskScore": 12.5, "ip_country": "DE"}
    assert fraud_results(php_serialize(details)) == details
    assert fraud_results(_b64(php_serialize(details))) == details
    assert fraud_results("not a document") == "not a document"
    assert fraud_results("  ") is None and fraud_results(None) is None
    assert fraud_results(5) == 5


def test_fraud_fields_survive_what_php_and_json_can_hold():
    huge = "9" * 400  # an integer no float can hold
    assert math.isnan(fraud_fields("maxmind", '{"riskScore": ' + huge + "}")[0])
    assert math.isnan(fraud_fields("maxmind", 'a:1:{s:9:"riskScore";i:' + huge + ";}")[0])
    assert fraud_fields("fraudlabs", php_serialize({"fraudlabspro_score": "41",
                                                    "ip_country": "NL"}))[::2] == (41.0, "NL")
    assert math.isnan(fraud_fields("maxmind", "[" * 100_000)[0])


def test_upgrade_config_is_php_only_and_unescaped():
    assert unserialized_or_none('a:1:{s:5:&quot;value&quot;;s:1:&quot;5&quot;;}') == {
        "value": "5"}
    assert unserialized_or_none('{"value": "5"}') is None
    assert unserialized_or_none({"value": "5"}) == {"value": "5"}
