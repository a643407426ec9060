"""Records kept elsewhere come into the ledger (being written)."""
