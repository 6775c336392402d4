"""The :class:`~whmcs_frames.Client` facade: reads come back as DataFrames, writes go
through :mod:`whmcs_frames.actions`. It wires the layers below it together, nothing more.

Import the modules directly (``from whmcs_frames._client.facade import connect``).
"""
