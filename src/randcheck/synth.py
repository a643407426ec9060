"""A deterministic synthetic registry for the demo, the tests and the benchmarks.

The same arguments always give the same records (seeded ``random.Random``
instances, no clock, no hash randomisation). Records are valid (USCCs with
correct check characters, real-looking division codes, coordinates inside
China) and plausible for 双随机 work: industries with their pollution types,
a class mix of about 12 % key, 83 % general and 5 % special that follows the
tags the classification criteria look at (with a few entities whose recorded
class disagrees, so a classification check has something to find), inspectors
with certificates, auxiliary experts and some declared conflicts.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from randcheck import uscc
from randcheck.models import (
    AuxiliaryKind,
    ControlLevel,
    CreditRating,
    Entity,
    EntityClass,
    Gender,
    Grade,
    Inspector,
    PermitClass,
    PollutionType,
    ProductionStatus,
    Scale,
    builtin_items,
)
from randcheck.models.fields import PROVINCE_CODES
from randcheck.registry import ENTITY_FIELDS, Registry, RegistryBuilder

W, G, N, S, R, SO = (
    PollutionType.WASTEWATER,
    PollutionType.WASTE_GAS,
    PollutionType.NOISE,
    PollutionType.SOLID_WASTE,
    PollutionType.RADIATION,
    PollutionType.SOIL,
)


@dataclass(frozen=True)
class Industry:
    code: str
    name: str
    word: str
    pollution: frozenset[PollutionType]
    heavy: bool
    weight: float


INDUSTRIES: tuple[Industry, ...] = (
    Industry("C2614", "有机化学原料制造", "化工", frozenset({W, G, S}), True, 4),
    Industry("C2619", "其他基础化学原料制造", "化学", frozenset({W, G, S}), True, 3),
    Industry("C2710", "化学药品原料药制造", "制药", frozenset({W, G, S}), True, 2),
    Industry("C3011", "水泥制造", "水泥", frozenset({G, N, S}), True, 3),
    Industry("C3041", "平板玻璃制造", "玻璃", frozenset({G, N}), True, 1),
    Industry("C3120", "炼钢", "钢铁", frozenset({G, W, N, S}), True, 1),
    Industry("C3130", "钢压延加工", "钢材", frozenset({G, N}), False, 2),
    Industry("C3216", "铝冶炼", "铝业", frozenset({G, S}), True, 1),
    Industry("C3360", "金属表面处理及热处理加工", "电镀", frozenset({W, S}), True, 4),
    Industry("D4411", "火力发电", "热电", frozenset({G, W, N, S}), True, 1),
    Industry("D4430", "热力生产和供应", "供热", frozenset({G}), False, 2),
    Industry("C2211", "木竹浆制造", "纸业", frozenset({W, G}), True, 1),
    Industry("C2221", "机制纸及纸板制造", "造纸", frozenset({W, N}), False, 2),
    Industry("C1713", "棉印染精加工", "印染", frozenset({W}), True, 2),
    Industry("C1910", "皮革鞣制加工", "皮革", frozenset({W, S}), True, 1),
    Industry("C1351", "牲畜屠宰", "食品", frozenset({W, N}), False, 3),
    Industry("C1511", "酒精制造", "酒业", frozenset({W, G}), False, 1),
    Industry("C2511", "原油加工及石油制品制造", "石化", frozenset({G, W, S}), True, 1),
    Industry("C2641", "涂料制造", "涂料", frozenset({G, W}), False, 2),
    Industry("C2929", "塑料零件及其他塑料制品制造", "塑业", frozenset({G, N}), False, 5),
    Industry("C3311", "金属结构制造", "机械", frozenset({G, N}), False, 6),
    Industry("C3670", "汽车零部件及配件制造", "汽配", frozenset({G, N, W}), False, 5),
    Industry("C3985", "电子专用材料制造", "电子", frozenset({W, G}), False, 3),
    Industry("C2021", "胶合板制造", "木业", frozenset({G, N}), False, 4),
    Industry("C3031", "粘土砖瓦及建筑砌块制造", "建材", frozenset({G, N}), False, 5),
    Industry("B0610", "烟煤和无烟煤开采洗选", "煤业", frozenset({W, G, S, N}), True, 1),
    Industry("B0911", "铜矿采选", "矿业", frozenset({W, S, SO}), True, 1),
    Industry("N7820", "环境卫生管理", "环卫", frozenset({W, G, SO}), True, 1),
    Industry("N7723", "固体废物治理", "环保", frozenset({S, G, SO}), True, 1),
    Industry("D4620", "污水处理及其再生利用", "水务", frozenset({W}), True, 2),
    Industry("Q8411", "综合医院", "医院", frozenset({W, S, R}), False, 2),
    Industry("O8011", "洗车服务", "汽修", frozenset({W, N}), False, 4),
)

_NAME_WORDS = (
    "恒达 宏远 鑫源 华威 金盛 永固 瑞丰 中原 豫北 嘉禾 新兴 昌盛 利民 天成 博源 泰和 "
    "长青 汇通 众诚 富华 明阳 东方 华润 安泰 联创 同心 国泰 康达 亿丰 金鼎"
).split()
_SUFFIXES = ("有限公司", "有限责任公司", "股份有限公司", "厂", "有限公司分公司")
_SURNAMES = "王 李 张 刘 陈 杨 赵 黄 周 吴 徐 孙 胡 朱 高 林 何 郭 马 罗 梁 宋 郑 谢 韩 唐".split()
_GIVEN = (
    "伟 芳 娜 敏 静 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀 霞 平 刚 桂 华 建 国 红 志 鹏 宇".split()
)
_EXPERTISE = ("水", "大气", "固废", "危废", "辐射", "土壤", "噪声", "自动监控", "环评")
_GRADES = ("一级执法人员", "二级执法人员", "三级执法人员", "四级执法人员")
_FREE_TAGS = ("工业园区", "饮用水源保护区周边", "沿河企业", "城市建成区", "化工园区", "跨界河流")
_BASINS: dict[str, tuple[str, ...]] = {
    "11": ("海河流域",),
    "12": ("海河流域",),
    "13": ("海河流域",),
    "14": ("黄河流域", "海河流域"),
    "15": ("黄河流域", "松辽流域"),
    "21": ("辽河流域",),
    "22": ("松辽流域",),
    "23": ("松花江流域",),
    "31": ("长江流域", "太湖流域"),
    "32": ("长江流域", "淮河流域", "太湖流域"),
    "33": ("太湖流域",),
    "34": ("淮河流域", "长江流域"),
    "37": ("黄河流域", "淮河流域"),
    "41": ("海河流域", "黄河流域", "淮河流域"),
    "44": ("珠江流域",),
    "45": ("珠江流域",),
    "46": ("珠江流域",),
    "61": ("黄河流域",),
    "62": ("黄河流域",),
    "63": ("黄河流域",),
    "64": ("黄河流域",),
    "65": ("西北诸河",),
}
_PLACE_CHARS = "清平安宁丰阳河山林泉新华城源江南北东西昌宜兴临武德和顺乐".replace("", " ").split()
_SPECIAL_FACTS = (
    "supervised_listing_last_year",
    "media_exposure",
    "repeated_complaints",
    "criminal_record",
    "seriously_dishonest",
    "high_environmental_risk",
)
_KEY_FLAGS = ("key_emitter_list", "hazardous_waste", "heavy_metals", "hazardous_chemicals")
_ORG_ALPHABET = uscc.ALPHABET  # digits and capitals without I, O, Z, S, V

_HOME = "410724"  # 获嘉县: the single-county default
_PROVINCES = sorted(PROVINCE_CODES - {"71", "81", "82"})  # registries on the mainland
# rough centre (longitude, latitude) of each province, for coordinates near home
_CENTRES: dict[str, tuple[float, float]] = {
    "11": (116.4, 39.9),
    "12": (117.2, 39.1),
    "13": (114.5, 38.0),
    "14": (112.5, 37.9),
    "15": (111.7, 40.8),
    "21": (123.4, 41.8),
    "22": (125.3, 43.9),
    "23": (126.6, 45.8),
    "31": (121.5, 31.2),
    "32": (118.8, 32.1),
    "33": (120.2, 30.3),
    "34": (117.3, 31.9),
    "35": (119.3, 26.1),
    "36": (115.9, 28.7),
    "37": (117.0, 36.7),
    "41": (113.7, 34.8),
    "42": (114.3, 30.6),
    "43": (113.0, 28.2),
    "44": (113.3, 23.1),
    "45": (108.3, 22.8),
    "46": (110.3, 20.0),
    "50": (106.5, 29.6),
    "51": (104.1, 30.7),
    "52": (106.7, 26.6),
    "53": (102.7, 25.0),
    "54": (91.1, 29.7),
    "61": (108.9, 34.3),
    "62": (103.8, 36.1),
    "63": (101.8, 36.6),
    "64": (106.3, 38.5),
    "65": (87.6, 43.8),
}


def _rng(seed: int | str, stream: str) -> random.Random:
    return random.Random(f"randcheck-synth|{seed}|{stream}")


def place_name(code: str) -> str:
    """A county name for a synthetic division code: 获嘉县 for 410724, else made up."""
    if code == _HOME:
        return "获嘉县"
    rng = _rng(code, "place")
    return f"{rng.choice(_PLACE_CHARS)}{rng.choice(_PLACE_CHARS)}县"


def jurisdiction_codes(jurisdictions: int, seed: int | str = 0) -> list[str]:
    """Distinct county-level division codes; one jurisdiction is 410724 (获嘉县)."""
    if jurisdictions < 1:
        raise ValueError("jurisdictions must be at least 1")
    codes = [_HOME]
    seen = {_HOME}
    rng = _rng(seed, "divisions")
    while len(codes) < jurisdictions:
        code = f"{rng.choice(_PROVINCES)}{rng.randint(1, 40):02d}{rng.randint(1, 99):02d}"
        if code not in seen:
            seen.add(code)
            codes.append(code)
    return codes


def _weights(count: int, rng: random.Random) -> list[float]:
    """Uneven sizes: lognormal weights, so some jurisdictions are large and most small."""
    return [rng.lognormvariate(0, 0.8) for _ in range(count)]


def _spread(total: int, weights: Sequence[float], minimum: int) -> list[int]:
    """``total`` split by ``weights``, each share at least ``minimum`` where possible."""
    count = len(weights)
    base = min(minimum, total // count) if count else 0
    left = total - base * count
    scale = sum(weights)
    shares = [base + int(left * w / scale) for w in weights]
    for i in range(total - sum(shares)):
        shares[i % count] += 1
    return shares


def _org_code(rng: random.Random) -> str:
    return "".join(rng.choices(_ORG_ALPHABET, k=9))


def uscc_like(like: str, rng: random.Random) -> str:
    """A valid USCC registered where ``like`` was (its first eight characters), new body."""
    return uscc.complete(like[:8] + _org_code(rng))


def iter_entities(n: int, *, seed: int | str = 0, jurisdictions: int = 1) -> Iterator[Entity]:
    """``n`` synthetic entities spread over ``jurisdictions`` county-level divisions."""
    for values in _entity_values(n, seed, jurisdictions):
        yield Entity.model_construct(**values)


def _entity_values(n: int, seed: int | str, jurisdictions: int) -> Iterator[dict[str, Any]]:
    rng = _rng(seed, "entities")
    codes = jurisdiction_codes(jurisdictions, seed)
    sizes = _spread(n, _weights(len(codes), _rng(seed, "sizes")), minimum=3)
    industry_weights = [i.weight for i in INDUSTRIES]
    seen: set[str] = set()
    start_base = dt.date(1995, 1, 1).toordinal()
    start_span = dt.date(2024, 12, 31).toordinal() - start_base
    for code, size in zip(codes, sizes):
        centre_lon, centre_lat = _CENTRES[code[:2]]
        centre_lon += rng.uniform(-1.5, 1.5)
        centre_lat += rng.uniform(-1.0, 1.0)
        place = place_name(code)
        authority = f"{place}生态环境分局"
        basin = rng.choice(_BASINS.get(code[:2], ("长江流域",)))
        industries = rng.choices(INDUSTRIES, weights=industry_weights, k=size)
        for industry in industries:
            yield _entity(
                rng,
                code,
                place,
                industry,
                centre_lon,
                centre_lat,
                authority,
                basin,
                seen,
                start_base,
                start_span,
            )


def _entity(
    rng: random.Random,
    code: str,
    place: str,
    industry: Industry,
    lon: float,
    lat: float,
    authority: str,
    basin: str,
    seen: set[str],
    start_base: int,
    start_span: int,
) -> dict[str, Any]:
    roll = rng.random
    while True:
        kind = "91" if roll() < 0.93 else rng.choice(("12", "52"))
        ident = uscc.complete(f"{kind}{code}{_org_code(rng)}")
        if ident not in seen:
            seen.add(ident)
            break
    heavy = industry.heavy
    flags: dict[str, bool] = {name: False for name in (*_KEY_FLAGS, *_SPECIAL_FACTS)}
    key_like = roll() < (0.30 if heavy else 0.025)
    if key_like:
        for name in _KEY_FLAGS:
            flags[name] = roll() < 0.5
        flags["key_emitter_list"] = flags["key_emitter_list"] or roll() < 0.6
    special_like = roll() < 0.05
    if special_like:
        for name in rng.sample(_SPECIAL_FACTS, k=rng.randint(1, 2)):
            flags[name] = True
    if special_like:
        entity_class = EntityClass.SPECIAL
    elif key_like and (flags["key_emitter_list"] or roll() < 0.5):
        entity_class = EntityClass.KEY
    else:
        entity_class = EntityClass.GENERAL
    if roll() < 0.04:  # recorded class that the criteria would not give
        entity_class = rng.choice([c for c in EntityClass if c is not entity_class])
    permit = (
        PermitClass.KEY_MANAGEMENT
        if (key_like and roll() < 0.8) or (heavy and roll() < 0.2)
        else (PermitClass.SIMPLIFIED if roll() < 0.55 else PermitClass.REGISTRATION)
    )
    credit = (
        CreditRating.BAD
        if flags["seriously_dishonest"]
        else rng.choices(list(CreditRating), weights=(15, 60, 20, 5))[0]
        if roll() < 0.7
        else None
    )
    weather = rng.choices(list(Grade), weights=(8, 27, 50, 15))[0] if roll() < 0.5 else None
    positive = (
        entity_class is not EntityClass.SPECIAL
        and (credit is CreditRating.EXCELLENT or weather is Grade.A)
        and roll() < 0.45
    )
    status_roll = roll()
    status = (
        ProductionStatus.OPERATING
        if status_roll < 0.92
        else ProductionStatus.SEASONAL
        if status_roll < 0.95
        else ProductionStatus.SUSPENDED
        if status_roll < 0.975
        else ProductionStatus.UNDER_CONSTRUCTION
        if status_roll < 0.99
        else ProductionStatus.CLOSED
    )
    control = None
    if entity_class is EntityClass.KEY and roll() < 0.6:
        control = rng.choices(list(ControlLevel), weights=(2, 3, 4, 3))[0]
    word = rng.choice(_NAME_WORDS)
    name = f"{place}{word}{industry.word}{rng.choice(_SUFFIXES)}"
    contact = roll() < 0.5
    tags = frozenset(rng.sample(_FREE_TAGS, k=1)) if roll() < 0.15 else frozenset()
    return dict(
        uscc=ident,
        name=name,
        entity_class=entity_class,
        division_code=code,
        permit_number=f"{ident}001{'P' if permit is not PermitClass.REGISTRATION else 'W'}",
        permit_class=permit,
        authority=authority,
        basin=basin,
        longitude=round(min(135.0, max(73.5, lon + rng.gauss(0, 0.08))), 6),
        latitude=round(min(53.5, max(3.9, lat + rng.gauss(0, 0.06))), 6),
        industry_code=industry.code,
        pollution_types=industry.pollution,
        production_status=status,
        production_start=dt.date.fromordinal(start_base + int(roll() * start_span)),
        products_and_scale=f"{industry.name}，年产{rng.randint(1, 200)}万吨" if contact else None,
        scale=rng.choices(list(Scale), weights=(5, 20, 55, 20))[0],
        address=f"{place}{rng.choice(_NAME_WORDS)}路{rng.randint(1, 999)}号" if contact else None,
        phone=None,
        legal_representative=None,
        contact=f"{rng.choice(_SURNAMES)}{rng.choice(_GIVEN)}" if contact else None,
        contact_phone=f"13{rng.randint(100000000, 999999999)}" if contact else None,
        environmental_officer=None,
        control_level=control,
        credit_rating=credit,
        market_credit_risk=rng.choice(list(Grade)) if roll() < 0.3 else None,
        weather_grade=weather,
        positive_list=positive,
        two_high=heavy and key_like and roll() < 0.3,
        tailings_pond=industry.code.startswith("B09") and roll() < 0.5,
        landfill=industry.code == "N7820" and roll() < 0.7,
        legacy_mine=industry.code.startswith("B") and roll() < 0.2,
        important_facility=industry.code in ("D4620", "N7723") and roll() < 0.5,
        tags=tags,
        **flags,
    )


def iter_inspectors(
    n: int,
    *,
    seed: int | str = 0,
    jurisdictions: int = 1,
    entity_usccs: Sequence[str] = (),
) -> Iterator[Inspector]:
    """``n`` inspectors over the jurisdictions (at least 2 each when ``n`` allows).

    About 8 % are auxiliary (experts, monitoring bodies, third parties), 3 % on staff
    without a certificate, 3 % not on staff; about 5 % declare conflicts with
    entities of their own jurisdiction taken from ``entity_usccs``.
    """
    rng = _rng(seed, "inspectors")
    codes = jurisdiction_codes(jurisdictions, seed)
    sizes = _spread(n, _weights(len(codes), _rng(seed, "sizes")), minimum=2)
    by_division: dict[str, list[str]] = {}
    for ident in entity_usccs:
        by_division.setdefault(ident[2:8], []).append(ident)
    number = 0
    for code, size in zip(codes, sizes):
        local = by_division.get(code, [])
        for k in range(size):
            number += 1
            kind = rng.random()
            auxiliary = kind < 0.08
            certified = not auxiliary and kind >= 0.11
            on_staff = not auxiliary and not (0.11 <= kind < 0.14)
            conflicts = (
                frozenset(rng.sample(local, k=min(len(local), rng.randint(1, 2))))
                if local and rng.random() < 0.05
                else frozenset()
            )
            yield Inspector.model_construct(
                inspector_id=f"I{code}-{k + 1:04d}",
                name=f"{rng.choice(_SURNAMES)}{rng.choice(_GIVEN)}{rng.choice(('', *_GIVEN))}",
                unit=f"{place_name(code)}生态环境执法大队第{k % 4 + 1}中队",
                certificate_number=f"环执{code}{number:07d}" if certified else None,
                post=rng.choice(("中队长", "执法队员", "副中队长", "执法队员", "执法队员")),
                grade=rng.choice(_GRADES) if not auxiliary else None,
                region=code,
                years_of_service=rng.randint(0, 35),
                expertise=frozenset(rng.sample(_EXPERTISE, k=rng.randint(1, 3))),
                department="执法大队" if not auxiliary else "辅助检查人员库",
                specialty=None,
                enforcement_scope="污染源日常监管" if not auxiliary else None,
                gender=Gender.MALE if rng.random() < 0.7 else Gender.FEMALE,
                on_staff=on_staff,
                has_certificate=certified,
                auxiliary=auxiliary,
                auxiliary_kind=rng.choice(list(AuxiliaryKind)) if auxiliary else None,
                conflicts=conflicts,
            )


def generate_registry(
    entities: int,
    inspectors: int,
    *,
    seed: int | str = 0,
    jurisdictions: int = 1,
    items: bool = True,
) -> Registry:
    """A synthetic registry: the same arguments give the same digest."""
    if entities < 0 or inspectors < 0:
        raise ValueError("entities and inspectors must be 0 or more")
    builder = RegistryBuilder()
    usccs: list[str] = []
    for values in _entity_values(entities, seed, jurisdictions):
        builder.add_entity_values([values[f] for f in ENTITY_FIELDS])
        usccs.append(str(values["uscc"]))
    for inspector in iter_inspectors(
        inspectors, seed=seed, jurisdictions=jurisdictions, entity_usccs=usccs
    ):
        builder.add_inspector(inspector)
    if items:
        for item in builtin_items("huojia"):
            builder.add_item(item)
    return builder.build()


def expected_class_shares() -> dict[EntityClass, float]:
    """The approximate class mix the generator aims at (for tests and docs)."""
    return {EntityClass.KEY: 0.12, EntityClass.GENERAL: 0.83, EntityClass.SPECIAL: 0.05}
