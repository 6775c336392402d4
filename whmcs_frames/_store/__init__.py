"""The local order store: WHMCS orders kept in SQLite so a notebook re-reads only what
changed. Knows nothing of HTTP or pandas; the sync that fills it lives in ``_client``.

Import the modules directly (``from whmcs_frames._store.orders import OrderStore``).
"""
