"""PHP wire formats: flattening, serialize and the safe unserialize."""

from __future__ import annotations

import base64

import pytest

from whmcs_frames import ResponseFormatError, ValidationError
from whmcs_frames._api.php import (
    encode_serialized,
    flatten_params,
    parse_form_pairs,
    php_serialize,
    php_unserialize,
)


def test_lists_become_indexed_keys_and_none_is_dropped():
    assert flatten_params({"pid": [1, 5], "promocode": None, "noemail": True}) == [
        ("pid[0]", "1"), ("pid[1]", "5"), ("noemail", "1")]


def test_maps_and_nesting_flatten_like_php_forms():
    pairs = flatten_params({"domainrenewals": {"example.com": 2, "b.org": 1},
                            "x": [{"a": False}, {"b": [7]}]})
    assert pairs == [("domainrenewals[example.com]", "2"), ("domainrenewals[b.org]", "1"),
                     ("x[0][a]", "0"), ("x[1][b][0]", "7")]


def test_none_inside_a_list_keeps_the_other_indexes():
    # Parallel arrays rely on indexes, so a gap must not renumber the rest.
    assert flatten_params({"hostname": ["a", None, "c"]}) == [
        ("hostname[0]", "a"), ("hostname[2]", "c")]


def test_unsupported_value_type_names_the_parameter():
    with pytest.raises(ValidationError, match=r"^when: expected"):
        flatten_params({"when": object()})


def test_form_pairs_round_trip_into_php_arrays():
    pairs = flatten_params({"pid": [1, 5], "domainrenewals": {"a.com": 2}, "clientid": 3})
    assert parse_form_pairs(pairs) == {"pid": {"0": "1", "1": "5"},
                                       "domainrenewals": {"a.com": "2"}, "clientid": "3"}


def test_repeated_plain_key_keeps_only_the_last_as_php_does():
    assert parse_form_pairs([("pid", "1"), ("pid", "2")]) == {"pid": "2"}
    assert parse_form_pairs([("a[]", "x"), ("a[]", "y")]) == {"a": {"0": "x", "1": "y"}}


def test_serialize_counts_utf8_bytes_not_characters():
    assert php_serialize({5: "abc"}) == 'a:1:{i:5;s:3:"abc";}'
    assert php_serialize("Zoë") == 's:4:"Zoë";'
    assert php_serialize("日本") == 's:6:"日本";'


def test_serialize_scalars_lists_and_numeric_string_keys():
    assert php_serialize([True, None, 1.5, -3]) == "a:4:{i:0;b:1;i:1;N;i:2;d:1.5;i:3;i:-3;}"
    assert php_serialize({"7": "x", "07": "y"}) == 'a:2:{i:7;s:1:"x";s:2:"07";s:1:"y";}'


def test_encode_serialized_is_base64_of_serialize_with_multibyte_text():
    encoded = encode_serialized({12: "Müller & Søn"})
    assert base64.b64decode(encoded).decode("utf-8") == 'a:1:{i:12;s:14:"Müller & Søn";}'


@pytest.mark.parametrize("value", [
    {5: "abc"}, ["a", "b"], {"name": "Zoë 日本", "n": 3, "f": 2.25, "ok": False, "none": None},
    {"nested": {"k": [1, 2, {"deep": "é"}]}},
])
def test_unserialize_inverts_serialize(value):
    assert php_unserialize(php_serialize(value)) == value


def test_unserialize_accepts_bytes_and_latin1_strings():
    assert php_unserialize(b's:3:"caf";') == "caf"
    assert php_unserialize(b's:4:"caf\xe9";') == "caf\xe9"


@pytest.mark.parametrize("bad", [
    'O:8:"stdClass":0:{}',                 # objects are never built
    'C:3:"Foo":0:{}',
    'a:1:{i:0;R:1;}',                      # references
    's:10:"short";',                       # length longer than the data
    'a:2:{i:0;s:1:"a";}',                  # fewer items than declared
    'i:12',                                # no terminator
    'b:2;',
    's:3:"abc";junk',                      # trailing data
    "",
])
def test_unserialize_rejects_malformed_or_dangerous_input(bad):
    with pytest.raises(ResponseFormatError, match="malformed PHP serialized data"):
        php_unserialize(bad)


def test_unserialize_refuses_absurd_nesting():
    deep = "a:1:{i:0;" * 100 + "N;" + "}" * 100
    with pytest.raises(ResponseFormatError, match="too deep"):
        php_unserialize(deep)
