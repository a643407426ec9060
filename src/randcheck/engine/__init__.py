"""The old flat engine, kept for one release (0.2) as re-exports; importing a module warns.

Its modules moved by the flow: :mod:`randcheck.draw` (classify, history, quotas,
select, teams, replace, receipt), :mod:`randcheck.ledger` (events, chain, stores),
:mod:`randcheck.audit` (obligations, facts, judges, verdict) and
:mod:`randcheck.publish` (schedule, tables); renderers went to
:mod:`randcheck.report`. See CHANGELOG.md for every move.
"""
