"""Issue 13, secrets and input: echoed secrets, tracebacks with locals, secret-looking
parameter names, credentials in URLs, file permissions, bad configuration, CLI
arguments and export folders — each tried the way the audit broke it."""

from __future__ import annotations

import base64
import html
import logging
import os
import socket
import stat
import traceback
from urllib.parse import quote, quote_plus

import pytest
import responses
from _faultserver import FaultServer

import whmcs_frames as wf
from whmcs_frames._api.registry import is_secret_param
from whmcs_frames.actions._audit import read_audit_log
from whmcs_frames.cli import main

URL = "https://billing.example.com/includes/api.php"
IDENT, SECRET, ACCESS = "IDENT-hardening-1", "Sec/ret+key=&9", "ACCESS-hardening-7"
PW = "Tr0ub4dor&3+x/="
SPACED = "correct horse battery"


def remote(audit, url=URL, **kwargs):
    return wf.connect(url, identifier=IDENT, secret=SECRET, accesskey=ACCESS,
                      audit_log=audit, backoff_factor=0, retries=0, **kwargs)


def forms(value):
    """Every way a value we sent may be quoted back."""
    raw = value.encode()
    return {value, quote_plus(value), quote(value, safe=""), html.escape(value),
            quote_plus(value).lower(), base64.b64encode(raw).decode(),
            " ".join(value.split()).replace(" ", "\n  ")}


def leaks(text, *values):
    low = text.lower()
    return [f for v in values for f in forms(v) if f.lower() in low]


# -- 11. echoed secrets are scrubbed in every encoding we send -----------------------------

@pytest.mark.parametrize("echo", [quote_plus, lambda v: quote(v, safe=""), html.escape,
                                  lambda v: quote_plus(v).lower(), lambda v: v,
                                  lambda v: base64.b64encode(v.encode()).decode()])
def test_an_echoed_service_password_is_scrubbed_from_errors_and_audit(tmp_path, echo):
    audit = tmp_path / "audit.jsonl"
    with responses.RequestsMock() as mocked, remote(audit) as client:
        mocked.post(URL, json={"result": "error", "message": (
            f"WAF: blocked servicepassword={echo(PW)}&secret={echo(SECRET)}"
            f"&accesskey={echo(ACCESS)}")})
        with pytest.raises(wf.ApiError) as err:
            client.accept_order(5, servicepassword=PW, check=False)
    text = str(err.value) + repr(err.value) + audit.read_text()
    assert "WAF: blocked" in text and not leaks(text, PW, SECRET, ACCESS)


def test_a_secret_quoted_with_its_whitespace_changed_is_scrubbed(tmp_path):
    audit = tmp_path / "audit.jsonl"
    with responses.RequestsMock() as mocked, remote(audit) as client:
        mocked.post(URL, status=403, content_type="text/html", body=(
            "<html><p>Forbidden: rootpw=correct\n   horse&nbsp;battery "
            f"{html.escape(quote_plus(SPACED))}</p></html>"))
        with pytest.raises(wf.OutcomeUnknown) as err:
            client.call("AddOrder", clientid=1, paymentmethod="x", pid=[1],
                        rootpw=[SPACED])
    text = str(err.value) + audit.read_text()
    assert "Forbidden" in text
    for piece in ("correct horse", "horse battery", "correct+horse"):
        assert piece not in " ".join(text.split())


# -- 12. tracebacks with locals show no secret -------------------------------------------

def _all_locals(exc):
    shown = traceback.TracebackException.from_exception(exc, capture_locals=True)
    return "".join(shown.format())


def test_tracebacks_with_locals_show_no_credential_or_secret_parameter(tmp_path):
    with responses.RequestsMock() as mocked, remote(tmp_path / "a.jsonl") as client:
        mocked.post(URL, json={"result": "error", "message": "Module failed"})
        with pytest.raises(wf.ApiError) as err:
            client.accept_order(5, servicepassword=PW, check=False)
        with pytest.raises(wf.ApiError) as raw:
            client.call("AddOrder", clientid=1, paymentmethod="x", pid=[1],
                        rootpw=[SPACED], eppcode="EPP-code-55", password2="pass-two-66")
    for exc in (err.value, raw.value):
        text = _all_locals(exc)
        assert "servicepassword" in text or "rootpw" in text  # locals were captured
        assert not leaks(text, PW, SPACED, SECRET, ACCESS, IDENT, "EPP-code-55",
                         "pass-two-66")


def test_requests_and_urllib3_frames_hold_only_a_masked_body(tmp_path):
    with FaultServer("drop") as server, remote(tmp_path / "a.jsonl", server.url) as client, \
            pytest.raises(wf.OutcomeUnknown) as err:
        client.call("AcceptOrder", orderid=1, servicepassword=PW)
    inner = err.value.__context__  # the requests error, as an error reporter walks to it
    assert inner is not None
    text = _all_locals(inner)
    assert "<form body, secrets hidden>" in text
    assert not leaks(text, PW, SECRET, ACCESS, IDENT)


def test_a_config_error_traceback_with_locals_shows_no_credential():
    with pytest.raises(wf.ConfigError) as err:
        wf.connect("ftp://billing.example.com", identifier=IDENT, secret=SECRET,
                   accesskey=ACCESS)
    assert "resolve_settings" in _all_locals(err.value)
    assert not leaks(_all_locals(err.value), SECRET, ACCESS, IDENT)


def test_product_and_domain_hold_secrets_masked():
    product = wf.Product(1, "monthly", rootpw=PW)
    domain = wf.Domain("example.com", domaintype="transfer", eppcode="EPP-code-55")
    shown = repr(vars(product)) + repr(vars(domain)) + str(product.rootpw)
    assert PW not in shown and "EPP-code-55" not in shown
    assert product.rootpw == PW  # still the value where it is sent


# -- 13. anything whose name looks secret is treated as secret ----------------------------

@pytest.mark.parametrize("name", ["password2", "cardnum", "cvv", "cardcvv", "apikey",
                                  "token", "new_pass", "eppcode[0]", "PassPhrase",
                                  "clientsecret"])
def test_secret_looking_names_are_secret(name):
    assert is_secret_param(name)


def test_secret_looking_parameters_never_reach_the_debug_log_or_audit(tmp_path, caplog):
    caplog.set_level(logging.DEBUG, logger="whmcs_frames")
    audit = tmp_path / "audit.jsonl"
    # "9Z7", not "987": three digits can turn up in a timestamp or attempt id by chance.
    values = {"password2": "Pw2-clear-123", "cardnum": "4111111111111111",
              "cvv": "9Z7", "apitoken": "tok-clear-55"}
    with responses.RequestsMock() as mocked, remote(audit) as client:
        mocked.post(URL, json={"result": "success"})
        client.call("UpdateClient", clientid=1, **values)
        client.call("GetClientsDetails", clientid=1, password2="Pw2-clear-123")
    assert "UpdateClient" in caplog.text and "clientid" in caplog.text
    text = caplog.text + audit.read_text()
    assert not [v for v in values.values() if v in text]


# -- 14. credentials in URLs, audit log permissions, bundle permissions -------------------

def test_a_password_in_the_url_is_never_shown_but_is_used(tmp_path):
    url = "https://analyst:url-pw-7788@billing.example.com/"
    with responses.RequestsMock() as mocked, remote(tmp_path / "a.jsonl", url) as client:
        mocked.post(URL, json={"result": "success"})
        client.call("GetOrders")
        sent = mocked.calls[0].request.headers["Authorization"]
    shown = repr(client) + client.url + repr(client.settings) + str(client.settings.url)
    assert "url-pw-7788" not in shown and "analyst" not in shown
    assert sent == "Basic " + base64.b64encode(b"analyst:url-pw-7788").decode()
    with pytest.raises(wf.ConfigError) as err:
        remote(tmp_path / "a.jsonl", "ftp://analyst:url-pw-7788@billing.example.com/")
    assert "url-pw-7788" not in str(err.value)


def test_an_audit_log_others_can_read_is_warned_about(client, box, tmp_path):
    client.audit_log.write_text("")
    os.chmod(client.audit_log, 0o666)
    with pytest.warns(wf.AuditLogWarning, match="readable or writable by others"):
        client.fraud_order(1, dry_run=True)
    os.chmod(client.audit_log, 0o600)
    client.fraud_order(1, dry_run=True)  # no warning now (warnings are errors here)
    assert len(read_audit_log(client.audit_log)) == 2


def test_export_bundles_are_not_world_readable(client, tmp_path):
    old = os.umask(0o022)
    try:
        paths = wf.export_reports(client, tmp_path / "out", charts=False, progress=False)
    finally:
        os.umask(old)
    assert paths
    for path in [*paths, tmp_path / "out"]:
        assert stat.S_IMODE(path.stat().st_mode) & 0o007 == 0, path


# -- 15. bad configuration is a WhmcsError before anything happens ------------------------

@pytest.mark.parametrize("timeout", [float("nan"), float("inf"), None, "x", (1,), (1, 2, 3),
                                     (1, float("nan")), -1, 0, True])
def test_bad_timeouts_are_refused_at_connect(tmp_path, timeout):
    with pytest.raises(wf.ValidationError, match="timeout"):
        remote(tmp_path / "a.jsonl", timeout=timeout)


@pytest.mark.parametrize(("name", "value"), [("backoff_factor", "x"),
                                             ("backoff_factor", float("nan")),
                                             ("verify", 5), ("verify", "/no/such/ca.pem"),
                                             ("retries", "3"), ("workers", 0)])
def test_bad_settings_are_refused_at_connect(tmp_path, name, value):
    with pytest.raises(wf.ValidationError, match=name):
        wf.connect(URL, identifier=IDENT, secret=SECRET, audit_log=tmp_path / "a",
                   **{name: value})


def test_bad_credentials_types_are_config_errors():
    with pytest.raises(wf.ConfigError):
        wf.connect(URL, identifier=5, secret=SECRET)
    with pytest.raises(wf.ConfigError):
        wf.connect(12345, identifier=IDENT, secret=SECRET)


def test_read_audit_log_refuses_what_is_not_a_log(tmp_path):
    with pytest.raises(wf.ConfigError):
        wf.read_audit_log(123)
    with pytest.raises(wf.ConfigError):
        wf.read_audit_log(tmp_path)


@pytest.mark.parametrize("out_dir", [5, None, "", "   "])
def test_export_refuses_a_bad_folder(client, out_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(wf.ValidationError, match="out_dir"):
        wf.export_reports(client, out_dir, charts=False, progress=False)
    assert list(tmp_path.iterdir()) == []


# -- 16. the CLI answers bad arguments with one line --------------------------------------

def test_an_infinite_pause_is_refused_before_any_write(whmcs_env, capsys):
    box = whmcs_env
    ids = box.add_orders(2)
    assert main(["order", "fraud", *map(str, ids), "--pause", "inf", "--yes"]) == 2
    assert box.request_count() == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err and "argument --pause" in err  # refused when parsed


@pytest.mark.parametrize("args", [["--port", "70000"], ["--port", "-1"], ["--orders", "-1"],
                                  ["--latency-ms", "nan"], ["--latency-ms", "-5"]])
def test_bad_sandbox_arguments_are_usage_errors(args, capsys):
    assert main(["sandbox", *args]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "error" in err


def test_a_busy_port_is_one_line(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        code = main(["sandbox", "--port", str(taken.getsockname()[1]), "--orders", "5"])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("whmcs-frames: ") and len(err.splitlines()) == 1


# -- 17. export folder safety --------------------------------------------------------------

def test_cli_export_refuses_an_empty_out(whmcs_env, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["export", "--out", "", "--no-charts", "--no-progress"]) == 2
    assert not (tmp_path / "orders.csv").exists()
    assert "out_dir" in capsys.readouterr().err


def test_export_never_follows_a_planted_symlink(client, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (out / "orders.csv").symlink_to(victim)
    (out / "manifest.json").symlink_to(victim)
    wf.export_reports(client, out, charts=False, progress=False)
    assert victim.read_text() == "precious"
    assert not (out / "orders.csv").is_symlink() and (out / "orders.csv").stat().st_size > 0


def test_reusing_a_folder_removes_the_previous_bundle(client, tmp_path):
    out = tmp_path / "out"
    first = wf.export_reports(client, out, charts=True, progress=False)
    assert any(p.suffix == ".png" for p in first)
    (out / "notes.txt").write_text("mine")
    second = wf.export_reports(client, out, charts=False, progress=False)
    left = sorted(p.name for p in out.iterdir())
    assert left == sorted([p.name for p in second] + ["notes.txt"])
    assert not any(name.endswith(".png") for name in left)
