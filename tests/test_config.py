"""connect(): environment, explicit arguments, half configuration, URL and TLS warnings."""

from __future__ import annotations

import hashlib
import warnings

import pytest

import whmcs_frames as wf
from whmcs_frames._api.config import resolve_settings

URL = "https://billing.example.com/includes/api.php"
ALL_VARS = ("WHMCS_API_URL", "WHMCS_API_IDENTIFIER", "WHMCS_API_SECRET", "WHMCS_API_ACCESSKEY",
            "WHMCS_API_USERNAME", "WHMCS_API_PASSWORD")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for var in ALL_VARS:
        monkeypatch.delenv(var, raising=False)


def test_env_identifier_and_secret(monkeypatch):
    monkeypatch.setenv("WHMCS_API_URL", URL)
    monkeypatch.setenv("WHMCS_API_IDENTIFIER", "ident-123456")
    monkeypatch.setenv("WHMCS_API_SECRET", "s3cr3t-value")
    monkeypatch.setenv("WHMCS_API_ACCESSKEY", "acc-key-999")
    with wf.connect() as client:
        assert client.url == URL
        assert dict(client.settings.auth) == {"identifier": "ident-123456",
                                              "secret": "s3cr3t-value",
                                              "accesskey": "acc-key-999"}


def test_env_admin_login_is_md5_hashed(monkeypatch):
    monkeypatch.setenv("WHMCS_API_URL", URL)
    monkeypatch.setenv("WHMCS_API_USERNAME", "admin")
    monkeypatch.setenv("WHMCS_API_PASSWORD", "pässword")
    with wf.connect() as client:
        assert client.settings.auth["password"] == hashlib.md5("pässword".encode()).hexdigest()
        assert client.settings.auth["username"] == "admin"


def test_explicit_arguments_win_over_env(monkeypatch):
    monkeypatch.setenv("WHMCS_API_URL", "https://other.example.org/includes/api.php")
    monkeypatch.setenv("WHMCS_API_USERNAME", "admin")
    monkeypatch.setenv("WHMCS_API_PASSWORD", "from-env")
    with wf.connect(URL, identifier="id-explicit", secret="sec-explicit") as client:
        assert client.url == URL
        # explicit API credentials are not mixed with the env's admin login
        assert dict(client.settings.auth) == {"identifier": "id-explicit",
                                              "secret": "sec-explicit"}


def test_nothing_configured_names_the_variables_and_the_sandbox():
    with pytest.raises(wf.ConfigError) as err:
        wf.connect()
    assert "WHMCS_API_URL" in str(err.value) and "wf.sandbox" in str(err.value)


@pytest.mark.parametrize(("given", "missing"), [
    ({"identifier": "abc"}, "WHMCS_API_SECRET"),
    ({"secret": "abc"}, "WHMCS_API_IDENTIFIER"),
    ({"username": "admin"}, "WHMCS_API_PASSWORD"),
    ({"password": "pw"}, "WHMCS_API_USERNAME"),
    ({}, "No WHMCS credentials"),
])
def test_half_configuration_names_what_is_missing(given, missing):
    with pytest.raises(wf.ConfigError, match=missing):
        wf.connect(URL, **given)


def test_half_configuration_from_env(monkeypatch):
    monkeypatch.setenv("WHMCS_API_URL", URL)
    monkeypatch.setenv("WHMCS_API_IDENTIFIER", "only-the-identifier")
    with pytest.raises(wf.ConfigError, match="WHMCS_API_SECRET is missing"):
        wf.connect()


@pytest.mark.parametrize(("given", "expected"), [
    ("https://billing.example.com", URL),
    ("https://billing.example.com/", URL),
    ("https://example.com/whmcs/includes/api.php", "https://example.com/whmcs/includes/api.php"),
    ("https://example.com:8443/billing", "https://example.com:8443/billing/includes/api.php"),
])
def test_base_urls_are_completed_to_the_api_path(given, expected):
    assert resolve_settings(given, identifier="i", secret="s", env={}).url == expected


@pytest.mark.parametrize("bad", ["billing.example.com", "ftp://x.example.com", "https://"])
def test_malformed_url_is_a_config_error(bad):
    with pytest.raises(wf.ConfigError, match="http"):
        wf.connect(bad, identifier="i", secret="s")


def test_plain_http_to_a_remote_host_warns_at_the_callers_line():
    with pytest.warns(wf.InsecureTransportWarning, match="plain http") as record:
        wf.connect("http://billing.example.com", identifier="i", secret="s").close()
    assert record[0].filename == __file__


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "127.5.5.5"])
def test_plain_http_to_loopback_is_quiet(host):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wf.connect(f"http://{host}:8080", identifier="i", secret="s").close()


def test_tls_verification_is_on_by_default_and_off_warns():
    assert resolve_settings(URL, identifier="i", secret="s", env={}).verify is True
    with pytest.warns(wf.InsecureTransportWarning, match="verification is off"):
        wf.connect(URL, identifier="i", secret="s", verify=False).close()


def test_timeouts_are_connect_read_pairs():
    assert resolve_settings(URL, identifier="i", secret="s", env={}, timeout=30).timeout == (
        10.0, 30.0)
    assert resolve_settings(URL, identifier="i", secret="s", env={}, timeout=(2, 5)).timeout == (
        2.0, 5.0)
    with pytest.raises(wf.ValidationError, match="^timeout: expected positive"):
        resolve_settings(URL, identifier="i", secret="s", env={}, timeout=0)


@pytest.mark.parametrize(("name", "value"), [("retries", -1), ("workers", 0), ("workers", 2.5),
                                             ("backoff_factor", -1.0)])
def test_bad_numeric_settings_name_the_parameter(name, value):
    with pytest.raises(wf.ValidationError, match=f"^{name}: expected"):
        resolve_settings(URL, identifier="i", secret="s", env={}, **{name: value})


def test_repr_masks_credentials():
    client = wf.connect(URL, identifier="IDENTIFIER-abcdef", secret="TOPSECRET-xyz",
                        accesskey="ACCESS-KEY-123")
    with client:
        shown = repr(client) + repr(client.settings)
    assert URL in shown
    for secret in ("IDENTIFIER-abcdef", "TOPSECRET-xyz", "ACCESS-KEY-123"):
        assert secret not in shown
    assert "IDE***" in shown


def test_audit_log_path_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("WHMCS_FRAMES_AUDIT_LOG", str(tmp_path / "env.jsonl"))
    with wf.connect(URL, identifier="i", secret="s") as client:
        assert client.audit_log == tmp_path / "env.jsonl"
    with wf.connect(URL, identifier="i", secret="s", audit_log=tmp_path / "arg.jsonl") as client:
        assert client.audit_log == tmp_path / "arg.jsonl"
    monkeypatch.delenv("WHMCS_FRAMES_AUDIT_LOG")
    with wf.connect(URL, identifier="i", secret="s") as client:
        assert client.audit_log.name == "audit.jsonl"
        assert "whmcs-frames" in str(client.audit_log)


def test_connect_or_sandbox_prefers_the_configured_whmcs(monkeypatch):
    monkeypatch.setenv("WHMCS_API_URL", URL)
    monkeypatch.setenv("WHMCS_API_IDENTIFIER", "ident")
    monkeypatch.setenv("WHMCS_API_SECRET", "secret")
    with wf.connect_or_sandbox() as client:
        assert client.url == URL and client.sandbox is None


def test_connect_or_sandbox_starts_a_sandbox_without_configuration(tmp_path):
    client = wf.connect_or_sandbox(orders=20, seed=3, audit_log=tmp_path / "a.jsonl")
    try:
        assert client.sandbox is not None and client.url == client.sandbox.url
        assert len(client.orders(progress=False)) == 20
    finally:
        client.close()
        client.sandbox.close()
