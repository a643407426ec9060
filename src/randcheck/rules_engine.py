"""The one place randcheck talks to durable-rules.

durable-rules (a Rete engine in C) has sharp edges, measured in
``shared/notes/durable-rules.md``; this module files them down once:

- ruleset names are global to the process and defining them again leaks
  memory: each :class:`RuleEngine` is built once per name and reused;
- the engine is not thread-safe: every call goes through one lock;
- exceptions inside actions are swallowed: actions only call ``emit``, which
  appends to a plain Python list that the caller reads back;
- posting what no rule matches raises ``MessageNotHandledException``, and
  after that error path the C engine can corrupt its heap (measured here:
  ``free(): invalid pointer`` on the next call). Every message therefore carries
  a marker field, ``rc_message``, and every ruleset a catch-all rule on it, so
  nothing is ever unhandled. (A catch-all on ``sid`` itself makes durable spin
  forever: measured.);
- state grows per session: each subject is its own session (``sid``) and is
  deleted when the caller closes it.

A ruleset is written with durable's own ``when_all`` / ``m`` / ``c`` inside a
``define(emit)`` function; ``emit(rule_id, data)`` records a finding. An action
must take exactly one parameter: durable calls a two-parameter action as
asynchronous and passes a callback as the second argument.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from durable import engine as durable_engine
from durable import lang

MARKER = "rc_message"
"""A field on every message, matched by each ruleset's catch-all rule."""
_LOCK = threading.RLock()
_ENGINES: dict[str, RuleEngine] = {}

Emit = Callable[[str, Mapping[str, Any]], None]


@dataclass
class Finding:
    """What a rule reported for one subject."""

    rule_id: str
    sid: str
    data: dict[str, Any] = field(default_factory=dict)


def _accept(c: Any) -> None:
    """The catch-all rule's action: nothing to report."""


class RuleEngine:
    """A durable-rules ruleset, defined once per process, fed one subject at a time."""

    def __init__(self, name: str, define: Callable[[Emit], None]) -> None:
        self.name = name
        self._sink: list[Finding] | None = None
        self._sid = ""

        def emit(rule_id: str, data: Mapping[str, Any]) -> None:
            if self._sink is not None:
                self._sink.append(Finding(rule_id, self._sid, dict(data)))

        with lang.ruleset(name):
            define(emit)
            # Accept every message (each carries the marker): see the module docstring.
            lang.when_all(+lang.m.rc_message)(_accept)

    @classmethod
    def get(cls, name: str, define: Callable[[Emit], None]) -> RuleEngine:
        """The engine called ``name``, defined by ``define`` the first time it is asked for.

        Give each distinct rule definition its own name (e.g. with a digest of the
        policy's rules): a name is bound to its first definition for the process.
        """
        with _LOCK:
            engine = _ENGINES.get(name)
            if engine is None:
                engine = _ENGINES[name] = cls(name, define)
            return engine

    def facts(
        self, sid: str, facts: Iterable[Mapping[str, Any]], *, keep: bool = False
    ) -> list[Finding]:
        """Assert ``facts`` for subject ``sid``; every rule whose pattern matches fires.

        The subject's state is deleted afterwards unless ``keep`` is set.
        """
        return self._run(sid, [("fact", f) for f in facts], keep)

    def events(
        self, sid: str, events: Iterable[Mapping[str, Any]], *, keep: bool = True
    ) -> list[Finding]:
        """Post ``events`` for subject ``sid`` in order (each consumed by the first match).

        The subject's state is kept (an obligation may wait for a later event) until
        :meth:`close` is called, unless ``keep`` is false.
        """
        return self._run(sid, [("event", e) for e in events], keep)

    def close(self, sid: str) -> None:
        """Forget subject ``sid``."""
        with _LOCK:
            self._delete(sid)

    def _run(
        self, sid: str, items: list[tuple[str, Mapping[str, Any]]], keep: bool
    ) -> list[Finding]:
        found: list[Finding] = []
        with _LOCK:
            self._sink, self._sid = found, sid
            try:
                for n, (kind, item) in enumerate(items, start=1):
                    # durable refuses a fact equal to one it holds (MessageObservedException):
                    # two events of a subject can give the same fact (an inspection ended and
                    # its result entered the same day), so each fact carries its position.
                    message = {**item, "sid": sid, MARKER: n}
                    try:
                        if kind == "fact":
                            lang.assert_fact(self.name, message)
                        else:
                            lang.post(self.name, message)
                    except durable_engine.MessageNotHandledException:
                        pass  # no rule matched: nothing to report
            finally:
                self._sink = None
                if not keep:
                    self._delete(sid)
        return found

    def _delete(self, sid: str) -> None:
        # A subject with no state has nothing to delete.
        with contextlib.suppress(Exception):
            lang.delete_state(self.name, sid)
