"""One HTTP call to WHMCS: configuration, PHP-style encoding, the action registry, the
transport with its retry policy, and WHMCS's response shapes. Knows nothing of pandas.

Import the modules directly (``from whmcs_frames._api.transport import Transport``); this
``__init__`` imports nothing, so loading one module does not load the rest.
"""
