"""Fast validation of file rows against a model, field by field.

``Model.model_validate`` costs tens of microseconds a row: it calls a Python
validator for each of some forty fields and then builds an object the
column-wise registry would take apart again. :class:`RowValidator` checks
each cell with a pydantic ``TypeAdapter`` built from the model's own field
annotation and constraints (so the model stays the one statement of the
rules), remembers the answer for columns whose values repeat (class, flags,
division, industry …), fills defaults, and runs the model's row-level checks.
The result is the list of field values in model order: exactly what
``model_validate`` would have stored (a test holds the two to that).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

_MEMO_LIMIT = 200_000
_UNSET = object()


class RowInvalid(Exception):
    """A row failed validation; ``errors`` are pydantic-style error dicts with ``loc``."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(errors)} validation errors")
        self.errors = errors


class RowValidator:
    """Validate mappings of field -> raw cell into field values in model order."""

    def __init__(self, model: type[BaseModel], repeating: frozenset[str] = frozenset()) -> None:
        self.model = model
        self.fields = tuple(model.model_fields)
        strip = bool(model.model_config.get("str_strip_whitespace"))
        config = ConfigDict(str_strip_whitespace=strip)
        self._validate: dict[str, Callable[[Any], Any]] = {}
        self._default: dict[str, Any] = {}
        for name, info in model.model_fields.items():
            annotation: Any = info.annotation
            if info.metadata:
                annotation = Annotated[(annotation, *info.metadata)]
            self._validate[name] = TypeAdapter(annotation, config=config).validate_python
            if not info.is_required():
                self._default[name] = info.get_default(call_default_factory=True)
        self._memo: dict[str, dict[Any, Any]] = {name: {} for name in repeating}
        # A model's rules over several fields live in its `row_problem(values)`, which its
        # own model validator calls too.
        self._row_problem: Callable[[Mapping[str, Any]], str | None] | None = getattr(
            model, "row_problem", None
        )

    def __call__(self, cells: Mapping[str, Any]) -> list[Any]:
        """Field values in model order from a mapping field -> cell; empty cells are absent."""
        names = list(cells)
        return self.reader({name: i for i, name in enumerate(names)})(list(cells.values()))

    def reader(self, positions: Mapping[str, int]) -> Callable[[Sequence[Any]], list[Any]]:
        """A function from a raw row (cells at ``positions``) to field values in model order.

        It raises :class:`RowInvalid` listing every bad field. An empty cell (``None``
        or ``""``) is an absent value: the field's default, or an error when required.
        """
        plan = [
            (
                name,
                positions.get(name),
                self._memo.get(name),
                self._validate[name],
                self._default.get(name, _UNSET),
            )
            for name in self.fields
        ]
        fields = self.fields
        row_problem = self._row_problem

        def read(cells: Sequence[Any]) -> list[Any]:
            row: list[Any] = []
            errors: list[dict[str, Any]] = []
            for name, index, memo, validate, default in plan:
                raw = None if index is None else cells[index]
                if raw is None or raw == "":
                    if default is _UNSET:
                        errors.append({"type": "missing", "loc": (name,), "msg": "Field required"})
                    row.append(default)
                    continue
                if memo is not None:
                    try:
                        known = memo.get(raw, _UNSET)
                    except TypeError:  # an unhashable cell (a JSON list): no memo
                        known = _UNSET
                    if known is not _UNSET:
                        row.append(known)
                        continue
                try:
                    value = validate(raw)
                except ValidationError as exc:
                    for error in exc.errors(include_url=False):
                        errors.append({**error, "loc": (name, *error["loc"])})
                    row.append(None)
                    continue
                if memo is not None and len(memo) < _MEMO_LIMIT:
                    with contextlib.suppress(TypeError):
                        memo[raw] = value
                row.append(value)
            if not errors and row_problem is not None:
                problem = row_problem(dict(zip(fields, row)))
                if problem:
                    errors.append({"type": "value_error", "loc": (), "msg": problem})
            if errors:
                raise RowInvalid(errors)
            return row

        return read
