"""The engine, in the order of the flow: classify, quotas, draw, receipt, ledger,
obligations, verdict, schedule, publish."""
