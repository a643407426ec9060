"""A fictional county's policy, as a third-party randcheck plugin.

It adopts 获嘉县's rules (keeping their citations) and states one rule of its
own: key entities at 30 % a quarter, cited to its own (fictional) document.
"""

from __future__ import annotations

import datetime as dt

from randcheck.models import EntityClass
from randcheck.policies import get_policy
from randcheck.policies.model import Level, Policy, QuarterlyShare, cite

c = cite("示例县 实施细则（虚构）", "example_county.txt")
BASE = get_policy("huojia")

POLICY = Policy(
    id="example_county",
    name_zh="示例县生态环境“双随机、一公开”抽查实施细则（虚构示例）",
    name_en="Example county (fictional): a worked plugin",
    level=Level.COUNTY,
    document_title="示例县生态环境“双随机、一公开”抽查实施细则（虚构示例）",
    effective_from=dt.date(2026, 1, 1),
    version="2026.1",
    source_file="example_county.txt",
    notes=("Fictional: shows how a plugin adopts shared rules and adds its own.",),
    rules=(
        QuarterlyShare(
            id="key.quarterly_share",
            title="Key entities: at least 30 % each quarter",
            entity_class=EntityClass.KEY,
            min_fraction=0.30,
            citation=c("第五条", "每季度至少对辖区内30%的重点监管对象进行抽查"),
        ),
        *(rule for rule in BASE.rules if rule.id != "key.quarterly_share"),
    ),
)
