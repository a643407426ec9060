"""The draw protocol as the docs state it: docs/verification.md and docs/registry.md.

Three kinds of check keep the pages true:

- every block of the worked examples (marked ``<!-- check: NAME -->``) is read
  from the Markdown and recomputed with randcheck, so no number can drift;
- the tables (header lines, enumerations and their spellings) are compared
  with the models;
- a verifier written from the pages alone (below, :class:`Spec`: plain Python,
  no randcheck import) reproduces randcheck's quotas, tasks, teams, result
  digests and replacements for every built-in policy and variant, with and
  without jurisdiction, campaign, joint departments, expertise, capacity and
  history, under both draw versions.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import math
import random
import re
from enum import Enum
from pathlib import Path
from typing import Any

import consistent_sampler
import pytest

from randcheck.draw.announcement import campaign_json, draw_parameters
from randcheck.draw.history import History, Inspection, load_history
from randcheck.draw.receipt import reveal, seal, seed_context, verify
from randcheck.draw.replace import replace_inspector
from randcheck.draw.select import DRAW_V1, DRAW_V2, plan_draw
from randcheck.errors import DrawError, PolicyError
from randcheck.io.registry_files import load_registry
from randcheck.models import Entity, InspectionItem, Inspector
from randcheck.models.entity import (
    ControlLevel,
    CreditRating,
    EntityClass,
    Grade,
    PermitClass,
    PollutionType,
    ProductionStatus,
    Scale,
)
from randcheck.models.inspector import AuxiliaryKind, Gender
from randcheck.models.vocab import Mode, ReplacementReason
from randcheck.periods import Quarter
from randcheck.policies import get_policy
from randcheck.policies.model import (
    Citation,
    Condition,
    ItemCap,
    ListFixed,
    NoMinimum,
    NonSite,
    NotSpecified,
    Policy,
    QuarterlyMinimum,
    QuarterlyShare,
    StaffMultiple,
    Team,
)
from randcheck.policies.registry import BUILTINS, VARIANTS, versions
from randcheck.randomness import canonical_json, draw_seed
from randcheck.registry import EntityFilter, Registry
from randcheck.sampling import ticket
from randcheck.synth import generate_registry

DOCS = Path(__file__).resolve().parents[2] / "docs"
VERIFICATION = DOCS / "verification.md"
REGISTRY_PAGE = DOCS / "registry.md"

_BLOCK = re.compile(r"<!-- check: ([\w.\-]+) -->\n```[^\n]*\n(.*?)\n```", re.DOTALL)


def blocks(page: Path) -> dict[str, str]:
    """The marked fenced blocks of a page, by name (each name once)."""
    text = page.read_text(encoding="utf-8")
    found: dict[str, str] = {}
    for name, body in _BLOCK.findall(text):
        assert name not in found, f"{page.name}: block {name} marked twice"
        found[name] = body
    return found


def plain(value: Any) -> Any:
    """A field value as the registry digest writes it (docs/registry.md)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, frozenset):
        return sorted(plain(v) for v in value)
    return value


def canonical_text(registry: Registry) -> str:
    """The registry's canonical text, built as docs/registry.md says."""

    def line(kind: str, values: list[Any]) -> str:
        return kind + "\t" + json.dumps(values, ensure_ascii=False, separators=(",", ":")) + "\n"

    models = (Entity, Inspector, InspectionItem)
    fields = [list(m.model_fields) for m in models]
    text = "randcheck-registry-v1\n" + "".join(line(k, f) for k, f in zip("EIT", fields))
    for e in sorted(registry.entities(), key=lambda e: e.uscc):
        text += line("E", [plain(getattr(e, f)) for f in fields[0]])
    for i in sorted(registry.inspectors, key=lambda i: i.inspector_id):
        text += line("I", [plain(getattr(i, f)) for f in fields[1]])
    for t in sorted(registry.items, key=lambda t: t.code):
        text += line("T", [plain(getattr(t, f)) for f in fields[2]])
    return text


# --- docs/registry.md: the digest -----------------------------------------------------


def test_header_lines_are_the_models_fields() -> None:
    lines = blocks(REGISTRY_PAGE)["digest-headers"].split("\n")
    models = (Entity, Inspector, InspectionItem)
    assert lines == [
        f"{kind}\t" + json.dumps(list(m.model_fields), separators=(",", ":"))
        for kind, m in zip("EIT", models)
    ]


ENUM_FIELDS: dict[str, type[Enum]] = {
    "entity_class": EntityClass,
    "pollution_types": PollutionType,
    "permit_class": PermitClass,
    "production_status": ProductionStatus,
    "control_level": ControlLevel,
    "credit_rating": CreditRating,
    "market_credit_risk, weather_grade": Grade,
    "scale": Scale,
    "gender": Gender,
    "auxiliary_kind": AuxiliaryKind,
}


def _enum_table() -> list[tuple[str, str, list[str]]]:
    text = REGISTRY_PAGE.read_text(encoding="utf-8")
    start = text.index("<!-- check: enumerations -->")
    rows = []
    for line in text[start:].split("\n")[3:]:
        if not line.startswith("|"):
            break
        field, value, spellings = (c.strip() for c in line.strip("|").split("|"))
        rows.append((field, value.strip("`"), [s.strip() for s in spellings.split(",")]))
    return rows


def test_enumeration_table_gives_every_member_and_every_spelling() -> None:
    rows = _enum_table()
    listed = {(field, value): spellings for field, value, spellings in rows}
    assert len(listed) == len(rows), "a member is listed twice"
    expected = {
        (field, m.value): [m.zh, *m.aliases]  # type: ignore[attr-defined]
        for field, enum in ENUM_FIELDS.items()
        for m in enum
    }
    assert listed == expected
    for (field, value), spellings in listed.items():
        enum = ENUM_FIELDS[field]
        for spelling in [value, value.lower(), f" {value} ", *spellings]:
            assert enum(spelling).value == value  # type: ignore[call-arg]


def test_history_mode_and_replacement_reason_spellings_are_the_documented_ones() -> None:
    text = re.sub(r"\s+", " ", VERIFICATION.read_text(encoding="utf-8"))
    for member in Mode:
        spelled = f"`{member.value}` ({', '.join([member.zh, *member.aliases])})"
        assert spelled in text
    replacements = text[text.index("### Replacements") :]
    for reason in ReplacementReason:
        spelled = f"{reason.value} ({', '.join([reason.zh, *reason.aliases])})"
        assert spelled in replacements


def test_the_digest_worked_example(tmp_path: Path) -> None:
    page = blocks(REGISTRY_PAGE)
    for name, file in [
        ("digest-entities.csv", "registry.csv"),
        ("digest-inspectors.csv", "registry.inspectors.csv"),
        ("digest-items.csv", "registry.items.csv"),
    ]:
        (tmp_path / file).write_text(page[name] + "\n", encoding="utf-8")
    registry = load_registry(tmp_path / "registry.csv")
    text = page["digest-canonical"] + "\n"
    assert "\t" in text, "the canonical text's TABs were lost"
    assert text == canonical_text(registry)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert digest == page["digest-value"] == registry.digest


def test_the_digest_is_the_documented_text_on_a_synthetic_registry() -> None:
    registry = generate_registry(300, 20, seed="protocol-docs", jurisdictions=2)
    text = canonical_text(registry)
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == registry.digest


# --- docs/verification.md: the worked example ----------------------------------------

EXAMPLE = blocks(VERIFICATION)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("example")
    (folder / "example.csv").write_text(EXAMPLE["example-entities.csv"] + "\n", "utf-8")
    (folder / "example.inspectors.csv").write_text(
        EXAMPLE["example-inspectors.csv"] + "\n", "utf-8"
    )
    (folder / "history.csv").write_text(EXAMPLE["example-history.csv"] + "\n", "utf-8")
    inputs = json.loads(EXAMPLE["example-inputs"])
    return {
        **inputs,
        "registry": load_registry(folder / "example.csv"),
        "history": load_history(folder / "history.csv"),
        "policy": get_policy(inputs["policy"], version=inputs["version"]),
        "period": Quarter.parse(inputs["period"]),
    }


def _context(example: dict[str, Any], joint: dict[str, Any] | None = None) -> dict[str, Any]:
    joint = joint or {}
    return seed_context(
        example["policy"],
        example["period"],
        example["jurisdiction"],
        example["registry"].digest,
        example["history"].digest,
        None,
        joint.get("departments", ()),
        frozenset(joint.get("expertise", ())),
        joint.get("capacity"),
    )


def test_example_digests_and_seed(example: dict[str, Any]) -> None:
    registry, history = example["registry"], example["history"]
    assert EXAMPLE["example-digests"].split() == [
        "registry_digest",
        registry.digest,
        "history_digest",
        history.digest,
    ]
    context = _context(example)
    assert EXAMPLE["example-seed-context"] == canonical_json(context)
    text = EXAMPLE["example-seed-text"]
    assert text.split("\n") == [
        "randcheck-seed-v1",
        example["secret"],
        example["public_randomness"],
        canonical_json(context),
    ]
    seed = draw_seed(example["secret"], example["public_randomness"], context)
    assert EXAMPLE["example-seed"] == seed == hashlib.sha256(text.encode()).hexdigest()


def test_example_tickets_and_consistent_sampler(example: dict[str, Any]) -> None:
    seed = EXAMPLE["example-seed"]
    listed = [line.split(" ") for line in EXAMPLE["example-tickets"].split("\n")]
    assert sorted(u for u, _ in listed) == sorted(example["registry"].column("uscc"))
    for uscc, value in listed:
        assert value == ticket(uscc, seed) == Spec.ticket(uscc, seed)
    by_ticket = [u for _, u in sorted((t, u) for u, t in listed)]
    sampled = consistent_sampler.sampler(
        [u for u, _ in listed], seed=seed, with_replacement=False, output="id"
    )
    assert list(sampled) == by_ticket


def test_example_draw(example: dict[str, Any]) -> None:
    seed = EXAMPLE["example-seed"]
    result = plan_draw(
        example["policy"],
        example["registry"],
        example["period"],
        seed,
        history=example["history"],
        jurisdiction=example["jurisdiction"],
    )
    assert json.loads(EXAMPLE["example-quotas"]) == [q.to_json() for q in result.quotas]
    documented = json.loads(EXAMPLE["example-result"])
    assert documented == result.result_json()
    digest = hashlib.sha256(canonical_json(documented).encode("utf-8")).hexdigest()
    assert EXAMPLE["example-result-digest"] == digest
    on_site = [t for t in result.tasks if t.team]
    expected = [
        f"{t.task_id} {i} {ticket(i, f'{seed}|{t.uscc}')}"
        for t in on_site
        for i in ("HJ01", "HJ02", "HJ03", "HJ04")
    ]
    assert EXAMPLE["example-team-tickets"].split("\n") == expected
    first = on_site[0]
    record = replace_inspector(
        example["policy"],
        example["registry"],
        result,
        seed,
        first.task_id,
        first.team[0],
        ReplacementReason.RECUSAL,
    )
    assert json.loads(EXAMPLE["example-replacement"]) == record.to_json()


def test_example_joint_draw(example: dict[str, Any]) -> None:
    joint = json.loads(EXAMPLE["joint-inputs"])
    context = _context(example, joint)
    assert EXAMPLE["joint-seed-context"] == canonical_json(context)
    seed = draw_seed(example["secret"], example["public_randomness"], context)
    assert EXAMPLE["joint-seed"] == seed
    result = plan_draw(
        example["policy"],
        example["registry"],
        example["period"],
        seed,
        history=example["history"],
        jurisdiction=example["jurisdiction"],
        departments=joint["departments"],
        expertise=frozenset(joint["expertise"]),
        capacity=joint["capacity"],
    )
    lines = [f"{t.task_id} {t.uscc} {t.mode.value} {' '.join(t.team) or '-'}" for t in result.tasks]
    assert EXAMPLE["joint-teams"].split("\n") == lines
    assert (
        EXAMPLE["joint-result-digest"]
        == hashlib.sha256(canonical_json(result.result_json()).encode("utf-8")).hexdigest()
    )
    expected = [
        f"{t.task_id} {i} {ticket(i, f'{seed}|{t.uscc}')}"
        for t in result.tasks
        if t.team
        for i in ("HJ01", "HJ02", "HJ03", "HJ04")
    ]
    assert EXAMPLE["joint-team-tickets"].split("\n") == expected


def test_example_seals_reveals_and_verifies(example: dict[str, Any]) -> None:
    receipt, _ = seal(
        example["policy"],
        example["registry"],
        example["period"],
        secret=example["secret"],
        public_randomness=example["public_randomness"],
        history=example["history"],
        jurisdiction=example["jurisdiction"],
    )
    assert receipt["quotas"] == json.loads(EXAMPLE["example-quotas"])
    assert receipt["result_digest"] == EXAMPLE["example-result-digest"]
    revealed = reveal(receipt, example["secret"], example["registry"], example["history"])
    assert revealed["revealed"]["seed"] == EXAMPLE["example-seed"]
    assert {"tasks": revealed["revealed"]["tasks"]} == json.loads(EXAMPLE["example-result"])
    assert verify(revealed, example["registry"], example["history"]).ok


def test_the_verifier_from_the_docs_reproduces_the_example(example: dict[str, Any]) -> None:
    registry, history = example["registry"], example["history"]
    spec = Spec(draw_parameters(example["policy"]), registry, history)
    seed = EXAMPLE["example-seed"]
    quotas, tasks = spec.draw(example["period"].label, seed, example["jurisdiction"])
    assert quotas == json.loads(EXAMPLE["example-quotas"])
    assert {"tasks": tasks} == json.loads(EXAMPLE["example-result"])
    assert spec.history_digest() == history.digest
    joint = json.loads(EXAMPLE["joint-inputs"])
    context = json.loads(EXAMPLE["joint-seed-context"])
    joint_seed = Spec.seed(example["secret"], example["public_randomness"], context)
    _, joint_tasks = spec.draw(
        example["period"].label,
        joint_seed,
        example["jurisdiction"],
        departments=joint["departments"],
        expertise=joint["expertise"],
        capacity=joint["capacity"],
    )
    assert Spec.sha256_hex(canonical_json({"tasks": joint_tasks})) == EXAMPLE["joint-result-digest"]


def test_campaign_example_is_canonical() -> None:
    documented = json.loads(EXAMPLE["campaign-example"])
    assert campaign_json(EntityFilter.model_validate(documented)) == documented
    assert canonical_json(documented) == EXAMPLE["campaign-example"]


def test_empty_history_digest_is_the_documented_one() -> None:
    text = VERIFICATION.read_text(encoding="utf-8")
    found = re.search(r"The\s+empty history's digest is\s+`([0-9a-f]{64})`", text)
    assert found is not None
    assert found.group(1) == History().digest == Spec.sha256_hex("randcheck-history-v1\n")


def test_the_documented_gap_rounding_hazard_is_real() -> None:
    """docs: about 100,000 terms whose exact sum is an integer k can give k + 1."""
    rate = 0.0
    for _ in range(110_000):
        rate += 1 / 10
    assert math.ceil(round(rate, 9)) == 11_001


# --- a verifier written from the docs alone ---------------------------------------------


class SpecError(Exception):
    """The draw fails (too few inspectors, no inspector of a department) or a
    replacement is refused."""


class Spec:
    """docs/verification.md as code: the draw from canonical values and policy parameters.

    It reads the registry, the history and the policy only as the docs give them
    (canonical values; the receipt's ``parameters``) and imports nothing from
    randcheck's draw.
    """

    CLASSES = ("KEY", "SPECIAL", "GENERAL")
    OPERATING = ("OPERATING", "SEASONAL")
    RECUSAL = "declared conflict of interest (利害关系, 回避)"

    def __init__(
        self,
        parameters: dict[str, Any],
        registry: Registry,
        history: History,
        list_fixed_approver: str | None = None,
    ) -> None:
        self.params = json.loads(json.dumps(parameters))
        self.rules: list[dict[str, Any]] = self.params["rules"]
        self.entities = [  # in registry row order
            {f: plain(getattr(e, f)) for f in Entity.model_fields} for e in registry.entities()
        ]
        self.inspectors = [
            {f: plain(getattr(i, f)) for f in Inspector.model_fields} for i in registry.inspectors
        ]
        self.history = [
            {
                "uscc": h.uscc,
                "date": h.date.isoformat(),
                "mode": h.mode.value,
                "items": list(h.items),
                "task_id": h.task_id,
            }
            for h in history
        ]
        self.list_fixed_approver = list_fixed_approver

    # --- bytes ---

    @staticmethod
    def sha256_hex(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @staticmethod
    def seed(secret: str, public: str, context: dict[str, Any]) -> str:
        text = "randcheck-seed-v1\n" + secret + "\n" + public + "\n" + canonical_json(context)
        return Spec.sha256_hex(text)

    @staticmethod
    def ticket(ident: str, seed: str) -> str:
        number = int(Spec.sha256_hex(Spec.sha256_hex(seed) + ident), 16)
        return "0." + str(number).rjust(64, "0")[::-1]

    @staticmethod
    def order(ids: Any, seed: str) -> list[str]:
        return sorted(ids, key=lambda i: (Spec.ticket(i, seed), i))

    @staticmethod
    def take(ids: Any, seed: str, k: int) -> list[str]:
        return Spec.order(ids, seed)[: max(k, 0)]

    def history_digest(self) -> str:
        lines = sorted(
            json.dumps(
                [h["uscc"], h["date"], h["mode"], h["items"], h["task_id"]],
                ensure_ascii=False,
                separators=(",", ":"),
            )
            for h in self.history
        )
        return self.sha256_hex("randcheck-history-v1\n" + "".join(f"H\t{x}\n" for x in lines))

    # --- rules and conditions ---

    def rule(self, kind: str, cls: str | None = None) -> dict[str, Any] | None:
        for r in self.rules:
            if r["kind"] == kind and (cls is None or r.get("entity_class") == cls):
                return r
        return None

    @staticmethod
    def clause(rule: dict[str, Any]) -> str:
        return rule["citation"]["document"] + " " + rule["citation"]["clause"]

    @staticmethod
    def holds(condition: dict[str, Any], value: Any) -> bool:
        op, wanted = condition["op"], condition["value"]
        if op == "is_true":
            return value is True
        if op == "eq":
            return isinstance(value, str) and value == wanted
        return isinstance(value, str) and value in wanted

    @staticmethod
    def in_campaign(campaign: dict[str, Any] | None, e: dict[str, Any]) -> bool:
        if campaign is None:
            return True
        member = [
            ("classes", "entity_class"),
            ("permit_classes", "permit_class"),
            ("scales", "scale"),
            ("statuses", "production_status"),
        ]
        for key, field in member:
            if campaign[key] is not None and e[field] not in campaign[key]:
                return False
        for key, field in [("pollution_types", "pollution_types"), ("tags_any", "tags")]:
            if campaign[key] is not None and not set(campaign[key]) & set(e[field]):
                return False
        for key, field in [
            ("division_prefixes", "division_code"),
            ("industry_prefixes", "industry_code"),
        ]:
            if campaign[key] and not any(e[field].startswith(p) for p in campaign[key]):
                return False
        return all(e[flag] is value for flag, value in campaign["flags"].items())

    def pool(self, jurisdiction: str | None) -> list[dict[str, Any]]:
        rule = self.rule("inspector_pool")
        need_certificate = rule["require_certificate"] if rule else True
        need_on_staff = rule["require_on_staff"] if rule else True
        return [
            i
            for i in self.inspectors
            if (jurisdiction is None or i["region"] is None or i["region"] == jurisdiction)
            and not i["auxiliary"]
            and (i["has_certificate"] or not need_certificate)
            and (i["on_staff"] or not need_on_staff)
        ]

    # --- the draw ---

    def draw(
        self,
        period: str,
        seed: str,
        jurisdiction: str | None = None,
        campaign: dict[str, Any] | None = None,
        departments: list[str] | tuple[str, ...] = (),
        expertise: list[str] | tuple[str, ...] = (),
        capacity: int | None = None,
        algorithm: str = "randcheck-draw-v2",
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        v2 = algorithm == "randcheck-draw-v2"
        year, n = int(period[:4]), int(period[5])
        start = f"{year:04d}-{3 * n - 2:02d}-01"
        earlier = [h for h in self.history if h["date"] < start]
        this_year = [h for h in earlier if h["date"] >= f"{year:04d}-01-01"]
        effective_from = dt.date.fromisoformat(self.params["effective_from"])
        index, quarters_left_in_year = 4 * year + n - 1, 5 - n

        base_rule = self.rule("draw_base")
        statuses = base_rule["statuses"] if base_rule else list(self.OPERATING)
        label = "operating" if set(statuses) <= set(self.OPERATING) else "registered (not closed)"
        cap = self.rule("item_cap")
        visits: dict[str, int] = {}
        for h in this_year:
            visits[h["uscc"]] = visits.get(h["uscc"], 0) + 1
        pool = self.pool(jurisdiction)
        looked_at = [
            e for e in self.entities if jurisdiction is None or e["division_code"] == jurisdiction
        ]
        quotas: list[dict[str, Any]] = []
        drawn: list[tuple[str, str, int, bool, bool | None]] = []
        for c in self.CLASSES:
            share = self.rule("quarterly_share", c)
            scope = share["scope"] if share else []
            scoped_rules = [  # in_scope tests the last scoped share rule of the class
                r
                for r in self.rules
                if r["kind"] == "quarterly_share" and r["entity_class"] == c and r["scope"]
            ]
            tested = scoped_rules[-1]["scope"] if scoped_rules else []
            base = [
                e
                for e in looked_at
                if e["entity_class"] == c and e["production_status"] in statuses
            ]
            in_scope = {e["uscc"]: all(self.holds(x, e[x["field"]]) for x in tested) for e in base}
            eligible = [
                e["uscc"]
                for e in base
                if self.in_campaign(campaign, e)
                and not (
                    cap is not None
                    and c not in cap["exempt"]
                    and visits.get(e["uscc"], 0) >= cap["max_per_year"]
                )
            ]
            base_ids = {e["uscc"] for e in base}
            terms: list[dict[str, Any]] = []
            notes: list[str] = []
            unc: set[str] = set()
            now: set[str] = set()
            share_count = 0
            if share:
                counted = [u for u in base_ids if not scope or in_scope[u]]
                f = share["min_fraction"]
                share_count = math.ceil(round(f * len(counted), 9))
                why = (
                    f"{f * 100:g} % of {len(counted)} {label} {c.lower()} entities"
                    + (" in scope" if scope else "")
                    + ", rounded up"
                )
                terms.append(self._term(share, share_count, why))
            multiple = self.rule("staff_multiple", c)
            if multiple:
                staff = sum(
                    1
                    for i in pool
                    if i["on_staff"]
                    and not i["auxiliary"]
                    and (multiple["basis"] != "certified" or i["has_certificate"])
                )
                m = multiple["multiple"]
                yearly = math.ceil(m * staff)
                done = len({h["uscc"] for h in this_year if h["uscc"] in base_ids})
                rest = max(0, yearly - done)
                why = (
                    f"{m:g} x {staff} inspectors = {yearly} a year; {done} done; "
                    f"{rest} over {quarters_left_in_year} quarter(s) left"
                )
                terms.append(self._term(multiple, -(-rest // quarters_left_in_year), why))
            cycle = self.rule("coverage_cycle", c)
            if cycle and cycle["measure"] == "gap":
                last: dict[str, str] = {}
                for h in earlier:
                    last[h["uscc"]] = max(h["date"], last.get(h["uscc"], h["date"]))
                rate = 0.0
                for u in eligible:  # registry row order
                    d = dt.date.fromisoformat(last[u]) if u in last else effective_from
                    try:
                        limit = d.replace(year=d.year + cycle["years"])
                    except ValueError:
                        limit = d.replace(year=d.year + cycle["years"], day=28)
                    limit -= dt.timedelta(days=1)
                    left = 4 * limit.year + (limit.month - 1) // 3 - index + 1
                    if left <= 1:
                        now.add(u)
                        rate = rate + 1
                    else:
                        rate = rate + 1 / left
                        if left <= 4:
                            unc.add(u)
                unc |= now
                count = max(math.ceil(round(rate, 9)), len(now))
                why = (
                    f"{len(now)} due by {period} ({cycle['years']} years since their last "
                    f"inspection); {len(eligible) - len(now)} others spread over the quarters "
                    "to their limits"
                )
                terms.append(self._term(cycle, count, why))
            elif cycle:
                anchor = effective_from.year
                first = anchor + max(0, (year - anchor) // cycle["years"]) * cycle["years"]
                last_year = first + cycle["years"] - 1
                left = (last_year - year) * 4 + quarters_left_in_year
                end = f"{last_year:04d}-12-31"
                seen: dict[str, int] = {}
                for h in earlier:
                    if f"{first:04d}-01-01" <= h["date"] <= end:
                        seen[h["uscc"]] = seen.get(h["uscc"], 0) + 1
                need = {u: cycle["times"] - seen.get(u, 0) for u in eligible}
                need = {u: k for u, k in need.items() if k > 0}
                unc, now = set(need), {u for u, k in need.items() if k >= left}
                total = sum(need.values())
                why = (
                    f"{total} inspection(s) still needed by {end} ({len(unc)} entities) "
                    f"over {left} quarter(s)" + (f"; {len(now)} must be drawn now" if now else "")
                )
                terms.append(self._term(cycle, max(-(-total // left), len(now)), why))
            minimum = self.rule("quarterly_minimum", c)
            if minimum:
                why = f"at least {minimum['count']} each quarter"
                terms.append(self._term(minimum, minimum["count"], why))
            for r in self.rules:
                if r["kind"] == "not_specified" and r["entity_class"] == c:
                    notes.append(f"{r['id']}: not specified ({r['stated']}), {self.clause(r)}")
            no_minimum = self.rule("no_minimum", c)
            if no_minimum:
                notes.append(
                    f"{no_minimum['id']}: no minimum, inspections any time, "
                    + self.clause(no_minimum)
                )
            if not terms and not notes:
                notes.append("the policy sets no number for this class")
            required = max((t["count"] for t in terms), default=0)
            quota = min(required, len(eligible))
            if required > quota:
                notes.append(
                    f"capped: the rules ask for {required}, the eligible pool holds {quota}"
                )
            quotas.append(
                {
                    "class": c,
                    "quota": quota,
                    "required": required,
                    "capped": required > len(eligible),
                    "base": len(base),
                    "eligible": len(eligible),
                    "uncovered": len(unc),
                    "terms": terms,
                    "notes": notes,
                }
            )
            if quota == 0:
                continue
            chosen = self.take([u for u in eligible if u in now], seed, quota) if v2 else []
            if v2 and share and scope and share_count > 0:
                scoped = [u for u in eligible if in_scope[u]]
                short = share_count - sum(1 for u in chosen if in_scope[u])
                for level in (
                    [u for u in scoped if u not in chosen and u in unc],
                    [u for u in scoped if u not in chosen and u not in unc],
                ):
                    if short <= 0 or len(chosen) >= quota:
                        break
                    picked = self.take(level, seed, min(short, quota - len(chosen)))
                    chosen += picked
                    short -= len(picked)
            taken = set(chosen)
            for level in (
                [u for u in eligible if u in unc and u not in taken],
                [u for u in eligible if u not in unc and u not in taken],
            ):
                if len(chosen) >= quota:
                    break
                chosen += self.take(level, seed, quota - len(chosen))
            drawn += [
                (u, c, rank, u in unc, (u in now) if v2 else None)
                for rank, u in enumerate(chosen, start=1)
            ]
        return quotas, self._tasks(
            drawn, period, seed, jurisdiction, pool, departments, expertise, capacity
        )

    def _term(self, rule: dict[str, Any], count: int, why: str) -> dict[str, Any]:
        return {
            "rule_id": rule["id"],
            "clause": self.clause(rule),
            "count": count,
            "explanation": why,
        }

    def _tasks(
        self,
        drawn: list[tuple[str, str, int, bool, bool | None]],
        period: str,
        seed: str,
        jurisdiction: str | None,
        pool: list[dict[str, Any]],
        departments: Any,
        expertise: Any,
        capacity: int | None,
    ) -> list[dict[str, Any]]:
        by_id = {e["uscc"]: e for e in self.entities}
        non_site = [x for r in self.rules if r["kind"] == "non_site" for x in r["any_of"]]
        team_rule = self.rule("team")
        size = team_rule["min_size"] if team_rule and team_rule["min_size"] else 2
        size = max(size, len(departments))
        wanted = set(expertise)
        load = {i["inspector_id"]: 0 for i in pool}
        tasks = []
        for number, (uscc, c, rank, uncovered, due_now) in enumerate(drawn, start=1):
            task: dict[str, Any] = {
                "task_id": f"{period}-{jurisdiction or 'ALL'}-{number:05d}",
                "uscc": uscc,
                "class": c,
                "mode": "ON_SITE",
                "rank": rank,
                "uncovered": uncovered,
            }
            if due_now is not None:
                task["due_now"] = due_now
            task["team"], task["recusals"] = [], []
            tasks.append(task)
            if any(self.holds(x, by_id[uscc][x["field"]]) for x in non_site):
                task["mode"] = "NON_SITE"
                continue
            es = seed + "|" + uscc
            conflicted = [i["inspector_id"] for i in pool if uscc in i["conflicts"]]
            task["recusals"] = [
                {"inspector_id": i, "reason": self.RECUSAL} for i in self.order(conflicted, es)
            ]
            free = [
                i
                for i in pool
                if i["inspector_id"] not in conflicted
                and (capacity is None or load[i["inspector_id"]] < capacity)
            ]
            candidates = sorted(
                free,
                key=lambda i: (
                    bool(wanted) and not wanted & set(i["expertise"]),
                    load[i["inspector_id"]],
                    self.ticket(i["inspector_id"], es),
                    i["inspector_id"],
                ),
            )
            team: list[str] = []
            for d in departments:
                member = next((i["inspector_id"] for i in candidates if i["department"] == d), None)
                if member is None:
                    if len(free) >= size:
                        raise SpecError(f"no eligible inspector of department {d}")
                    break
                team.append(member)
            for i in candidates:
                if len(team) >= size:
                    break
                if i["inspector_id"] not in team:
                    team.append(i["inspector_id"])
            if len(team) < size:
                raise SpecError("too few eligible inspectors")
            for i in team:
                load[i] += 1
            task["team"] = team
        return tasks

    def replace(
        self,
        tasks: list[dict[str, Any]],
        seed: str,
        jurisdiction: str | None,
        record: dict[str, Any],
    ) -> dict[str, Any]:
        """Replay one recorded replacement on ``tasks``; the record it makes."""
        rule = self.rule("replacement")
        approver = (rule["approval_by"] if rule else None) or self.list_fixed_approver
        task = next((t for t in tasks if t["task_id"] == record["task_id"]), None)
        if task is None or record["removed"] not in task["team"]:
            raise SpecError("no such task, or not on its team")
        reason, note = record["reason"], record.get("note")
        listed = rule is None or not rule["reasons"] or reason in rule["reasons"]
        if not listed and not (rule and rule["other_reasons"]):
            raise SpecError("a reason the policy does not allow")
        if not listed and not (note and note.strip()):
            raise SpecError("a reason not listed needs a note")
        if approver and not record["approved_by"]:
            raise SpecError("approval needed")
        usable = [
            i["inspector_id"]
            for i in self.pool(jurisdiction)
            if i["inspector_id"] not in task["team"] and task["uscc"] not in i["conflicts"]
        ]
        method = rule["method"] if rule else "drawn_again"
        if method == "any":
            method = "chosen" if record["method"] == "chosen" else "drawn_again"
        if method == "drawn_again":
            if not usable:
                raise SpecError("nobody left")
            added = self.order(usable, seed + "|" + task["uscc"])[0]
        else:
            if record["method"] != "chosen" or record["added"] not in usable:
                raise SpecError("the chosen inspector cannot join")
            added = record["added"]
        task["team"] = [added if i == record["removed"] else i for i in task["team"]]
        made = {
            "task_id": record["task_id"],
            "removed": record["removed"],
            "added": added,
            "reason": reason,
            "method": method,
            "approved_by": record["approved_by"],
        }
        if note:
            made["note"] = note.strip()
        return made


# --- the docs' verifier against randcheck, every built-in policy --------------------------


def _spec_registry() -> Registry:
    """A synthetic registry with what the generator leaves out: inspectors of no region,
    of two departments, declaring conflicts (with USCCs and with an organisation)."""
    registry = generate_registry(260, 22, seed="protocol-docs-spec", jurisdictions=3)
    rng = random.Random(11)
    usccs = list(registry.column("uscc"))
    inspectors = []
    for n, inspector in enumerate(registry.inspectors):
        update: dict[str, Any] = {"department": rng.choice(["执法大队", "监测站", None])}
        if n % 5 == 0:
            update["region"] = None
        if n % 4 == 1:
            update["conflicts"] = frozenset({*rng.sample(usccs, 4), "某某环保公司"})
        inspectors.append(inspector.model_copy(update=update))
    return Registry.from_records(registry.entities(), inspectors, registry.items)


SPEC_REGISTRY = _spec_registry()


def _spec_history() -> History:
    rng = random.Random(5)
    usccs = list(SPEC_REGISTRY.column("uscc"))
    records = []
    for k in range(420):
        records.append(
            Inspection(
                uscc=rng.choice(usccs),
                date=dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(365 * 8)),
                mode=rng.choice([Mode.ON_SITE, Mode.NON_SITE]),
                items=tuple(rng.sample(["HJ-01", "HJ-02", "HJ-03"], rng.randint(0, 2))),
                task_id=rng.choice([None, f"T{k:04d}"]),
            )
        )
    return History(records)


SPEC_HISTORY = _spec_history()
DIVISIONS = sorted(set(SPEC_REGISTRY.column("division_code")))
SCENARIOS: list[dict[str, Any]] = [
    {},
    {"jurisdiction": DIVISIONS[0]},
    {"jurisdiction": DIVISIONS[1], "algorithm": DRAW_V1},
    {
        "jurisdiction": DIVISIONS[2],
        "campaign": EntityFilter(
            classes=frozenset({EntityClass.KEY, EntityClass.GENERAL}),
            division_prefixes=(DIVISIONS[2][:4],),
        ),
        "expertise": frozenset({"水"}),
    },
    {
        "campaign": EntityFilter(
            pollution_types=frozenset({PollutionType.WASTEWATER}), flags={"two_high": False}
        ),
        "departments": ("监测站", "执法大队"),
        "expertise": frozenset({"大气", "危废"}),
        "capacity": 6,
    },
    {
        "jurisdiction": DIVISIONS[0],
        "campaign": EntityFilter(statuses=frozenset({ProductionStatus.OPERATING})),
        "departments": ("执法大队",),
        "capacity": 2,
    },
]


def _unusual_policy() -> Policy:
    """huojia with what no built-in policy has: a second (scoped) share for one class, a
    fractional certified staff multiple, a minimum, an item cap, a second non-site rule with
    ``in`` and ``eq``, notes with and without a class, a second team rule (never read), and
    inspectors not required to be on staff."""
    cite = Citation(document="测试文件", clause="第一条", quote="测试用的条款原文", source_file="-")
    common: dict[str, Any] = {"title": "test", "citation": cite}
    scope = (Condition(field="control_level", op="in", value=["NATIONAL", "PROVINCIAL"]),)
    non_site = (
        Condition(field="scale", op="in", value=["LARGE"]),
        Condition(field="control_level", op="eq", value="CITY"),
    )
    return get_policy("huojia", version="2023.2").with_changes(
        {"inspectors.pool": {"require_on_staff": False}},
        reason="docs test",
        name="protocol_docs",
        add=[
            QuarterlyShare(
                id="key.scoped_share", entity_class="KEY", min_fraction=0.5, scope=scope, **common
            ),
            StaffMultiple(
                id="special.multiple",
                entity_class="SPECIAL",
                multiple=0.07,
                basis="certified",
                **common,
            ),
            QuarterlyMinimum(id="general.minimum", entity_class="GENERAL", count=2, **common),
            ItemCap(id="cap", max_per_year=1, exempt=(EntityClass.SPECIAL,), **common),
            NonSite(id="non_site.large", any_of=non_site, **common),
            NotSpecified(id="all.note", topic="yearly_count", stated="适当", **common),
            NotSpecified(
                id="general.note",
                topic="quarterly_share",
                entity_class="GENERAL",
                stated="适当",
                **common,
            ),
            NoMinimum(id="special.no_minimum", entity_class="SPECIAL", **common),
            Team(id="team.size", min_size=3, **common),
        ],
    )


def _two_scoped_shares() -> Policy:
    """suixian (a share in scope 国控) with a second KEY share in another scope: the docs
    say which rule each step reads."""
    cite = Citation(document="测试文件", clause="第二条", quote="测试用的条款原文", source_file="-")
    scope = (Condition(field="control_level", op="in", value=["PROVINCIAL", "CITY"]),)
    extra = QuarterlyShare(
        id="key.second_share",
        title="test",
        citation=cite,
        entity_class="KEY",
        min_fraction=0.6,
        scope=scope,
    )
    base = get_policy("suixian", version="2021.2")
    return base.with_changes(reason="docs test", name="two_shares", add=[extra])


POLICIES = [
    *(p for pid in [*BUILTINS, *VARIANTS] for p in versions(pid)),
    _unusual_policy(),
    _two_scoped_shares(),
]


def _replacements(task: dict[str, Any]) -> list[dict[str, Any]]:
    """Replacement requests of every kind for one task: listed and unlisted reasons, with
    and without approval and note, drawn again, chosen among all inspectors (often one
    who may not join: auxiliary, of another region, conflicted) or among the usable."""
    others = [i for i in SPEC_REGISTRY.inspectors if i.inspector_id not in task["team"]]
    usable = [
        i.inspector_id
        for i in others
        if i.qualified and task["uscc"] not in i.conflicts and i.region in (None, task["region"])
    ]
    requests = []
    for reason in ("RECUSAL", "OTHER", "POST_CHANGE"):
        for approved_by in (None, "分管负责人"):
            for note in (None, "  借调 "):  # a note of white space is no note
                for chosen in (None, others[0].inspector_id, *usable[:1]):
                    requests.append(
                        {
                            "task_id": task["task_id"],
                            "removed": task["team"][0],
                            "reason": reason,
                            "approved_by": approved_by,
                            "note": note,
                            "chosen": chosen,
                        }
                    )
    return requests


def _compare_replacement(
    policy: Policy,
    spec: Spec,
    result: Any,
    tasks: list[dict[str, Any]],
    seed: str,
    scenario: dict[str, Any],
    request: dict[str, Any],
) -> bool:
    """randcheck makes a replacement or refuses it; replaying it as verify does, the docs'
    verifier makes the same record and the same teams, or refuses it too. True when made."""
    again = copy.deepcopy(result)
    try:
        made: dict[str, Any] | None = replace_inspector(
            policy,
            SPEC_REGISTRY,
            again,
            seed,
            request["task_id"],
            request["removed"],
            ReplacementReason.of(request["reason"]),
            approved_by=request["approved_by"],
            chosen=request["chosen"],
            note=request["note"],
        ).to_json()
    except DrawError:
        made = None
    replayed = copy.deepcopy(tasks)
    jurisdiction = scenario.get("jurisdiction")
    if made is None:
        recorded = {
            **{k: v for k, v in request.items() if k != "chosen" and v is not None},
            "approved_by": request["approved_by"],
            "method": "chosen" if request["chosen"] else "drawn_again",
            "added": request["chosen"],
        }
        with pytest.raises(SpecError):
            spec.replace(replayed, seed, jurisdiction, recorded)
        return False
    assert spec.replace(replayed, seed, jurisdiction, made) == made
    assert {"tasks": replayed} == again.result_json()
    return True


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: f"{p.id}@{p.version}")
def test_a_verifier_written_from_the_docs_reproduces_randcheck(policy: Policy) -> None:
    fixed = policy.one(ListFixed)
    spec = Spec(
        draw_parameters(policy),
        SPEC_REGISTRY,
        SPEC_HISTORY,
        fixed.changes_approved_by if fixed else None,
    )
    assert spec.history_digest() == SPEC_HISTORY.digest
    compared = 0
    for period in (Quarter(2025, 1), Quarter(2026, 4)):
        for number, scenario in enumerate(SCENARIOS):
            seed = hashlib.sha256(f"{policy.id}{period}{number}".encode()).hexdigest()
            options = {k: v for k, v in scenario.items() if k != "algorithm"}
            algorithm = scenario.get("algorithm", DRAW_V2)
            try:
                result = plan_draw(
                    policy,
                    SPEC_REGISTRY,
                    period,
                    seed,
                    history=SPEC_HISTORY,
                    algorithm=algorithm,
                    **options,
                )
            except PolicyError:
                continue  # not in force in this period
            except DrawError:
                result = None
            try:
                quotas, tasks = spec.draw(
                    period.label,
                    seed,
                    scenario.get("jurisdiction"),
                    campaign_json(scenario.get("campaign")),
                    scenario.get("departments", ()),
                    sorted(scenario.get("expertise", ())),
                    scenario.get("capacity"),
                    algorithm,
                )
            except SpecError:
                assert result is None, "the docs fail a draw randcheck makes"
                continue
            assert result is not None, "randcheck fails a draw the docs make"
            assert quotas == [q.to_json() for q in result.quotas]
            assert {"tasks": tasks} == result.result_json()
            compared += 1
            if number != 0:
                continue
            on_site = [t for t in tasks if t["team"]]
            made = [
                _compare_replacement(policy, spec, result, tasks, seed, scenario, request)
                for request in (
                    _replacements({**on_site[0], "region": scenario.get("jurisdiction")})
                    if on_site
                    else []
                )
            ]
            assert not on_site or any(made), "no replacement was made: nothing compared"
    assert compared > 0


def test_the_spec_registry_exercises_what_the_docs_describe() -> None:
    """The comparison above meets conflicts, regionless inspectors, departments,
    capped quotas, scopes and non-site tasks (else it would prove little)."""
    assert any(i.region is None for i in SPEC_REGISTRY.inspectors)
    assert any(i.conflicts for i in SPEC_REGISTRY.inspectors)
    policy = get_policy("suixian", version="2021.2")  # a scoped share
    seed = "ab" * 32
    result = plan_draw(policy, SPEC_REGISTRY, Quarter(2025, 3), seed, history=SPEC_HISTORY)
    assert any(t.recusals for t in result.tasks)
    huojia = get_policy("huojia", version="2023.2")
    campaign = EntityFilter(tags_any=frozenset({"工业园区"}))
    capped = plan_draw(
        huojia, SPEC_REGISTRY, Quarter(2025, 3), seed, history=SPEC_HISTORY, campaign=campaign
    )
    assert any(q.capped for q in capped.quotas)
    routine = plan_draw(huojia, SPEC_REGISTRY, Quarter(2025, 3), seed, history=SPEC_HISTORY)
    assert any(t.mode is Mode.NON_SITE for t in routine.tasks)
    assert any(t.due_now for t in routine.tasks)


def test_a_replacement_recorded_with_a_white_space_note_verifies(example: dict[str, Any]) -> None:
    from randcheck.draw.receipt import record_replacement

    receipt, _ = seal(
        example["policy"],
        example["registry"],
        example["period"],
        secret=example["secret"],
        public_randomness=example["public_randomness"],
        history=example["history"],
        jurisdiction=example["jurisdiction"],
    )
    revealed = reveal(receipt, example["secret"], example["registry"], example["history"])
    task = next(t for t in revealed["revealed"]["tasks"] if t["team"])
    replaced = record_replacement(
        revealed,
        example["registry"],
        task["task_id"],
        task["team"][0],
        ReplacementReason.RECUSAL,
        history=example["history"],
        note=" ",
    )
    assert verify(replaced, example["registry"], example["history"]).ok
