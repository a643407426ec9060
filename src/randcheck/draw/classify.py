"""Classification: propose each entity's class from the policy's criteria.

The criteria are :class:`~randcheck.policies.model.Classification` rules:
conditions over entity fields (本溪 六(二), 获嘉 第九条(一), 西平 一(三)). Each
condition becomes one durable-rules rule, so the report can say which
condition of which clause matched. Entities are asserted as facts, one
session per entity. The proposal is the first class in the policy's
precedence whose criteria matched; else the default class, unless the policy
has no criterion for the recorded class, which then stands.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from durable import lang

from randcheck.models import EntityClass
from randcheck.policies.model import Classification, ClassPrecedence, Condition, Policy
from randcheck.registry import Registry
from randcheck.rules_engine import Emit, RuleEngine


@dataclass(frozen=True)
class Match:
    """One condition of one criterion that an entity meets."""

    rule_id: str
    entity_class: EntityClass
    condition: str
    clause: str


@dataclass(frozen=True)
class Proposal:
    """An entity's recorded class, the class the criteria propose, and why."""

    uscc: str
    name: str
    recorded: EntityClass
    proposed: EntityClass
    matches: tuple[Match, ...]
    basis: str  # "criteria", "default" or "recorded"

    @property
    def differs(self) -> bool:
        return self.recorded is not self.proposed

    @property
    def reason(self) -> str:
        if self.basis == "criteria":
            chosen = [m for m in self.matches if m.entity_class is self.proposed]
            return "; ".join(f"{m.condition} ({m.clause})" for m in chosen)
        if self.basis == "recorded":
            return "the policy states no criterion for this class: the recorded class stands"
        return (
            "no criterion matches: the default class (the recorded class may rest on "
            "grounds the registry does not hold)"
        )


@dataclass
class ClassificationReport:
    """Proposals for every entity; ``differences`` are those whose recorded class differs."""

    policy_id: str
    policy_version: str
    proposals: list[Proposal] = field(default_factory=list)

    @property
    def differences(self) -> list[Proposal]:
        return [p for p in self.proposals if p.differs]

    def __iter__(self) -> Iterator[Proposal]:
        return iter(self.proposals)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _expression(condition: Condition) -> Any:
    attribute = getattr(lang.m, condition.field)
    if condition.op == "is_true":
        return attribute == True  # noqa: E712 - a durable-rules pattern, not a Python test
    if condition.op == "eq":
        return attribute == condition.value
    values = list(condition.value or [])
    expression = attribute == values[0]
    for value in values[1:]:
        expression = expression | (attribute == value)
    return expression


def _engine(criteria: list[Classification], policy_id: str) -> RuleEngine:
    spec = json.dumps([c.model_dump(mode="json") for c in criteria], sort_keys=True)
    name = f"randcheck.classify.{policy_id}.{hashlib.sha256(spec.encode()).hexdigest()[:16]}"

    def define(emit: Emit) -> None:
        for rule in criteria:
            for index, condition in enumerate(rule.any_of):
                pattern = (lang.m.kind == "entity") & _expression(condition)
                lang.when_all(pattern)(_action(emit, rule.id, index))

    return RuleEngine.get(name, define)


def _action(emit: Emit, rule_id: str, index: int) -> Any:
    def action(c: Any) -> None:  # exactly one parameter: see randcheck.rules_engine
        emit(rule_id, {"condition": index})

    return action


def classify(policy: Policy, registry: Registry) -> ClassificationReport:
    """Each entity's proposed class under ``policy``, with the conditions that matched."""
    criteria = policy.rules_of(Classification)
    precedence = policy.one(ClassPrecedence)
    order = precedence.order if precedence else (EntityClass.SPECIAL, EntityClass.KEY)
    default = precedence.default if precedence else EntityClass.GENERAL
    report = ClassificationReport(policy.id, policy.version)
    fields = sorted({c.field for rule in criteria for c in rule.any_of})
    columns = [registry.column(f) for f in fields]
    by_id = {rule.id: rule for rule in criteria}
    judged = {rule.entity_class for rule in criteria} | {default}
    engine = _engine(criteria, policy.id) if criteria else None
    for row, (uscc, name, recorded) in enumerate(
        zip(registry.column("uscc"), registry.column("name"), registry.column("entity_class"))
    ):
        matches: list[Match] = []
        if engine is not None:
            fact = {"kind": "entity"}
            for name_, column in zip(fields, columns):
                value = _plain(column[row])
                if value is not None:
                    fact[name_] = value
            for finding in engine.facts(uscc, [fact]):
                rule = by_id[finding.rule_id]
                condition = rule.any_of[int(finding.data["condition"])]
                matches.append(
                    Match(rule.id, rule.entity_class, str(condition), rule.citation.clause)
                )
        matched = {m.entity_class for m in matches}
        proposed = next((cls for cls in order if cls in matched), None)
        if proposed is not None:
            basis = "criteria"
        elif recorded in judged:
            proposed, basis = default, "default"
        else:
            proposed, basis = recorded, "recorded"
        report.proposals.append(Proposal(uscc, name, recorded, proposed, tuple(matches), basis))
    return report
