"""The report bundle on disk: CSVs safe for spreadsheets, charts, and a manifest.

Import the modules directly (``from whmcs_frames._export.bundle import write_bundle``).
"""
