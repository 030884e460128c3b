from __future__ import annotations  # models are added by the ledger work
