"""Clients, services, invoices, transactions and cancellations: typed, untidy-proof, and
the service password never in a frame."""

from __future__ import annotations

import io
import math

import pandas as pd
import pytest
from _billing_records import (
    CLIENT_EMAIL,
    SERVICE_PASSWORD,
    make_cancellation,
    make_client,
    make_invoice,
    make_service,
    make_transaction,
)

from whmcs_frames import frames, reports
from whmcs_frames._api.registry import is_secret_param, without_secrets
from whmcs_frames._exceptions import ValidationError
from whmcs_frames.frames import (
    CREDENTIAL_FIELDS,
    SCHEMAS,
    cancellations_frame,
    clients_frame,
    cycle_key,
    invoices_frame,
    services_frame,
    transactions_frame,
)


def everything_in(frame: pd.DataFrame) -> str:
    """Every way a frame leaves the notebook: repr, CSV, JSON and the raw values."""
    buffer = io.StringIO()
    frame.to_csv(buffer)
    return "\n".join([repr(frame), frame.to_string(), buffer.getvalue(),
                      frame.to_json(default_handler=str, date_format="iso"),
                      repr(frame.astype(object).to_numpy().tolist())])


# --- the service password ----------------------------------------------------------------

def test_the_service_password_never_reaches_a_frame():
    frame = services_frame([make_service(), make_service(id="2", password="x&amp;y")])
    dump = everything_in(frame)
    assert SERVICE_PASSWORD not in dump
    assert "annsmith" not in dump  # the service's login name goes with it
    assert not CREDENTIAL_FIELDS & set(frame.columns)
    assert "password" not in dump.lower()


def test_a_password_in_an_unexpected_shape_is_not_read_either():
    lone = {"product": make_service(password={"nested": SERVICE_PASSWORD})}
    frame = services_frame(lone)
    assert len(frame) == 1
    assert SERVICE_PASSWORD not in everything_in(frame)


def test_the_scrubber_knows_the_service_password_fields():
    assert is_secret_param("password") and is_secret_param("password2")
    assert is_secret_param("servicepassword") and is_secret_param("Password")
    kept = without_secrets(make_service())
    assert "password" not in kept and kept["id"] == "1"


def test_only_the_email_domain_of_a_client_is_kept():
    frame = clients_frame([make_client(), make_client(id="2", email="no-at-sign"),
                           make_client(id="3", email="")])
    assert CLIENT_EMAIL not in everything_in(frame)
    assert frame["email_domain"].astype(object).tolist()[0] == "mail.example.org"
    assert frame["email_domain"].isna().tolist() == [False, True, True]
    assert frame.at[0, "lastname"] == "Smith & Co"


# --- clients -----------------------------------------------------------------------------

def test_client_country_and_currency_come_from_the_details():
    details = [{"result": "success", "userid": 1, "address1": "1 Hidden Street",
                "client": {"id": 1, "countrycode": "DE", "currency_code": "EUR",
                           "address1": "1 Hidden Street", "phonenumber": "+49.301234567",
                           "email": CLIENT_EMAIL}},
               {"id": 2, "country": "GB", "currency_code": "GBP"}]  # the client object
    frame = clients_frame([make_client(), make_client(id="2"), make_client(id="3")],
                          details=details)
    assert frame["country"].astype(object).tolist()[:2] == ["DE", "GB"]
    assert frame["currency"].astype(object).tolist()[:2] == ["EUR", "GBP"]
    assert frame.loc[2, ["country", "currency"]].isna().all()  # no details for 3
    dump = everything_in(frame)
    assert "Hidden Street" not in dump and "301234567" not in dump and CLIENT_EMAIL not in dump


def test_without_details_country_and_currency_are_na():
    frame = clients_frame([make_client()])
    assert frame[["country", "currency"]].isna().all(axis=None)
    assert frame.at[0, "datecreated"] == pd.Timestamp("2024-01-10")


# --- services ----------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "key"), [
    ("Monthly", "monthly"), ("Quarterly", "quarterly"), ("Semi-Annually", "semiannually"),
    ("Annually", "annually"), ("Biennially", "biennially"), ("Triennially", "triennially"),
    ("One Time", "onetime"), ("One-Time", "onetime"), ("Free Account", "free"),
    ("Free", "free"), (" monthly ", "monthly"), ("Weekly", None), ("", None), (None, None)])
def test_billing_cycles_become_product_pricing_keys(raw, key):
    assert cycle_key(raw) == key


def test_the_cycle_keys_are_those_of_product_pricing():
    product = {"pid": 1, "paytype": "recurring", "pricing": {"USD": {
        c: "1.00" for c in ("monthly", "quarterly", "semiannually", "annually",
                            "biennially", "triennially")}}}
    offered = set(frames.product_pricing_frame([product])["cycle"])
    assert set(frames.CYCLE_KEYS) == offered | {"onetime", "free"}


def test_services_are_typed_and_joined_by_plain_ids():
    frame = services_frame([make_service(), make_service(
        id="2", clientid="7", orderid="", billingcycle="Annually", recurringamount="120",
        nextduedate="0000-00-00", firstpaymentamount="")])
    assert frame["userid"].tolist() == [1, 7]
    assert frame["cycle"].astype(object).tolist() == ["monthly", "annually"]
    assert frame["recurringamount"].tolist() == [10.0, 120.0]
    assert pd.isna(frame.at[1, "nextduedate"]) and pd.isna(frame.at[1, "orderid"])
    assert math.isnan(frame.at[1, "firstpaymentamount"])
    assert frame["currency"].isna().all()  # no orders given: not guessed


def test_service_currency_is_that_of_its_order():
    orders = frames.orders_frame([{"id": 1, "currencysuffix": "EUR"},
                                  {"id": 2, "currencyprefix": "£"}])
    frame = services_frame([make_service(), make_service(id="2", orderid="2"),
                            make_service(id="3", orderid="99")], orders=orders)
    assert frame["currency"].astype(object).tolist()[:2] == ["EUR", "GBP"]
    assert pd.isna(frame.at[2, "currency"])


def test_a_frame_without_the_join_columns_is_refused():
    with pytest.raises(ValidationError, match="orders"):
        services_frame([make_service()], orders=pd.DataFrame({"id": [1]}))


# --- invoices and transactions -----------------------------------------------------------

def test_invoices_keep_their_currency_and_unpaid_dates_are_nat():
    frame = invoices_frame({"invoice": [
        make_invoice(),
        make_invoice(id="2", status="Unpaid", datepaid="0000-00-00 00:00:00", total=12.5,
                     currencycode="", currencyprefix="€", currencysuffix="")]})
    assert frame["currency"].astype(object).tolist() == ["USD", "EUR"]
    assert frame["total"].tolist() == [10.0, 12.5]
    assert frame.at[0, "datepaid"] == pd.Timestamp("2024-01-12 09:30:00")
    assert pd.isna(frame.at[1, "datepaid"])


def test_transaction_currency_via_the_invoice_then_the_client():
    invoices = invoices_frame([make_invoice(id="1", currencycode="EUR")])
    clients = clients_frame([make_client(id="1"), make_client(id="2")],
                            details=[{"id": 1, "currency_code": "USD"},
                                     {"id": 2, "currency_code": "GBP"}])
    frame = transactions_frame([make_transaction(),  # invoice 1, client 1
                                make_transaction(id="2", invoiceid="0", userid="2"),
                                make_transaction(id="3", invoiceid="0", userid="9")],
                               invoices=invoices, clients=clients)
    assert frame["currency"].astype(object).tolist()[:2] == ["EUR", "GBP"]
    assert pd.isna(frame.at[2, "currency"])
    assert frame.loc[0, ["amountin", "fees", "amountout"]].tolist() == [10.0, 0.59, 0.0]
    assert frame.at[0, "transid"] == "ch_3Nabc"


def test_a_transaction_without_fees_has_nan_fees_and_cash_counts_them_as_zero():
    raw = make_transaction()
    del raw["fees"]
    frame = transactions_frame([raw], invoices=invoices_frame([make_invoice()]))
    assert math.isnan(frame.at[0, "fees"])
    assert reports.cash_by_month(frame)[["fees", "net"]].values.tolist() == [[0.0, 10.0]]


def test_transactions_alone_have_no_currency():
    assert transactions_frame([make_transaction()])["currency"].isna().all()


# --- cancellations and untidy shapes ------------------------------------------------------

def test_cancellations_name_the_service():
    frame = cancellations_frame({"package": make_cancellation(reason="Too &amp; slow")})
    assert frame.at[0, "serviceid"] == 1
    assert frame.at[0, "reason"] == "Too & slow"
    assert frame.at[0, "date"] == pd.Timestamp("2024-03-02 10:00:00")
    assert list(frame.columns) == list(SCHEMAS["cancellations"])


@pytest.mark.parametrize(("convert", "key", "make"), [
    (clients_frame, "client", make_client), (services_frame, "product", make_service),
    (invoices_frame, "invoice", make_invoice),
    (transactions_frame, "transaction", make_transaction),
    (cancellations_frame, "package", make_cancellation)])
def test_lone_objects_gapped_lists_and_empty_strings(convert, key, make):
    assert len(convert({key: make()})) == 1
    assert len(convert({key: {"0": make(), "2": make(id="2")}})) == 2
    assert len(convert({key: ""})) == 0
    assert len(convert("")) == 0
    with pytest.raises(ValidationError):
        convert([make(), "not a record"])


def test_numbers_as_numbers_or_strings_give_the_same_frame():
    as_text = invoices_frame([make_invoice()])
    as_numbers = invoices_frame([make_invoice(id=1, userid=1, subtotal=10, credit=0, tax=0,
                                              tax2=0, total=10.0)])
    pd.testing.assert_frame_equal(as_text, as_numbers)
