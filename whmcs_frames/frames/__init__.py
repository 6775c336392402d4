"""Raw WHMCS records in, typed pandas DataFrames out: pure, no network, no I/O.

Everything about WHMCS's untidy JSON is handled here once: numbers sent as strings,
``""`` for none, ``0000-00-00`` dates, HTML entities in typed text, flags spelt five
ways, lists wrapped twice (or not at all), and fraud results that are JSON inside a
string. Each converter collects its columns in one pass and hands them to a single
schema function, so :data:`SCHEMAS` is the one place column sets and dtypes live and an
empty input still gives every column with its dtype.

The raw ``fraudoutput``, ``frauddata``, ``validationdata``, ``orderdata`` and
``renewalsByType`` blobs are not kept: the useful part of ``fraudoutput`` becomes
``fraud_score``/``fraud_status``/``fraud_country``, the rest is large, module-specific and
carries personal data (e-mail and card checks) that has no place in a CSV report. Use
``Client.iter_orders`` for the raw records. ``transfersecret`` is never read at all.

Beyond orders, clients, services (``GetClientsProducts``), invoices, transactions and
cancellation requests have frames too. Those converters read only the fields they name,
so the service ``password`` and login ``username`` WHMCS sends in clear never reach a
frame, and a client's e-mail address is kept as its domain only.

Example
-------
>>> df = orders_frame([{"id": "7", "amount": "8.00", "currencyprefix": "$",
...                     "currencysuffix": " USD", "name": "Tom &amp; Jerry"}])
>>> df.loc[0, ["id", "amount", "currency", "name"]].astype(str).tolist()
['7', '8.0', 'USD', 'Tom & Jerry']
"""

from .._api.shapes import unwrap_list
from ._billing import (
    CREDENTIAL_FIELDS,
    cancellations_frame,
    clients_frame,
    service_history_frame,
    services_frame,
)
from ._converters import (
    SCHEMAS,
    order_lines_frame,
    order_statuses_frame,
    orders_frame,
    product_pricing_frame,
    products_frame,
    promotions_frame,
    warn_unmatched_products,
)
from ._dictionary import describe
from ._invoices import invoices_frame, transactions_frame
from ._lines import CYCLE_KEYS, cycle_key, resolve_pids

__all__ = [
    "CREDENTIAL_FIELDS",
    "CYCLE_KEYS",
    "SCHEMAS",
    "cancellations_frame",
    "clients_frame",
    "cycle_key",
    "describe",
    "invoices_frame",
    "order_lines_frame",
    "order_statuses_frame",
    "orders_frame",
    "product_pricing_frame",
    "products_frame",
    "promotions_frame",
    "resolve_pids",
    "service_history_frame",
    "services_frame",
    "transactions_frame",
    "unwrap_list",
    "warn_unmatched_products",
]
