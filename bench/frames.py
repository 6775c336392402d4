"""Benchmark: ``orders_frame`` + ``order_lines_frame`` against ``json.loads`` of the payload.

Generates synthetic raw GetOrders records shaped like WHMCS's (numbers as strings or
numbers, 1-3 line items, ~30% with a FraudLabs Pro or MaxMind ``fraudoutput`` JSON string,
entity-encoded names, ``0000-00-00`` dates, a ``transfersecret``), serialises them, and in
one process times:

* baseline: ``json.loads(payload)``;
* ours: ``orders_frame(records)`` + ``order_lines_frame(records)``;

each best of ``--repeat`` runs. The ratio is baseline / ours: 1.0 or more means converting
is no slower than parsing the JSON. Peak memory of the conversion (tracemalloc, in a
separate untimed run) is reported relative to the traced size of the raw records.

Run: ``python bench/frames.py [--orders 100000] [--repeat 3] [--seed 7]``.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from whmcs_frames.frames import order_lines_frame, orders_frame

__all__ = ["main", "synthetic_orders"]

_STATUSES = ["Active"] * 6 + ["Pending"] * 3 + ["Fraud", "Cancelled", "Awaiting Setup"]
_GATEWAYS = [("stripe", "Stripe"), ("paypal", "PayPal"), ("banktransfer", "Bank Transfer")]
_CURRENCIES = [("$", " USD"), ("€", " EUR"), ("£", "GBP"), ("$", "")]
_NAMES = ["Ana Silva", "Tom &amp; Jerry Ltd", "O&#039;Brien Hosting", "Zoë Müller",
          "Li Wei", "&quot;Acme&quot; Inc", "Kofi Mensah", "Marie Dubois"]
_PRODUCTS = [("hostingaccount", "Shared Hosting &amp; Mail"), ("server", "VPS 2GB"),
             ("other", "SSL Certificates - Rapid SSL"), ("reselleraccount", "Reseller Pro")]
_CYCLES = ["Monthly", "Annually", "Quarterly", "One Time", "Biennially"]


def _fraudlabs(rng: random.Random, ordernum: int) -> str:
    doc: dict[str, Any] = {
        "is_country_match": "Y", "is_high_risk_country": "N",
        "distance_in_km": rng.uniform(0, 5000), "distance_in_mile": rng.uniform(0, 3000),
        "ip_country": rng.choice(["US", "DE", "GB", "NG", "BR"]), "ip_continent": "Europe",
        "ip_region": "Texas", "ip_city": "Houston", "ip_latitude": "29.8284",
        "ip_longitude": "-95.4696", "ip_timezone": "-04:00", "ip_elevation": "104",
        "ip_domain": "example.net", "ip_mobile_mnc": "NA", "ip_mobile_mcc": "NA",
        "ip_mobile_brand": "NA", "ip_netspeed": "DSL", "ip_isp_name": "Example ISP",
        "ip_usage_type": "Commercial", "is_free_email": rng.choice("YN"),
        "is_new_domain_name": "N", "is_domain_exists": "Y", "is_proxy_ip_address": "N",
        "is_bin_found": "NA", "is_bin_country_match": "NA", "is_bin_name_match": "NA",
        "is_bin_phone_match": "NA", "is_bin_prepaid": "NA", "is_address_ship_forward": "N",
        "is_bill_ship_city_match": "Y", "is_bill_ship_state_match": "Y",
        "is_bill_ship_country_match": "Y", "is_bill_ship_postal_match": "Y",
        "is_ship_address_blacklist": "N", "is_phone_blacklist": "N", "is_ip_blacklist": "N",
        "is_email_blacklist": "N", "is_credit_card_blacklist": "NA",
        "is_device_blacklist": "NA", "is_user_blacklist": "NA", "is_high_risk_username": "NA",
        "is_export_controlled_country": "NA", "is_malware_exploit": "NA",
        "user_order_id": str(ordernum), "user_order_memo": "",
        "fraudlabspro_score": rng.randint(1, 99), "fraudlabspro_distribution": "57",
        "fraudlabspro_status": rng.choice(["APPROVE", "REVIEW", "REJECT"]),
        "fraudlabspro_id": f"20240101-{ordernum}", "fraudlabspro_version": "1.5.1",
        "fraudlabspro_error_code": "", "fraudlabspro_message": "",
        "fraudlabspro_credits": rng.randint(0, 500), "http_response_code": 200,
    }
    return json.dumps(doc)


def _maxmind(rng: random.Random) -> str:
    return json.dumps({
        "id": "5bc5d6c2-b2c8-40af-87f4-6d61af86b6ae", "risk_score": round(rng.uniform(0.01, 99), 2),
        "funds_remaining": 25.0, "queries_remaining": 1666,
        "ip_address": {"risk": 0.01, "country": {"iso_code": rng.choice(["US", "FR", "IN"])}},
        "disposition": {"action": rng.choice(["accept", "manual_review", "reject"])},
    })


def _line_item(rng: random.Random) -> dict[str, Any]:
    kind, product = rng.choice(_PRODUCTS)
    return {
        "type": rng.choice(["product", "product", "domain", "addon"]),
        "relid": rng.randint(1, 500_000), "producttype": kind, "product": product,
        "domain": f"site{rng.randint(1, 99_999)}.example.com",
        "billingcycle": rng.choice(_CYCLES), "amount": f"{rng.uniform(1, 300):.2f}",
        "status": rng.choice(_STATUSES),
    }


def _order(rng: random.Random, oid: int) -> dict[str, Any]:
    ordernum = 1_000_000_000 + oid * 7
    gateway, gateway_name = rng.choice(_GATEWAYS)
    prefix, suffix = rng.choice(_CURRENCIES)
    fraud = rng.random()
    module, output = ("", "")
    if fraud < 0.25:
        module, output = "fraudlabs", _fraudlabs(rng, ordernum)
    elif fraud < 0.30:
        module, output = "maxmind", _maxmind(rng)
    as_text = rng.random() < 0.7  # most versions send numbers as strings
    items = [_line_item(rng) for _ in range(rng.randint(1, 3))]
    day = rng.randint(1, 28)
    return {
        "id": str(oid) if as_text else oid, "ordernum": ordernum,
        "userid": str(rng.randint(1, 20_000)), "contactid": 0, "requestor_id": "1",
        "admin_requestor_id": 0,
        "date": f"2024-{rng.randint(1, 12):02d}-{day:02d} 1{day % 10}:0{day % 6}:3{day % 10}",
        "nameservers": "ns1.example.com,ns2.example.com", "transfersecret": "",
        "renewals": "", "renewalsByType": {"domains": [], "services": [], "addons": []},
        "promocode": rng.choice(["", "", "", "SAVE10"]), "promotype": "", "promovalue": "",
        "orderdata": "[]", "amount": f"{sum(float(i['amount']) for i in items):.2f}",
        "paymentmethod": gateway, "paymentmethodname": gateway_name,
        "paymentstatus": rng.choice(["Paid", "Unpaid"]), "invoiceid": str(rng.randint(0, 900_000)),
        "status": rng.choice(_STATUSES), "ipaddress": f"203.0.113.{rng.randint(1, 254)}",
        "fraudmodule": module, "fraudoutput": output, "frauddata": "", "validationdata": "",
        "notes": rng.choice(["", "", "Customer asked for &quot;priority&quot; setup"]),
        "name": rng.choice(_NAMES), "currencyprefix": prefix, "currencysuffix": suffix,
        "lineitems": {"lineitem": items},
    }


def synthetic_orders(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` raw GetOrders records, newest first, reproducible from ``seed``.

    Examples
    --------
    >>> len(synthetic_orders(3)), sorted(synthetic_orders(1)[0])[:3]
    (3, ['admin_requestor_id', 'amount', 'contactid'])
    """
    rng = random.Random(seed)
    return [_order(rng, oid) for oid in range(n, 0, -1)]


def _best_of(repeat: int, func: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def _convert(records: list[dict[str, Any]]) -> None:
    orders_frame(records)
    order_lines_frame(records)


def _memory(payload: str) -> tuple[int, int]:
    """(traced size of the raw records, peak extra memory while converting them)."""
    gc.collect()
    tracemalloc.start()
    records = json.loads(payload)["orders"]["order"]
    raw_size = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    _convert(records)
    peak = tracemalloc.get_traced_memory()[1] - raw_size
    tracemalloc.stop()
    return raw_size, peak


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print times, ratio and memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    response = {"result": "success", "totalresults": args.orders, "startnumber": 0,
                "numreturned": args.orders,
                "orders": {"order": synthetic_orders(args.orders, args.seed)}}
    payload = json.dumps(response)
    del response
    records = json.loads(payload)["orders"]["order"]
    n_lines = sum(len(r["lineitems"]["lineitem"]) for r in records)

    baseline = _best_of(args.repeat, lambda: json.loads(payload))
    ours = _best_of(args.repeat, lambda: _convert(records))
    raw_size, peak = _memory(payload)

    mib = 1024 * 1024
    print(f"orders: {args.orders:,}  line items: {n_lines:,}  "
          f"payload: {len(payload) / mib:.1f} MiB")
    print(f"json.loads(payload)                      : {baseline:.3f} s (best of {args.repeat})")
    print(f"orders_frame + order_lines_frame         : {ours:.3f} s (best of {args.repeat})")
    print(f"ratio baseline / ours (>= 1.0 is the goal): {baseline / ours:.2f}")
    print(f"raw records (tracemalloc)                : {raw_size / mib:.1f} MiB")
    print(f"conversion peak (tracemalloc, extra)     : {peak / mib:.1f} MiB "
          f"({peak / raw_size:.2f} x the raw records)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
