"""Paginated reads from WHMCS, proven complete page by page. Knows nothing of pandas.

Import the modules directly (``from whmcs_frames._fetch.pages import fetch_orders``).
"""
