"""检查人员 Inspector: one record of the inspector registry (执法检查人员名录库).

Fields from 获嘉 第十条 (name, unit, certificate number, post; grade, region,
years of service, expertise, department; the auxiliary pool of monitoring
bodies, third parties and experts) and 本溪 六(三) (enforcement scope,
gender, specialty, on-staff).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from randcheck.models.fields import Flag, LabelledEnum, OptDivisionCode, OptText, Text, TextSet


class Gender(LabelledEnum):
    """性别."""

    MALE = ("MALE", "男", "M")
    FEMALE = ("FEMALE", "女", "F")


class AuxiliaryKind(LabelledEnum):
    """辅助检查人员 kinds (获嘉 第十条(一))."""

    MONITORING = ("MONITORING", "监测监控机构", "监测机构")
    THIRD_PARTY = ("THIRD_PARTY", "社会监测单位", "第三方")
    RESEARCH = ("RESEARCH", "科研院所")
    EXPERT = ("EXPERT", "专家", "专家技术人员")


class Inspector(BaseModel):
    """检查人员: an enforcement officer, or an auxiliary inspector (expert, third party)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    inspector_id: Text = Field(title="人员编号", description="Stable personnel id")
    name: Text = Field(title="姓名")
    unit: Text = Field(title="单位", description="Unit (科室/中队)")
    certificate_number: OptText = Field(None, title="执法证号")
    post: OptText = Field(None, title="职务岗位")
    grade: OptText = Field(None, title="执法人员等级")
    region: OptDivisionCode = Field(None, title="所在区域", description="Division code")
    years_of_service: int = Field(0, ge=0, le=60, title="工作年限")
    expertise: TextSet = Field(frozenset(), title="业务专长")
    department: OptText = Field(None, title="部门")
    specialty: OptText = Field(None, title="专业类别")
    enforcement_scope: OptText = Field(None, title="监管执法类型")
    gender: Gender | None = Field(None, title="性别")
    on_staff: Flag = Field(True, title="在编在岗")
    has_certificate: Flag = Field(True, title="持执法证")
    auxiliary: Flag = Field(False, title="辅助检查人员")
    auxiliary_kind: AuxiliaryKind | None = Field(None, title="辅助人员类别")
    conflicts: TextSet = Field(
        frozenset(), title="利害关系", description="USCCs or organisations of declared conflicts"
    )

    @staticmethod
    def row_problem(values: Mapping[str, Any]) -> str | None:
        """The rules over several fields: certificate flag and number, auxiliary kind."""
        auxiliary = values.get("auxiliary")
        if values.get("has_certificate") and not values.get("certificate_number") and not auxiliary:
            return "has_certificate (持执法证) is set but certificate_number (执法证号) is empty"
        if values.get("auxiliary_kind") is not None and not auxiliary:
            return "auxiliary_kind (辅助人员类别) is set but auxiliary (辅助检查人员) is not"
        return None

    @model_validator(mode="after")
    def _row_rules(self) -> Inspector:
        problem = Inspector.row_problem(self.__dict__)
        if problem:
            raise ValueError(problem)
        return self

    @property
    def qualified(self) -> bool:
        """Can lead or join an enforcement team: on staff with a certificate."""
        return self.on_staff and self.has_certificate and not self.auxiliary
