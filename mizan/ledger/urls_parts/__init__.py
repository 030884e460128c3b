"""Ledger route lists, one module per area (mizan/ledger/urls.py joins them)."""
