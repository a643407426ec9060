"""What a simulation assumes about the world between draws: churn and outcomes.

Both are plain, validated settings with defaults an analyst can change; the
defaults are round illustrative numbers, not measurements of any bureau.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from randcheck.models import EntityClass

Rate = float


class ChurnModel(BaseModel):
    """Entities opening, closing and changing class (名录动态调整).

    Openings and closings happen every quarter at a quarter of the yearly rate;
    class changes at each year's directory update (the first quarter of every
    year after the first).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    opening_rate: Rate = Field(
        0.04, ge=0, le=1, description="new entities a year, as a share of operating ones (新增)"
    )
    closing_rate: Rate = Field(
        0.03, ge=0, le=1, description="operating entities closing a year (关闭、注销)"
    )
    reclassify_rate: Rate = Field(
        0.05,
        ge=0,
        le=1,
        description="share of KEY / 重点 entities leaving the key list each year, "
        "replaced by as many GENERAL / 一般 ones (重点排污单位名录调整)",
    )


def _default_violation_rates() -> dict[EntityClass, float]:
    return {EntityClass.KEY: 0.10, EntityClass.SPECIAL: 0.20, EntityClass.GENERAL: 0.05}


class OutcomeModel(BaseModel):
    """What inspections find: a violation rate per class.

    An entity found in violation is treated as SPECIAL / 特殊 (特殊监管对象) from
    the next year on, for ``special_years`` years, then returns to its class.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    violation_rate: dict[EntityClass, Rate] = Field(default_factory=_default_violation_rates)
    special_years: int = Field(1, ge=0, le=50)

    @model_validator(mode="after")
    def _rates(self) -> OutcomeModel:
        for cls, rate in self.violation_rate.items():
            if not 0 <= rate <= 1:
                raise ValueError(f"violation rate of {cls.label} must be 0 to 1, not {rate}")
        return self

    def rate(self, entity_class: EntityClass) -> float:
        return self.violation_rate.get(entity_class, 0.0)
