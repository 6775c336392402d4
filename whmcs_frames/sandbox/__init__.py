"""A WHMCS-compatible API server on loopback, with synthetic data.

The embedded default for trying the toolkit (the demo command, notebooks) and the
real HTTP peer of the project's tests. It behaves like WHMCS's External API — the
eleven order actions, the six billing reads (GetClients, GetClientsDetails,
GetClientsProducts, GetInvoices, GetTransactions, GetCancelledPackages), PHP-style
form arrays, WHMCS's authentication and error messages, JSON inside strings,
HTML-entity encoded text — over a SQLite database generated deterministically from a
seed: orders, and the services, renewal invoices, payments, refunds and cancellations
that follow from them. Its ``flavour`` picks which WHMCS it imitates on the wire
(``"8"``: the current reference's integers; ``"7"``: strings; ``"quirks"``: every untidy
shape installations send), and ``box.faults.quirk(name)`` switches one untidy shape on
for a single test. It imports nothing from
the client layers above it, nor pandas, so it starts fast.

Boxes of 500 orders or more also hold seeded fraud patterns — a ring of new clients on
shared IPs farming a promotion code, bursts from one client, high first orders, proxy
flags and country mismatches; some already marked Fraud, some Pending for review — all
deterministic from the seed and listed in ``_fraud_patterns``.

Examples
--------
>>> import requests
>>> from whmcs_frames import sandbox
>>> with sandbox.serve(orders=100, seed=7) as box:
...     page = requests.post(box.url, data={
...         "action": "GetOrders", "limitnum": 5, "identifier": box.identifier,
...         "secret": box.secret, "responsetype": "json"}, timeout=5).json()
>>> len(page["orders"]["order"])
5
"""

from __future__ import annotations

from ._box import Sandbox, serve, set_client_factory
from ._faults import FAULT_KINDS, Faults
from ._flavours import FLAVOURS, QUIRKS

__all__ = ["FAULT_KINDS", "FLAVOURS", "QUIRKS", "Faults", "Sandbox", "serve",
           "set_client_factory"]
