"""Tests for :mod:`whmcs_frames.frames`: raw WHMCS records in, typed DataFrames out."""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from types import MappingProxyType

import pandas as pd
import pytest
from _billing_records import (
    make_cancellation,
    make_client,
    make_invoice,
    make_service,
    make_transaction,
)

from whmcs_frames import frames
from whmcs_frames._api.php import php_serialize
from whmcs_frames._exceptions import ResponseFormatError, ValidationError
from whmcs_frames.frames import (
    SCHEMAS,
    cancellations_frame,
    clients_frame,
    invoices_frame,
    order_lines_frame,
    order_statuses_frame,
    orders_frame,
    product_pricing_frame,
    products_frame,
    promotions_frame,
    service_history_frame,
    services_frame,
    transactions_frame,
    unwrap_list,
)
from whmcs_frames.frames._records import (
    AUDIT_OUTCOMES,
    BULK_OUTCOMES,
    audit_log_frame,
    bulk_outcomes_frame,
)

SECRET = "tr4nsf3r-S3CRET-9e1f"

# The FraudLabs Pro output from WHMCS's GetOrders documentation, trimmed.
FLP_OUTPUT = json.dumps({
    "is_country_match": "Y", "ip_country": "US", "ip_region": "Texas",
    "user_order_memo": "", "fraudlabspro_score": 14, "fraudlabspro_distribution": "57",
    "fraudlabspro_status": "APPROVE", "fraudlabspro_id": "20200923-SAMPLE",
    "fraudlabspro_credits": 496, "http_response_code": 200,
})


def make_order(**overrides):
    """A raw order as GetOrders sends it (strings for numbers, a transfer secret)."""
    order = {
        "id": "1", "ordernum": "7858259149", "userid": "1", "contactid": "0",
        "requestor_id": "1", "admin_requestor_id": "0", "date": "2020-09-23 13:59:35",
        "nameservers": "ns1.example.com,ns2.example.com", "transfersecret": SECRET,
        "renewals": "", "renewalsByType": {"domains": [], "services": [], "addons": []},
        "promocode": "", "promotype": "", "promovalue": "", "orderdata": "[]",
        "amount": "8.00", "paymentmethod": "stripe", "paymentmethodname": "Stripe",
        "paymentstatus": "Paid", "invoiceid": "1", "status": "Active",
        "ipaddress": "192.0.2.10", "fraudmodule": "fraudlabs", "fraudoutput": FLP_OUTPUT,
        "frauddata": "", "validationdata": "", "notes": "Sample Notes!",
        "name": "WHMCS Tester", "currencyprefix": "$", "currencysuffix": "USD",
        "lineitems": {"lineitem": [{
            "type": "product", "relid": 1, "producttype": "Other Product/Service",
            "product": "SSL Certificates - Rapid SSL", "domain": "sampledomain.com",
            "billingcycle": "One-Time", "amount": "8.00", "status": "Active"}]},
    }
    order.update(overrides)
    return order


def make_product(**overrides):
    product = {
        "pid": "1", "gid": "1", "type": "hostingaccount", "name": "Starter &amp; Mail",
        "slug": "starter", "product-url": "https://example.com/store/starter",
        "description": "Fast &quot;SSD&quot; hosting", "module": "cpanel",
        "paytype": "recurring", "allowqty": "0", "quantity_available": "0",
        "pricing": {"USD": {
            "prefix": "$", "suffix": " USD", "msetupfee": "1.00", "qsetupfee": "2.00",
            "ssetupfee": "3.00", "asetupfee": "4.00", "bsetupfee": "5.00",
            "tsetupfee": "6.00", "monthly": "5.00", "quarterly": "14.00",
            "semiannually": "-1.00", "annually": "50.00", "biennially": -1,
            "triennially": "-1.00"}},
        "customfields": {"customfield": [{"id": 3, "name": "Hostname", "required": ""}]},
        "configoptions": {"configoption": []},
    }
    product.update(overrides)
    return product


def make_promotion(**overrides):
    promotion = {
        "id": "4", "code": "SAVE10", "type": "Percentage", "recurring": "1",
        "value": "10.00", "cycles": "Monthly,Annually", "appliesto": "1,2,3",
        "requires": "", "requiresexisting": "0", "startdate": "2024-01-01",
        "expirationdate": "0000-00-00", "maxuses": "0", "uses": "7",
        "lifetimepromo": "1", "applyonce": "0", "newsignups": "on",
        "existingclient": "", "onceperclient": "true", "recurfor": "3", "upgrades": "0",
        "upgradeconfig": php_serialize({"value": "0.00", "type": "Percentage",
                                        "configoptions": [1, 2]}),
        "notes": "Spring &amp; summer",
    }
    promotion.update(overrides)
    return promotion


def dtypes_of(frame: pd.DataFrame) -> dict[str, str]:
    return {name: str(dtype) for name, dtype in frame.dtypes.items()}


CONVERTERS = {
    "orders": (orders_frame, make_order),
    "order_lines": (order_lines_frame, make_order),
    "products": (products_frame, make_product),
    "product_pricing": (product_pricing_frame, make_product),
    "promotions": (promotions_frame, make_promotion),
    "order_statuses": (order_statuses_frame, lambda: {"title": "Pending", "count": "3"}),
    "clients": (clients_frame, make_client),
    "services": (services_frame, make_service),
    "invoices": (invoices_frame, make_invoice),
    "transactions": (transactions_frame, make_transaction),
    "cancellations": (cancellations_frame, make_cancellation),
    "service_history": (service_history_frame, lambda: {
        "serviceid": "9", "status": "Cancelled", "recurringamount": "10.00",
        "seen_at": "2024-03-05 02:00:00"}),
    "audit_log": (audit_log_frame, lambda: {
        "attempt": "a1", "time": "2024-05-01T10:00:00.5+00:00", "finished": None,
        "user": "ann", "action": "AcceptOrder", "orderid": 7, "outcome": "success",
        "sent": True, "message": "Tom &amp; Jerry", "duration_ms": 12.5,
        "params": {"orderid": 7}}),
    "bulk_outcomes": (bulk_outcomes_frame, lambda: {
        "orderid": 7, "action": "AcceptOrder", "outcome": "skipped", "ok": False,
        "message": "not attempted", "error": None, "params": {}}),
}


# --- schemas ---------------------------------------------------------------------------

def test_every_frame_has_a_schema_and_a_converter():
    assert set(SCHEMAS) == set(CONVERTERS)


@pytest.mark.parametrize("name", sorted(CONVERTERS))
@pytest.mark.parametrize("empty", [[], None, "", iter(())])
def test_empty_input_gives_every_column_with_its_dtype(name, empty):
    convert, _ = CONVERTERS[name]
    frame = convert(empty)
    assert len(frame) == 0
    assert dtypes_of(frame) == SCHEMAS[name]


@pytest.mark.parametrize("name", sorted(CONVERTERS))
def test_full_frame_matches_its_schema(name):
    convert, make = CONVERTERS[name]
    frame = convert([make(), make()])
    assert len(frame) >= 2
    assert dtypes_of(frame) == SCHEMAS[name]
    assert isinstance(frame.index, pd.RangeIndex)


@pytest.mark.parametrize("name", sorted(CONVERTERS))
def test_records_missing_every_key_give_na_not_errors(name):
    convert, _ = CONVERTERS[name]
    frame = convert([{}])
    assert dtypes_of(frame) == SCHEMAS[name]


def test_our_own_records_keep_text_verbatim_times_in_utc_and_every_outcome():
    _, make = CONVERTERS["audit_log"]
    log = audit_log_frame([make(), {**make(), "outcome": "no such outcome", "time": "junk"}])
    assert log.loc[0, "message"] == "Tom &amp; Jerry"  # evidence is not unescaped
    assert str(log.loc[0, "time"]) == "2024-05-01 10:00:00.500000+00:00"
    assert pd.isna(log.loc[1, "time"]) and pd.isna(log.loc[1, "outcome"])
    assert list(log["outcome"].cat.categories) == list(AUDIT_OUTCOMES)
    assert log["params"].tolist() == [{"orderid": 7}] * 2
    runs = bulk_outcomes_frame([])
    assert list(runs["outcome"].cat.categories) == [*AUDIT_OUTCOMES, "skipped"]
    assert BULK_OUTCOMES[-1] == "skipped" and list(runs) == list(SCHEMAS["bulk_outcomes"])


def test_schema_dtypes_are_the_documented_kinds():
    orders = SCHEMAS["orders"]
    assert {orders[c] for c in ("id", "ordernum", "userid", "invoiceid", "n_items")} == {"Int64"}
    assert orders["amount"] == orders["fraud_score"] == "float64"
    assert orders["date"] == "datetime64[ns]"
    for column in ("status", "paymentmethod", "paymentstatus", "currency"):
        assert orders[column] == "category"
    assert orders["name"] == orders["notes"] == "string"
    # money sits beside its currency
    columns = list(orders)
    assert columns.index("currency") == columns.index("amount") + 1


# --- orders ----------------------------------------------------------------------------

def test_orders_frame_reads_the_documented_example():
    frame = orders_frame([make_order()])
    row = frame.iloc[0]
    assert row["id"] == 1 and row["ordernum"] == 7858259149 and row["invoiceid"] == 1
    assert row["amount"] == 8.0 and row["currency"] == "USD"
    assert row["date"] == pd.Timestamp("2020-09-23 13:59:35")
    assert row["status"] == "Active" and row["paymentstatus"] == "Paid"
    assert row["n_items"] == 1
    assert row["fraud_score"] == 14.0
    assert row["fraud_status"] == "APPROVE" and row["fraud_country"] == "US"


def test_numbers_arrive_as_numbers_or_strings():
    frame = orders_frame([make_order(id=5, amount=8, userid="12", invoiceid=0),
                          make_order(id="6", amount="9.50", userid=12, invoiceid="0")])
    assert frame["id"].tolist() == [5, 6]
    assert frame["amount"].tolist() == [8.0, 9.5]
    assert frame["userid"].tolist() == [12, 12]
    assert frame["invoiceid"].tolist() == [0, 0]


@pytest.mark.parametrize("raw", ["", None, "abc", "1.5", "99999999999999999999", [1], {}])
def test_unreadable_ids_become_na(raw):
    frame = orders_frame([make_order(userid=raw)])
    assert frame["userid"].isna().all()
    assert str(frame["userid"].dtype) == "Int64"


def test_integral_float_ids_are_kept():
    assert orders_frame([make_order(userid="7.0")])["userid"].tolist() == [7]


@pytest.mark.parametrize("raw", ["", None, "n/a", {"x": 1}])
def test_unreadable_money_becomes_nan(raw):
    frame = orders_frame([make_order(amount=raw, promovalue=raw)])
    assert math.isnan(frame.at[0, "amount"]) and math.isnan(frame.at[0, "promovalue"])


@pytest.mark.parametrize("raw", ["0000-00-00 00:00:00", "0000-00-00", "", None, "garbage",
                                 20200923, "9999-12-31 00:00:00"])
def test_empty_or_unreadable_dates_are_nat(raw):
    frame = orders_frame([make_order(date=raw)])
    assert frame["date"].isna().all()
    assert str(frame["date"].dtype) == "datetime64[ns]"


def test_dates_mixing_formats_and_offsets_do_not_raise():
    frame = orders_frame([make_order(date="2024-01-02 03:04:05"),
                          make_order(date="2024-01-02"),
                          make_order(date="2024-01-02T03:04:05+02:00")])
    # WHMCS's zone-less local time is kept; an explicit offset is converted to UTC.
    assert frame["date"].tolist() == [pd.Timestamp("2024-01-02 03:04:05"),
                                      pd.Timestamp("2024-01-02"),
                                      pd.Timestamp("2024-01-02 01:04:05")]
    assert str(frame["date"].dtype) == "datetime64[ns]"


def test_missing_keys_become_na():
    frame = orders_frame([{"id": "1"}])
    row = frame.iloc[0]
    assert row["id"] == 1
    for column in ("userid", "amount", "date", "status", "currency", "name", "fraud_score"):
        assert pd.isna(row[column]), column
    assert row["n_items"] == 0


def test_html_entities_are_unescaped_in_text():
    frame = orders_frame([make_order(name="Tom &amp; Jerry",
                                     notes="O&#039;Brien said &quot;hi&quot;",
                                     paymentmethodname="Bank &amp; Wire")])
    assert frame.at[0, "name"] == "Tom & Jerry"
    assert frame.at[0, "notes"] == "O'Brien said \"hi\""
    assert frame.at[0, "paymentmethodname"] == "Bank & Wire"


def test_empty_text_is_missing_and_numbers_are_stringified():
    frame = orders_frame([make_order(notes="", name=123, promocode=""),
                          make_order(notes="x", name="&amp;", promocode="SAVE")])
    assert frame.at[0, "notes"] is pd.NA and frame.at[0, "name"] == "123"
    assert frame["promocode"].value_counts().to_dict() == {"SAVE": 1}
    assert frame.at[1, "name"] == "&"


def test_status_categories_come_from_the_data():
    statuses = ["Active", "Pending", "Awaiting Review", "Fraud", "Pending"]
    frame = orders_frame([make_order(id=str(i), status=s) for i, s in enumerate(statuses)])
    assert isinstance(frame["status"].dtype, pd.CategoricalDtype)
    assert sorted(frame["status"].cat.categories) == sorted(set(statuses))
    assert frame["status"].tolist() == statuses


def test_categorical_text_is_unescaped_and_empty_is_na():
    frame = orders_frame([make_order(status="On Hold &amp; Review", paymentstatus="")])
    assert frame.at[0, "status"] == "On Hold & Review"
    assert pd.isna(frame.at[0, "paymentstatus"])


@pytest.mark.parametrize(("prefix", "suffix", "expected"), [
    ("$", "USD", "USD"), ("$", " USD", "USD"), ("$", " CAD", "CAD"), ("R$", " BRL", "BRL"),
    ("", " lei", "RON"), ("", " sek", None),
    ("$", "", "USD"), ("€", "", "EUR"), ("", " €", "EUR"), ("&euro;", "", "EUR"),
    ("£", "", "GBP"), ("&pound;", None, "GBP"), ("¥", "", "JPY"), ("₹", "", "INR"),
    ("EUR ", "", "EUR"), ("kr", "", None), ("", "", None), (None, None, None),
    ("?", "Dollars", None),
])
def test_currency_is_derived_from_prefix_and_suffix(prefix, suffix, expected):
    frame = orders_frame([make_order(currencyprefix=prefix, currencysuffix=suffix)])
    value = frame.at[0, "currency"]
    assert (pd.isna(value) if expected is None else value == expected)


def test_currency_mixes_per_order():
    frame = orders_frame([make_order(currencyprefix="$", currencysuffix=" USD"),
                          make_order(currencyprefix="€", currencysuffix=""),
                          make_order(currencyprefix="£", currencysuffix=" GBP")])
    assert frame["currency"].tolist() == ["USD", "EUR", "GBP"]
    assert frame["currencyprefix"].tolist() == ["$", "€", "£"]


def test_raw_blobs_and_the_transfer_secret_are_not_columns():
    frame = orders_frame([make_order()])
    for column in ("transfersecret", "fraudoutput", "frauddata", "validationdata",
                   "orderdata", "renewalsByType", "lineitems"):
        assert column not in frame.columns


@pytest.mark.parametrize("converter", [orders_frame, order_lines_frame])
def test_no_transfer_secret_value_reaches_a_frame(converter):
    orders = [make_order(), make_order(id="2", transfersecret={"example.com": SECRET}),
              make_order(id="3", transfersecret=[SECRET])]
    frame = converter(orders)
    text = frame.astype(object).to_string()
    assert SECRET not in text
    assert "transfersecret" not in frame.columns


def test_n_items_counts_line_items_in_every_shape():
    item = {"type": "product", "amount": "1.00"}
    frame = orders_frame([
        make_order(lineitems={"lineitem": [item, item, item]}),
        make_order(lineitems={"lineitem": item}),
        make_order(lineitems={"lineitem": []}),
        make_order(lineitems=""),
        make_order(lineitems=[]),
        make_order(lineitems=None),
    ])
    assert frame["n_items"].tolist() == [3, 1, 0, 0, 0, 0]


def test_converters_accept_wrapped_lists_and_iterators():
    wrapped = {"order": [make_order(), make_order(id="2")]}
    assert orders_frame(wrapped)["id"].tolist() == [1, 2]
    assert orders_frame(o for o in [make_order()])["id"].tolist() == [1]
    assert orders_frame({"order": make_order(id="9")})["id"].tolist() == [9]


def test_records_may_be_any_mapping():
    frame = orders_frame([OrderedDict(make_order()), MappingProxyType(make_order(id="2"))])
    assert frame["id"].tolist() == [1, 2] and frame["n_items"].tolist() == [1, 1]


def test_line_items_in_an_unknown_shape_are_loud():
    with pytest.raises(ResponseFormatError):
        orders_frame([make_order(lineitems=5)])


@pytest.mark.parametrize("records", [[1], ["order"], [None], [make_order(), 5]])
def test_records_that_are_not_mappings_are_refused(records):
    with pytest.raises(ValidationError):
        orders_frame(records)


# --- fraud output ----------------------------------------------------------------------

@pytest.mark.parametrize(("module", "output", "expected"), [
    ("fraudlabs", FLP_OUTPUT, (14.0, "APPROVE", "US")),
    ("FraudLabsPro", json.dumps({"fraudlabspro_score": "72", "fraudlabspro_status": "REJECT",
                                 "ip_country": "NG"}), (72.0, "REJECT", "NG")),
    ("fraudlabs", json.dumps({"fraudlabspro_score": 5, "fraudlabspro_status": "REVIEW",
                              "ip_geolocation": {"country_code": "DE"}}), (5.0, "REVIEW", "DE")),
    ("maxmind", json.dumps({"risk_score": 0.87, "ip_address": {
        "risk": 0.5, "country": {"iso_code": "FR"}},
        "disposition": {"action": "accept"}}), (0.87, "accept", "FR")),
    ("maxmind", json.dumps({"riskScore": "12.5", "countryMatch": "Yes",
                            "countryCode": "GB"}), (12.5, None, "GB")),
    ("MaxMind", json.dumps({"riskScore": 3, "ip_country": "CA"}), (3.0, None, "CA")),
    ("", FLP_OUTPUT, (14.0, "APPROVE", "US")),  # module not recorded: known by its keys
    (None, FLP_OUTPUT, (14.0, "APPROVE", "US")),
    ("", json.dumps({"risk_score": 9.0}), (9.0, None, None)),
    ("fraudlabs", {"fraudlabspro_score": 3}, (3.0, None, None)),
])
def test_fraud_fields_are_parsed_from_known_modules(module, output, expected):
    frame = orders_frame([make_order(fraudmodule=module, fraudoutput=output)])
    score, status, country = frame.loc[0, ["fraud_score", "fraud_status", "fraud_country"]]
    assert score == pytest.approx(expected[0])
    assert (pd.isna(status) if expected[1] is None else status == expected[1])
    assert (pd.isna(country) if expected[2] is None else country == expected[2])


@pytest.mark.parametrize(("module", "output"), [
    ("fraudrecord", json.dumps({"score": 5, "fraudlabspro_score": 9, "risk_score": 3})),
    ("someothermodule", FLP_OUTPUT),
    ("fraudlabs", ""), ("fraudlabs", None), ("fraudlabs", "not json at all"),
    ("fraudlabs", '{"fraudlabspro_score": 12'), ("fraudlabs", "[]"), ("fraudlabs", "null"),
    ("fraudlabs", "123"), ("fraudlabs", '{"fraudlabspro_score": "abc"}'),
    ("fraudlabs", '{"fraudlabspro_score": {"nested": 1}}'), ("fraudlabs", "{" * 5000),
    ("maxmind", '{"risk_score": null}'), ("maxmind", '{"riskScore": true}'),
    ("maxmind", "a:1:{broken"), (42, FLP_OUTPUT),
    ("fraudlabs", '{"fraudlabspro_score": "NaN"}'), ("fraudlabs", 17),
])
def test_unknown_modules_and_garbage_give_nan_never_an_exception(module, output):
    frame = orders_frame([make_order(fraudmodule=module, fraudoutput=output)])
    assert math.isnan(frame.at[0, "fraud_score"])
    assert str(frame["fraud_score"].dtype) == "float64"


def test_fraud_output_missing_entirely():
    order = make_order()
    del order["fraudoutput"], order["fraudmodule"]
    frame = orders_frame([order])
    assert math.isnan(frame.at[0, "fraud_score"]) and pd.isna(frame.at[0, "fraud_status"])


FLAGS = ["fraud_proxy", "fraud_free_email", "fraud_country_match", "fraud_distance_km"]


@pytest.mark.parametrize(("module", "output", "expected"), [
    ("fraudlabs", FLP_OUTPUT, [None, None, True, None]),
    ("fraudlabs", json.dumps({"fraudlabspro_score": 80, "is_proxy_ip_address": "Y",
                              "is_free_email": "Y", "is_country_match": "N",
                              "distance_in_km": "6120.5"}), [True, True, False, 6120.5]),
    ("fraudlabs", json.dumps({"fraudlabspro_score": 5, "is_country_match": "NA",
                              "is_free_email": ""}), [None, None, None, None]),
    ("fraudlabs", json.dumps({"fraudlabspro_score": 5,  # v2 nests them, JSON booleans
                              "ip_geolocation": {"is_proxy": True},
                              "email_address": {"is_free": False},
                              "billing_address": {"is_ip_country_match": False,
                                                  "ip_distance_in_km": 812}}),
     [True, False, False, 812.0]),
    ("maxmind", json.dumps({"riskScore": "12.5", "anonymousProxy": "Yes", "freeMail": "No",
                            "countryMatch": "No", "distance": "4410"}),
     [True, False, False, 4410.0]),
    ("maxmind", json.dumps({"risk_score": 2, "ip_address": {"traits": {
        "is_anonymous": False}}, "email": {"is_free": True}, "billing_address": {
        "is_in_ip_country": True, "distance_to_ip_location": 3}}), [False, True, True, 3.0]),
    ("maxmind", json.dumps({"riskScore": 3, "distance": "-1"}), [None, None, None, None]),
    ("someothermodule", json.dumps({"is_proxy_ip_address": "Y"}), [None, None, None, None]),
])
def test_fraud_module_flags_are_parsed_and_na_when_not_reported(module, output, expected):
    frame = orders_frame([make_order(fraudmodule=module, fraudoutput=output)])
    assert [str(frame[c].dtype) for c in FLAGS] == ["boolean"] * 3 + ["float64"]
    got = [None if pd.isna(v) else v for v in frame.loc[0, FLAGS]]
    assert got == expected


# --- line items ------------------------------------------------------------------------

def test_order_lines_carry_orderid_and_currency():
    orders = [
        make_order(id="10", currencyprefix="€", currencysuffix=" EUR", lineitems={"lineitem": [
            {"type": "product", "relid": "5", "product": "VPS &amp; Backup", "amount": "4.50",
             "status": "Active", "billingcycle": "Monthly"},
            {"type": "domain", "relid": 6, "domain": "example.org", "amount": 12,
             "status": "Pending"}]}),
        make_order(id="11", currencyprefix="$", currencysuffix=" USD",
                   lineitems={"lineitem": {"type": "addon", "amount": "1.00",
                                           "status": "Awaiting Setup"}}),
        make_order(id="12", lineitems=""),
    ]
    lines = order_lines_frame(orders)
    assert lines["orderid"].tolist() == [10, 10, 11]
    assert lines["currency"].tolist() == ["EUR", "EUR", "USD"]
    assert lines["amount"].tolist() == [4.5, 12.0, 1.0]
    assert lines["relid"].tolist()[:2] == [5, 6]
    assert lines.at[0, "product"] == "VPS & Backup"
    assert sorted(lines["status"].cat.categories) == ["Active", "Awaiting Setup", "Pending"]
    assert pd.isna(lines.at[1, "billingcycle"])
    assert list(lines.columns) == list(SCHEMAS["order_lines"])


def test_order_lines_match_n_items():
    orders = [make_order(id=str(i), lineitems={"lineitem": [{"type": "product"}] * (i % 4)})
              for i in range(1, 30)]
    assert order_lines_frame(orders)["orderid"].value_counts().sum() == \
        orders_frame(orders)["n_items"].sum()


def test_order_lines_with_gaps_in_php_keys():
    order = make_order(lineitems={"lineitem": {"0": {"type": "product"}, "2": {"type": "domain"}}})
    assert order_lines_frame([order])["type"].tolist() == ["product", "domain"]


def test_a_line_item_that_is_not_an_object_is_loud():
    with pytest.raises(ResponseFormatError):
        order_lines_frame([make_order(lineitems={"lineitem": ["product"]})])


# --- products and pricing --------------------------------------------------------------

def test_products_frame_columns():
    frame = products_frame([make_product(), make_product(
        pid=2, allowqty=1, customfields="",
        configoptions={"configoption": {"id": 1, "name": "RAM"}}, **{"product-url": None})])
    assert frame["pid"].tolist() == [1, 2]
    assert frame.at[0, "name"] == "Starter & Mail"
    assert frame.at[0, "description"] == 'Fast "SSD" hosting'
    assert frame.at[0, "product_url"] == "https://example.com/store/starter"
    assert pd.isna(frame.at[1, "product_url"])
    assert frame["allowqty"].tolist() == [False, True]
    assert frame["n_customfields"].tolist() == [1, 0]
    assert frame.at[0, "customfield_names"] == ["Hostname"]
    assert frame["n_configoptions"].tolist() == [0, 1]
    assert frame.at[1, "configoption_names"] == ["RAM"]


def test_pricing_skips_cycles_not_offered_and_maps_setup_fees():
    frame = product_pricing_frame([make_product()])
    assert frame["cycle"].tolist() == ["monthly", "quarterly", "annually"]
    assert frame["price"].tolist() == [5.0, 14.0, 50.0]
    assert frame["setup_fee"].tolist() == [1.0, 2.0, 4.0]
    assert frame["currency"].tolist() == ["USD"] * 3
    assert frame["pid"].tolist() == [1] * 3


def test_pricing_every_cycle_uses_its_own_setup_fee():
    block = {f"{c[0]}setupfee": str(i) for i, c in enumerate("mqsabt", start=1)}
    block.update({c: "10.00" for c in ("monthly", "quarterly", "semiannually", "annually",
                                       "biennially", "triennially")})
    frame = product_pricing_frame([make_product(pricing={"GBP": block})])
    assert dict(zip(frame["cycle"], frame["setup_fee"], strict=True)) == {
        "monthly": 1.0, "quarterly": 2.0, "semiannually": 3.0, "annually": 4.0,
        "biennially": 5.0, "triennially": 6.0}


def test_one_time_products_use_the_monthly_slot():
    product = make_product(paytype="onetime", pricing={
        "USD": {"monthly": "99.00", "msetupfee": "10.00", "annually": "-1.00"},
        "EUR": {"monthly": "-1.00", "msetupfee": "0.00"}})
    frame = product_pricing_frame([product])
    assert frame.values.tolist() == [[1, "USD", "onetime", 99.0, 10.0]]


def test_free_products_and_products_without_pricing():
    frame = product_pricing_frame([make_product(pid=3, paytype="free",
                                                pricing={"USD": {"monthly": "-1.00"}}),
                                   make_product(pid=4, pricing=[]),
                                   make_product(pid=5, pricing=None)])
    assert frame.values.tolist() == [[3, "USD", "free", 0.0, 0.0]]


def test_pricing_with_several_currencies_and_numeric_prices():
    product = make_product(pricing={
        "USD": {"monthly": 5, "msetupfee": 0, "annually": -1},
        "EUR": {"monthly": "4.50", "msetupfee": "", "annually": "45.00", "asetupfee": "0.00"}})
    frame = product_pricing_frame([product])
    assert frame[["currency", "cycle", "price"]].values.tolist() == [
        ["USD", "monthly", 5.0], ["EUR", "monthly", 4.5], ["EUR", "annually", 45.0]]
    assert math.isnan(frame.at[1, "setup_fee"])


# --- promotions ------------------------------------------------------------------------

def test_maxuses_zero_is_unlimited_not_the_smallest_limit():
    frame = promotions_frame([make_promotion(id=1, maxuses="0"),
                              make_promotion(id=2, maxuses="5")])
    assert frame["maxuses"].isna().tolist() == [True, False]
    assert frame.sort_values("maxuses")["id"].tolist() == [2, 1]  # NA sorts last

def test_promotions_frame_columns():
    row = promotions_frame([make_promotion()]).iloc[0]
    assert row["id"] == 4 and row["code"] == "SAVE10" and row["value"] == 10.0
    assert row["appliesto"] == [1, 2, 3] and row["requires"] == []
    assert row["startdate"] == pd.Timestamp("2024-01-01") and pd.isna(row["expirationdate"])
    assert row["maxuses"] is pd.NA and row["uses"] == 7 and row["recurfor"] == 3
    assert row["recurring"] and row["lifetimepromo"] and row["newsignups"]
    assert not row["existingclient"] and not row["applyonce"] and row["onceperclient"]
    assert row["upgradeconfig"] == {"value": "0.00", "type": "Percentage",
                                    "configoptions": [1, 2]}
    assert row["notes"] == "Spring & summer"


@pytest.mark.parametrize(("raw", "expected"), [
    ("1,2,3", [1, 2, 3]), ("", []), (" 4 , 5,", [4, 5]), ("7", [7]), (7, [7]),
    ([1, "2"], [1, 2]), ("1,abc,2", [1, 2]), (None, None),
])
def test_appliesto_and_requires_become_lists_of_ints(raw, expected):
    frame = promotions_frame([make_promotion(appliesto=raw, requires=raw)])
    assert frame.at[0, "appliesto"] == expected and frame.at[0, "requires"] == expected


def test_missing_appliesto_is_na():
    promotion = make_promotion()
    del promotion["appliesto"]
    assert promotions_frame([promotion]).at[0, "appliesto"] is None


@pytest.mark.parametrize("raw", ["a:1:{s:5:\"value\";", "not serialized", "", None,
                                 'O:8:"stdClass":0:{}', "a:1:{i:0;s:99:\"short\";}", 5])
def test_malformed_upgradeconfig_is_none(raw):
    assert promotions_frame([make_promotion(upgradeconfig=raw)]).at[0, "upgradeconfig"] is None


def test_entity_encoded_upgradeconfig_is_read():
    encoded = php_serialize({"type": "Fixed Amount"}).replace('"', "&quot;")
    frame = promotions_frame([make_promotion(upgradeconfig=encoded)])
    assert frame.at[0, "upgradeconfig"] == {"type": "Fixed Amount"}


@pytest.mark.parametrize(("raw", "expected"), [
    (1, True), (0, False), (True, True), (False, False), ("1", True), ("0", False),
    ("on", True), ("", False), ("true", True), ("false", False), ("TRUE", True),
    ("off", False), ("yes", True), ("no", False), (2, True), (None, None), ("maybe", None),
    ([1], None),
])
def test_flags_become_booleans(raw, expected):
    frame = promotions_frame([make_promotion(recurring=raw)])
    assert str(frame["recurring"].dtype) == "boolean"
    value = frame.at[0, "recurring"]
    assert (pd.isna(value) if expected is None else bool(value) is expected)


def test_promotion_dates_far_in_the_future_are_nat_not_errors():
    frame = promotions_frame([make_promotion(expirationdate="9999-12-31",
                                             startdate="0000-00-00")])
    assert frame[["startdate", "expirationdate"]].isna().all(axis=None)


# --- order statuses --------------------------------------------------------------------

def test_order_statuses_frame_keeps_custom_statuses():
    frame = order_statuses_frame({"status": [
        {"title": "Pending", "count": "4"}, {"title": "Active", "count": 10},
        {"title": "Awaiting &amp; Review", "count": ""}]})
    assert frame["title"].tolist() == ["Pending", "Active", "Awaiting & Review"]
    assert frame["count"].tolist()[:2] == [4, 10] and pd.isna(frame.at[2, "count"])


# --- unwrap_list -----------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    (None, []), ("", []), ("  ", []), ([], []), ({}, []), ({"order": []}, []),
    ({"order": ""}, []), ({"order": None}, []), ({"order": {}}, []),
    ({"order": {"id": "1"}}, [{"id": "1"}]),
    ({"order": [{"id": "1"}, {"id": "2"}]}, [{"id": "1"}, {"id": "2"}]),
    ({"order": {"0": {"id": "1"}, "5": {"id": "2"}}}, [{"id": "1"}, {"id": "2"}]),
    ({"order": {"10": {"id": "3"}, "9": {"id": "2"}}}, [{"id": "2"}, {"id": "3"}]),
    ([{"id": "1"}], [{"id": "1"}]),
    ({"id": "1"}, [{"id": "1"}]),
    (float("nan"), []),
])
def test_unwrap_list_every_shape(value, expected):
    assert unwrap_list(value, "order") == expected


def test_unwrap_list_returns_a_new_plain_list():
    inner = [{"id": "1"}]
    result = unwrap_list({"order": inner}, "order")
    assert type(result) is list and result == inner and result is not inner


@pytest.mark.parametrize("value", [5, "oops", {"order": 7}, {"order": "oops"}])
def test_unwrap_list_is_loud_about_other_shapes(value):
    with pytest.raises(ResponseFormatError):
        unwrap_list(value, "order")


# --- scale and purity ------------------------------------------------------------------

def test_columns_are_built_column_wise_for_many_orders():
    orders = [make_order(id=str(i), name="A &amp; B" if i % 3 else "Plain",
                         fraudoutput=FLP_OUTPUT if i % 4 == 0 else "")
              for i in range(2_000)]
    frame = orders_frame(orders)
    assert len(frame) == 2_000
    assert (frame["name"] == "A & B").sum() == sum(1 for i in range(2_000) if i % 3)
    assert frame["fraud_score"].notna().sum() == 500
    assert len(order_lines_frame(orders)) == 2_000


def test_converters_do_not_modify_their_input():
    orders = [make_order(name="Tom &amp; Jerry")]
    before = json.dumps(orders, sort_keys=True)
    orders_frame(orders)
    order_lines_frame(orders)
    assert json.dumps(orders, sort_keys=True) == before


def test_public_names():
    assert sorted(frames.__all__) == frames.__all__
    assert set(frames.__all__) == {
        "CREDENTIAL_FIELDS", "CYCLE_KEYS", "SCHEMAS", "cancellations_frame", "clients_frame",
        "cycle_key", "describe", "invoices_frame", "order_lines_frame", "order_statuses_frame",
        "orders_frame", "product_pricing_frame", "products_frame", "promotions_frame",
        "resolve_pids", "service_history_frame", "services_frame", "transactions_frame",
        "unwrap_list", "warn_unmatched_products"}


@pytest.mark.parametrize(("text", "expected"), [
    ("$1,234.50 USD", 1234.5), ("€1.234,50 EUR", 1234.5), ("£12.99 GBP", 12.99),
    ("1,234", 1234.0), ("1.234.567,89", 1234567.89), ("-£5.00", -5.0), ("$-5.00 USD", -5.0),
    ("$0.00 USD", 0.0), ("0.5", 0.5), ("10", 10.0)])
def test_money_text_reads_every_whmcs_money_format(text, expected):
    from whmcs_frames.frames._dtypes import money_text

    assert money_text(text) == expected


def test_formatted_line_item_amounts_are_read_not_lost():
    # Some WHMCS versions send line item amounts formatted with their currency.
    records = [{"id": "1", "amount": "1,250.00", "currencyprefix": "€",
                "currencysuffix": " EUR", "lineitems": {"lineitem": [
                    {"type": "product", "amount": "€1.234,50 EUR"},
                    {"type": "domain", "amount": "$10.00 USD"},
                    {"type": "addon", "amount": "4.00"}, {"type": "addon", "amount": ""}]}}]
    lines = frames.order_lines_frame(records)
    assert lines["amount"].tolist()[:3] == [1234.5, 10.0, 4.0]
    assert math.isnan(lines["amount"].iloc[3])
    assert frames.orders_frame(records).loc[0, "amount"] == 1250.0


@pytest.mark.parametrize(("name", "convert", "wrap"), [
    ("orders", orders_frame, lambda r: r),
    ("products", products_frame, lambda r: r),
    ("promotions", promotions_frame, lambda r: r),
    ("order_statuses", frames.order_statuses_frame, lambda r: r),
    ("order_lines", frames.order_lines_frame,
     lambda r: {"id": 1, "lineitems": {"lineitem": [r]}}),
])
def test_empty_text_is_na_in_every_frame(name, convert, wrap):
    record = {column: "" for column in frames.SCHEMAS[name]}
    frame = convert([wrap(record)])
    texts = [c for c, t in frames.SCHEMAS[name].items() if t in ("string", "category")]
    assert texts, name
    assert frame[texts].isna().all().all(), frame[texts].iloc[0].to_dict()


def test_describe_covers_every_column_of_every_frame():
    for name, schema in frames.SCHEMAS.items():
        table = frames.describe(name)
        assert table["column"].tolist() == list(schema)
        assert table["dtype"].tolist() == list(schema.values())
        assert table["meaning"].str.len().min() > 2 and table["source"].notna().all()
    everything = frames.describe()
    assert list(everything.columns) == ["frame", "column", "dtype", "meaning", "source"]
    assert len(everything) == sum(map(len, frames.SCHEMAS.values()))
    lines = frames.describe("order_lines").set_index("column")
    assert "GetProducts" in lines.at["pid", "source"]
    with pytest.raises(ValidationError, match="got 'order'"):
        frames.describe("order")
