"""The Policy model: a jurisdiction's rules as data, each citing its clause.

A policy is a validated, frozen list of rules in the order its document states
them. Every rule carries its citation (document, clause, the quoted sentence,
verbatim) and, where the text is ambiguous, the interpretation taken. Rule
kinds are few and plain, so the engine evaluates them and JSON/YAML files
state them:

- per entity class: ``QuarterlyShare``, ``StaffMultiple`` (a yearly count of k ×
  inspectors), ``CoverageCycle`` (each entity M times in N years),
  ``QuarterlyMinimum`` (at least N drawn each quarter), ``NoMinimum``;
- ``NotSpecified``: the document speaks of the matter but gives no number;
- the draw and its teams: ``ItemCap``, ``Team``, ``InspectorPool``,
  ``InspectorSelection``, ``Replacement``, ``ListFixed``, ``Confidential``,
  ``NonSite``;
- deadlines: ``Deadline`` (N working days / months after an event) and
  ``DatedObligation`` (the 5th of each month, 15 January …);
- ``JointShare``, ``Disclosure``, ``CreditPush``, ``ResultsImmutable``;
- classification: ``Classification`` (conditions over entity fields) and
  ``ClassPrecedence``;
- ``Requirement``: a stated duty randcheck records but does not measure.

Scenarios: :meth:`Policy.with_changes` returns a new policy with a new version
and a record of what changed (OpenFisca's reforms); the original is untouched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from enum import Enum
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from randcheck.errors import PolicyError
from randcheck.models import Entity, EntityClass, ProductionStatus
from randcheck.models.fields import LabelledEnum
from randcheck.models.vocab import Outcome, ReplacementReason, Withheld
from randcheck.periods import Quarter
from randcheck.randomness import canonical_digest


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Citation(_Frozen):
    """Where a rule comes from: the document, the clause and its words."""

    document: str = Field(description="the document, e.g. 获嘉县 实施细则")
    clause: str = Field(description="the document's own numbering, e.g. 第十四条 or 三(二)1")
    quote: str = Field(min_length=2, description="the source sentence, verbatim (Chinese)")
    source_file: str = Field(description="the file in shared/seeds the quote is found in")

    def __str__(self) -> str:
        return f"{self.document} {self.clause}"


# --- conditions over entity fields ------------------------------------------------

Operator = Literal["is_true", "eq", "in"]
_ENTITY_FIELDS = set(Entity.model_fields)


class Condition(_Frozen):
    """A test on one entity field: ``hazardous_waste is_true``, ``permit_class eq KEY_MANAGEMENT``,
    ``control_level in [CITY, PROVINCIAL, NATIONAL]``."""

    field: str
    op: Operator = "is_true"
    value: str | list[str] | None = None

    @model_validator(mode="after")
    def _known_field(self) -> Condition:
        if self.field not in _ENTITY_FIELDS:
            raise ValueError(f"unknown entity field {self.field!r}")
        if self.op == "is_true" and self.value is not None:
            raise ValueError("is_true takes no value")
        if self.op == "eq" and not isinstance(self.value, str):
            raise ValueError("eq takes one value")
        if self.op == "in" and not isinstance(self.value, list):
            raise ValueError("in takes a list of values")
        return self

    def holds(self, value: Any) -> bool:
        """Whether the condition holds for an entity whose field has ``value``."""
        plain = value.value if isinstance(value, Enum) else value
        if self.op == "is_true":
            return plain is True
        if self.op == "eq":
            return bool(plain == self.value)
        return plain in (self.value or [])

    def truth(self) -> dict[Any, bool]:
        """``holds`` as a mapping from field value to verdict, filled as values are met.

        A draw tests every row of a field that takes few distinct values; a lookup
        per row is several times faster than a call.
        """
        return _Truth(self)

    def __str__(self) -> str:
        if self.op == "is_true":
            return self.field
        return f"{self.field} {'=' if self.op == 'eq' else 'in'} {self.value}"


class _Truth(dict[Any, bool]):
    def __init__(self, condition: Condition) -> None:
        super().__init__()
        self.condition = condition

    def __missing__(self, value: Any) -> bool:
        verdict = self[value] = self.condition.holds(value)
        return verdict


# --- rules ---------------------------------------------------------------------------


class Strength(LabelledEnum):
    """How binding a rule is, by the words of its clause.

    - ``OBLIGATION``: stated plainly (应, 不得, 确保 …); a miss fails.
    - ``IN_PRINCIPLE`` 原则上: an obligation that admits an exception when its reason
      is recorded (an ``EXCEPTION_RECORDED`` event naming the rule and the subject;
      青岛 四 says so itself for rectification); a miss with no recorded reason fails.
    - ``PREFERENCE`` 优先: a preference; reported, never failed on its own.
    - ``TARGET`` 力争: a target, reported met or missed apart from the obligations.
    - ``FACTOR`` 等因素: one of the factors a bureau weighs (本溪 七(一)2); reported only.
    """

    OBLIGATION = ("OBLIGATION", "应当")
    IN_PRINCIPLE = ("IN_PRINCIPLE", "原则上")
    PREFERENCE = ("PREFERENCE", "优先")
    TARGET = ("TARGET", "力争")
    FACTOR = ("FACTOR", "考虑因素")

    @property
    def binding(self) -> bool:
        """A miss of a binding rule is a failure (an unexcused one, for 原则上)."""
        return self in (Strength.OBLIGATION, Strength.IN_PRINCIPLE)

    @classmethod
    def of_words(cls, quote: str) -> Strength:
        """The strength the quoted sentence's own words give: 力争, 原则上, 优先, else plain."""
        if "力争" in quote:
            return cls.TARGET
        if "原则上" in quote:
            return cls.IN_PRINCIPLE
        if "优先" in quote:
            return cls.PREFERENCE
        return cls.OBLIGATION


class Rule(_Frozen):
    """What every rule has: a stable id, a short title, its citation, an interpretation,
    and its strength (by default, what the quoted words say: see :class:`Strength`)."""

    id: str = Field(pattern=r"^[a-z0-9_.]+$")
    title: str
    citation: Citation
    interpretation: str | None = None
    strength: Strength = Strength.OBLIGATION

    @model_validator(mode="before")
    @classmethod
    def _strength_from_words(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("strength") is None:
            citation = data.get("citation")
            quote = (
                citation.quote
                if isinstance(citation, Citation)
                else (citation or {}).get("quote", "")
                if isinstance(citation, dict)
                else ""
            )
            data = {**data, "strength": Strength.of_words(str(quote))}
        return data


class QuarterlyShare(Rule):
    """At least ``min_fraction`` of the class's entities drawn every quarter."""

    kind: Literal["quarterly_share"] = "quarterly_share"
    entity_class: EntityClass
    min_fraction: float = Field(gt=0, le=1)
    scope: tuple[Condition, ...] = Field(
        (), description="only entities meeting all of these count (睢县: 国控级以上)"
    )


class StaffMultiple(Rule):
    """A yearly count of at least ``multiple`` × the inspectors counted by ``basis``."""

    kind: Literal["staff_multiple"] = "staff_multiple"
    entity_class: EntityClass
    multiple: float = Field(gt=0)
    of: Literal["jurisdiction", "city"] = Field(
        "jurisdiction",
        description="whose staff: the jurisdiction's own, or the whole city's (青岛 三(一) 全市)",
    )
    basis: Literal["on_staff", "certified"] = "on_staff"


class CoverageCycle(Rule):
    """Each entity of the class inspected ``times`` times in every ``years`` years.

    ``measure``: ``window``, in fixed windows of ``years`` calendar years counted from the
    policy's first year (one-year cycles: calendar years); ``gap``, per entity, no more
    than ``years`` years between its inspections or since it entered the base (获嘉
    第十四条 一般监管对象2至3年抽查1次; fixed windows allow gaps of nearly twice that).
    """

    kind: Literal["coverage_cycle"] = "coverage_cycle"
    entity_class: EntityClass
    times: int = Field(ge=1)
    years: int = Field(ge=1)
    measure: Literal["window", "gap"] = "window"

    @model_validator(mode="after")
    def _gap_once(self) -> CoverageCycle:
        if self.measure == "gap" and self.times != 1:
            raise ValueError("a gap cycle counts one inspection in every `years` years")
        return self


def years_after(day: dt.date, years: int) -> dt.date:
    """The same date ``years`` later (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class QuarterlyMinimum(Rule):
    """At least ``count`` entities of the class drawn every quarter."""

    kind: Literal["quarterly_minimum"] = "quarterly_minimum"
    entity_class: EntityClass
    count: int = Field(ge=1)


class NoMinimum(Rule):
    """No minimum for the class; inspections may start at any time (本溪 七(一)3)."""

    kind: Literal["no_minimum"] = "no_minimum"
    entity_class: EntityClass
    any_time: bool = True


class NotSpecified(Rule):
    """The document speaks of ``topic`` but sets no number: the engine checks nothing."""

    kind: Literal["not_specified"] = "not_specified"
    topic: Literal[
        "quarterly_share", "yearly_count", "disclosure_deadline", "rectification_deadline"
    ]
    entity_class: EntityClass | None = None
    stated: str = Field(description="what the text does say, e.g. 及时 (timely)")


class ItemCap(Rule):
    """The same entity, same item: at most ``max_per_year`` inspections a year."""

    kind: Literal["item_cap"] = "item_cap"
    max_per_year: int = Field(ge=1)
    exempt: tuple[EntityClass, ...] = ()


class Team(Rule):
    """Team size and recusal."""

    kind: Literal["team"] = "team"
    min_size: int | None = Field(None, ge=1)
    recusal: bool = True


class InspectorPool(Rule):
    """Who may be drawn as an inspector."""

    kind: Literal["inspector_pool"] = "inspector_pool"
    require_certificate: bool = True
    require_on_staff: bool = True
    auxiliary_allowed: bool = False


class InspectorSelection(Rule):
    """Whether inspectors are drawn at random or matched directly (青岛 三(二))."""

    kind: Literal["inspector_selection"] = "inspector_selection"
    module: Literal["routine", "comprehensive"] = "routine"
    method: Literal["drawn", "matched"] = "drawn"


class Replacement(Rule):
    """How a drawn inspector is replaced: drawn again, chosen (with approval), or either
    where the text names no method (``any``).

    ``reasons``: the reasons the text lists (empty: it limits none). ``other_reasons``:
    the list ends in 等特殊情况, so another reason is allowed when it is stated.
    """

    kind: Literal["replacement"] = "replacement"
    method: Literal["drawn_again", "chosen", "any"]
    approval_by: str | None = None
    reasons: tuple[ReplacementReason, ...] = ()
    other_reasons: bool = False


class ListFixed(Rule):
    """Once drawn, the list of entities and inspectors is not changed at will."""

    kind: Literal["list_fixed"] = "list_fixed"
    changes_approved_by: str | None = None


class Confidential(Rule):
    """The drawn list is secret to the inspected entities until the inspection starts."""

    kind: Literal["confidential"] = "confidential"
    until: Literal["inspection_start"] = "inspection_start"


class NonSite(Rule):
    """Entities meeting ``any_of`` are supervised by non-site means (获嘉 第十五条, 本溪 七(三))."""

    kind: Literal["non_site"] = "non_site"
    any_of: tuple[Condition, ...] = Field(min_length=1)
    on_site_allowed: Literal["yes", "complaint_only"] = "yes"


ObligationKind = Literal[
    "result_entry",
    "disclosure",
    "rectification",
    "item_list",
    "quarterly_plan",
    "draw",
    "quarter_results",
    "quarterly_plan_report",
    "quarter_results_report",
    "squad_quarter_end",
    "pool_update",
    "inspector_count",
    "annual_plan",
    "monthly_dispatch",
    "quarterly_report",
    "yearly_report",
]


class Deadline(Rule):
    """``obligation`` within ``amount`` ``unit`` after ``after``."""

    kind: Literal["deadline"] = "deadline"
    obligation: ObligationKind
    amount: int = Field(ge=1)
    unit: Literal["working_days", "calendar_days", "months"]
    after: Literal["inspection_completed", "task_completed", "result_recorded"]


class YearlyDate(_Frozen):
    kind: Literal["yearly"] = "yearly"
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)
    of: Literal["this_year", "next_year_plan"] = "this_year"


class QuarterMonthDay(_Frozen):
    kind: Literal["quarter_month_day"] = "quarter_month_day"
    month: Literal["first", "last"]
    day: int = Field(ge=1, le=31)


class QuarterStartWithin(_Frozen):
    kind: Literal["quarter_start_within"] = "quarter_start_within"
    days: int = Field(ge=1)
    working: bool = False


class MonthlyBy(_Frozen):
    kind: Literal["monthly_by"] = "monthly_by"
    day: int = Field(ge=1, le=28)
    covers: Literal["previous_month"] = "previous_month"


class QuarterEnd(_Frozen):
    """Due on the last day of each quarter (青岛 二(二) 于每个季度末)."""

    kind: Literal["quarter_end"] = "quarter_end"


class BeforeYearEnd(_Frozen):
    kind: Literal["before_year_end"] = "before_year_end"


DateRule = Annotated[
    YearlyDate | QuarterMonthDay | QuarterStartWithin | MonthlyBy | BeforeYearEnd | QuarterEnd,
    Field(discriminator="kind"),
]


class DatedObligation(Rule):
    """Something due on a date of the calendar (5 January, 5th of each month …)."""

    kind: Literal["dated_obligation"] = "dated_obligation"
    obligation: ObligationKind
    when: DateRule


class JointShare(Rule):
    """Joint inspections initiated: at least ``min_fraction`` of own + joint (获嘉 通知 二).

    ``counting``: ``tasks`` counts the department's own random-inspection tasks (its
    sealed draws) against the joint inspections it initiated, as 获嘉 附件1 counts
    its own work as quarterly tasks; ``visits`` counts entity visits instead.
    """

    kind: Literal["joint_share"] = "joint_share"
    min_fraction: float = Field(gt=0, le=1)
    counting: Literal["tasks", "visits"] = "tasks"


class Disclosure(Rule):
    """How results are published: the phrases, what may be withheld, the share published."""

    kind: Literal["disclosure"] = "disclosure"
    phrases: dict[Outcome, str] = Field(default_factory=dict)
    may_withhold: tuple[Withheld, ...] = ()
    published_share: float | None = Field(None, gt=0, le=1)


class CreditPush(Rule):
    """Results pushed to the credit publicity system in these steps, in order."""

    kind: Literal["credit_push"] = "credit_push"
    steps: tuple[str, ...] = ()


class ResultsImmutable(Rule):
    """A recorded result is never edited; a correction needs approval."""

    kind: Literal["results_immutable"] = "results_immutable"
    correction_approved_by: str | None = None


class Classification(Rule):
    """Entities meeting any of the conditions belong in ``entity_class``."""

    kind: Literal["classification"] = "classification"
    entity_class: EntityClass
    any_of: tuple[Condition, ...] = Field(min_length=1)


class ClassPrecedence(Rule):
    """Which class wins when several match, and the class when none does."""

    kind: Literal["class_precedence"] = "class_precedence"
    order: tuple[EntityClass, ...]
    default: EntityClass = EntityClass.GENERAL


class Requirement(Rule):
    """A duty the document states that the ledger's records cannot show (or, for the topic
    ``inspector_counts``, the yearly count per inspector, which they can)."""

    kind: Literal["requirement"] = "requirement"
    topic: str
    evidence: str | None = Field(
        None, description="what a bureau would show instead, since the records cannot"
    )


class DrawBase(Rule):
    """Which registry entities make a class's base and may be drawn, by production status.

    Without this rule the base is the operating entities (在产, seasonal). 西平 一(二)
    takes 所有污染源 (排污单位和建设项目, 一(一)) and 获嘉 第十四条 the entities
    纳入检查对象名录库: every entity in the registry but the closed ones.
    """

    kind: Literal["draw_base"] = "draw_base"
    statuses: tuple[ProductionStatus, ...] = Field(min_length=1)


OPERATING_BASE = (ProductionStatus.OPERATING, ProductionStatus.SEASONAL)
"""The base when a policy has no DrawBase rule."""


def base_statuses(policy: Policy) -> tuple[ProductionStatus, ...]:
    """The production statuses of the entities in the policy's base."""
    rule = policy.one(DrawBase)
    return rule.statuses if rule is not None else OPERATING_BASE


class RandomDraw(Rule):
    """The random draw is the regime: every inspection task comes from a sealed and
    revealed draw, and every drawn task is inspected by the end of its quarter."""

    kind: Literal["random_draw"] = "random_draw"


AnyRule = Annotated[
    QuarterlyShare
    | StaffMultiple
    | CoverageCycle
    | QuarterlyMinimum
    | NoMinimum
    | NotSpecified
    | ItemCap
    | Team
    | InspectorPool
    | InspectorSelection
    | Replacement
    | ListFixed
    | Confidential
    | NonSite
    | Deadline
    | DatedObligation
    | JointShare
    | Disclosure
    | CreditPush
    | ResultsImmutable
    | Classification
    | ClassPrecedence
    | Requirement
    | RandomDraw
    | DrawBase,
    Field(discriminator="kind"),
]

R = TypeVar("R", bound=Rule)


class Level(LabelledEnum):
    COUNTY = ("COUNTY", "县级")
    CITY = ("CITY", "市级")
    NEW_AREA = ("NEW_AREA", "新区")


class Change(_Frozen):
    """One change a variant makes: the rule, the field, before and after, and why."""

    rule: str
    field: str
    old: Any = None
    new: Any = None
    reason: str


class NotModelled(_Frozen):
    """A clause of the document that no rule encodes, and why (as Catala's "angle mort")."""

    document: str = Field(description="the document, as its citations name it")
    clause: str = Field(description="the document's own numbering, e.g. 第十八条 or 四(一)")
    reason: str = Field(min_length=3, description="why it is not a rule")

    def __str__(self) -> str:
        return f"{self.document} {self.clause}"


class Policy(_Frozen):
    """A jurisdiction's 双随机、一公开 rules, from one document, as data.

    A policy is in force from ``effective_from`` to ``effective_until`` (the
    last day, when a later version supersedes it; None while in force). Several
    versions of one id live side by side: :func:`randcheck.policies.get_policy`
    picks one by date (``on=``) or exactly (``version=``).
    """

    id: str = Field(pattern=r"^[a-z0-9_.\-]+$")
    name_zh: str
    name_en: str
    level: Level
    document_title: str
    document_number: str | None = None
    issued: dt.date | None = None
    effective_from: dt.date
    effective_until: dt.date | None = None
    version: str
    source_file: str | None = None
    calendar: Literal["CN"] = "CN"
    rules: tuple[AnyRule, ...]
    variant_of: str | None = None
    revises: str | None = Field(None, description="the version this one revises, if any")
    changes: tuple[Change, ...] = ()
    notes: tuple[str, ...] = ()
    not_modelled: tuple[NotModelled, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        ids = [r.id for r in self.rules]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"rule ids must be unique; repeated: {', '.join(repeated)}")
        if self.effective_until is not None and self.effective_until < self.effective_from:
            raise ValueError("effective_until is before effective_from")
        return self

    # --- when it is in force --------------------------------------------------------

    def in_force(self, day: dt.date) -> bool:
        """Whether the policy is in force on ``day``."""
        return self.effective_from <= day and (
            self.effective_until is None or day <= self.effective_until
        )

    @property
    def in_force_text(self) -> str:
        until = f" to {self.effective_until}" if self.effective_until else ""
        return f"in force from {self.effective_from}{until}"

    def check_period(self, start: dt.date, end: dt.date, what: str) -> None:
        """Refuse a period (``start`` to ``end``) the policy was never in force in.

        A period that overlaps the policy's time in force is accepted, as the
        ``holidays`` package accepts any year from its ``start_year``.
        """
        if end < self.effective_from or (
            self.effective_until is not None and start > self.effective_until
        ):
            raise PolicyError(
                f"{self.id} {self.version} is not in force in {what}: {self.in_force_text}",
                hint="choose a period when the policy was in force, or the version of the "
                "policy in force then (get_policy(id, on=date))",
            )

    def check_in_force(self, year: int, quarter: int | None = None) -> None:
        """Refuse a year, or one of its quarters, before (or after) the policy's time in force."""
        if quarter is None:
            self.check_period(dt.date(year, 1, 1), dt.date(year, 12, 31), str(year))
            return
        period = Quarter(year, quarter)
        self.check_period(period.start, period.end, period.label)

    # --- looking rules up ------------------------------------------------------------

    def rule(self, rule_id: str) -> AnyRule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise PolicyError(
            f"policy {self.id} has no rule {rule_id!r}",
            hint=f"its rules: {', '.join(r.id for r in self.rules)}",
        )

    def rules_of(self, kind: type[R]) -> list[R]:
        """Every rule of one kind, in document order."""
        return [r for r in self.rules if isinstance(r, kind)]

    def class_rule(self, kind: type[R], entity_class: EntityClass) -> R | None:
        """The rule of ``kind`` for ``entity_class``, if the policy has one."""
        for rule in self.rules:
            if isinstance(rule, kind) and getattr(rule, "entity_class", None) is entity_class:
                return rule
        return None

    def one(self, kind: type[R]) -> R | None:
        found = self.rules_of(kind)
        return found[0] if found else None

    def deadline(self, obligation: str) -> Deadline | NotSpecified | None:
        for rule in self.rules:
            if isinstance(rule, Deadline) and rule.obligation == obligation:
                return rule
        topic = {"disclosure": "disclosure_deadline", "rectification": "rectification_deadline"}
        for rule in self.rules:
            if isinstance(rule, NotSpecified) and rule.topic == topic.get(obligation):
                return rule
        return None

    def changed(self, rule_id: str) -> list[Change]:
        """The changes this variant made to ``rule_id`` (empty for an unchanged rule)."""
        return [c for c in self.changes if c.rule == rule_id]

    @property
    def label(self) -> str:
        return f"{self.id} {self.version} ({self.name_zh})"

    @property
    def digest(self) -> str:
        """SHA-256 (hex) of the policy's canonical JSON: names this exact content.

        Two policies with one id and version but any value different have different
        digests, so a receipt names the policy it was drawn under beyond doubt. The
        bytes are ``canonical_json(policy.model_dump(mode="json"))`` (keys sorted, no
        spaces, non-ASCII as itself): the file ``randcheck policies export`` writes,
        which loads back to the same digest.
        """
        return canonical_digest(self.model_dump(mode="json"))

    # --- scenarios ---------------------------------------------------------------------

    def with_changes(
        self,
        changes: Mapping[str, Mapping[str, Any]] | None = None,
        *,
        reason: str,
        name: str | None = None,
        add: Sequence[Rule] = (),
        remove: Sequence[str] = (),
    ) -> Policy:
        """A new policy with some rules changed, added or removed; this one is untouched.

        ``changes`` maps a rule id to new field values, e.g.
        ``{"key.quarterly_share": {"min_fraction": 0.20}}``. The new policy's version
        is ``<version>+<name>`` and its ``changes`` record each change with ``reason``.
        """
        data, record = self._apply(changes, add, remove, reason)
        if not record:
            raise PolicyError("with_changes needs at least one change")
        digest = hashlib.sha256(
            json.dumps([c.model_dump(mode="json") for c in record], sort_keys=True).encode()
        ).hexdigest()[:8]
        label = name or f"variant-{digest}"
        data.update(
            version=f"{self.version}+{label}",
            variant_of=self.variant_of or self.id,
            # a variant records its changes from its base (a revision's own are not carried)
            changes=(*(self.changes if self.variant_of else ()), *record),
            revises=None,
        )
        if name and not self.id.endswith(f".{name}"):
            data["id"] = f"{self.id}.{name}"
        try:
            return Policy.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise PolicyError(
                f"the variant is not a valid policy: {where}: {first['msg']}"
            ) from None

    def _apply(
        self,
        changes: Mapping[str, Mapping[str, Any]] | None,
        add: Sequence[Rule],
        remove: Sequence[str],
        reason: str,
    ) -> tuple[dict[str, Any], list[Change]]:
        """This policy's data with the changes made, and the record of each change."""
        changes = dict(changes or {})
        data = self.model_dump(mode="python")
        rules: list[dict[str, Any]] = list(data["rules"])
        by_id = {r["id"]: r for r in rules}
        record: list[Change] = []
        for rule_id, updates in changes.items():
            if rule_id not in by_id:
                raise PolicyError(
                    f"no rule {rule_id!r} in policy {self.id}",
                    hint=f"its rules: {', '.join(by_id)}",
                )
            target = by_id[rule_id]
            for field, new in updates.items():
                if field in ("id", "kind", "citation"):
                    raise PolicyError(f"a variant may not change a rule's {field}")
                if field not in target:
                    raise PolicyError(
                        f"rule {rule_id} has no field {field!r}",
                        hint=f"its fields: {', '.join(k for k in target if k != 'citation')}",
                    )
                record.append(
                    Change(
                        rule=rule_id,
                        field=field,
                        old=_plain(target[field]),
                        new=_plain(new),
                        reason=reason,
                    )
                )
                target[field] = new
        for rule_id in remove:
            if rule_id not in by_id:
                raise PolicyError(f"no rule {rule_id!r} to remove in policy {self.id}")
            rules.remove(by_id[rule_id])
            record.append(
                Change(rule=rule_id, field="*", old="present", new="removed", reason=reason)
            )
        for rule in add:
            rules.append(rule.model_dump(mode="python"))
            record.append(Change(rule=rule.id, field="*", old=None, new="added", reason=reason))
        data["rules"] = rules
        return data, record

    def revised(
        self,
        version: str,
        changes: Mapping[str, Mapping[str, Any]] | None = None,
        *,
        reason: str,
        add: Sequence[Rule] = (),
        remove: Sequence[str] = (),
        notes: Sequence[str] = (),
        not_modelled: Sequence[NotModelled] | None = None,
    ) -> Policy:
        """A new version of the same document's encoding: the same id, ``version``, and the
        changes from this version recorded (``revises`` names it). Both versions stay
        available, so receipts drawn under this one still verify."""
        data, record = self._apply(changes, add, remove, reason)
        data.update(
            version=version,
            revises=self.version,
            changes=tuple(record),
            notes=(*self.notes, *notes),
        )
        if not_modelled is not None:
            data["not_modelled"] = tuple(not_modelled)
        return Policy.model_validate(data)

    def iter_rules(self) -> Iterator[AnyRule]:
        yield from self.rules


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def leave_out(document: str) -> Callable[[str, str], NotModelled]:
    """A maker of not-modelled entries for one document: ``skip = leave_out("获嘉县 细则")``,
    then ``skip("第十八条", "why no rule encodes it")``."""

    def make(clause: str, reason: str) -> NotModelled:
        return NotModelled(document=document, clause=clause, reason=reason)

    return make


def cite(document: str, source_file: str) -> Callable[[str, str], Citation]:
    """A citation maker for one document: ``c = cite("获嘉县 实施细则", "002_….txt")``,
    then ``c("第十四条", "每季度至少…")``."""

    def make(clause: str, quote: str) -> Citation:
        return Citation(document=document, clause=clause, quote=quote, source_file=source_file)

    return make
