"""检查对象 Entity: one record of the entity registry (检查对象名录库).

The fields are those the documents list: 西平 一(三) (name, USCC, address,
phone, legal representative, class, contacts, environmental officer,
division, authority, basin, location, industry, pollution types, start of
production, products and scale) and 获嘉 第九条(二) (permit number,
production status); the tags of 获嘉 第九条(一) and 本溪 六(二); and the
facts the key and special criteria of 本溪 六(二), 西平 一(三) and 睢县
三(二)1 are decided on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, model_validator

from randcheck.models.fields import (
    USCC,
    DivisionCode,
    Flag,
    LabelledEnum,
    OptDate,
    OptText,
    Text,
    TextSet,
    sorted_values,
    split_set,
)


class EntityClass(LabelledEnum):
    """监管类别: the three classes every document uses."""

    KEY = ("KEY", "重点", "重点监管", "重点监管对象", "重点排污单位", "重点污染源", "重点排污企业")
    GENERAL = (
        "GENERAL",
        "一般",
        "一般监管",
        "一般监管对象",
        "一般排污单位",
        "一般污染源",
        "一般排污企业",
    )
    SPECIAL = ("SPECIAL", "特殊", "特殊监管", "特殊监管对象", "特殊监管单位")


class PollutionType(LabelledEnum):
    """污染类型 (西平 一(三): 废水, 废气, 噪声, 废渣; 获嘉 附件1 adds radiation and soil)."""

    WASTEWATER = ("WASTEWATER", "废水", "水", "水污染")
    WASTE_GAS = ("WASTE_GAS", "废气", "气", "大气", "大气污染")
    NOISE = ("NOISE", "噪声", "噪音")
    SOLID_WASTE = ("SOLID_WASTE", "固废", "废渣", "固体废物")
    RADIATION = ("RADIATION", "辐射", "放射性")
    SOIL = ("SOIL", "土壤", "土壤污染")


class PermitClass(LabelledEnum):
    """排污许可管理类别 (获嘉 第九条(一); 本溪 六(二))."""

    KEY_MANAGEMENT = ("KEY_MANAGEMENT", "重点管理", "重点")
    SIMPLIFIED = ("SIMPLIFIED", "简化管理", "简化")
    REGISTRATION = ("REGISTRATION", "登记管理", "登记")


class ProductionStatus(LabelledEnum):
    """生产状态 (获嘉 第九条(二): 存续变动、停产在产)."""

    OPERATING = ("OPERATING", "在产", "生产", "正常生产")
    SEASONAL = ("SEASONAL", "季节性生产", "间歇生产")
    SUSPENDED = ("SUSPENDED", "停产", "停工停产", "临时停产")
    UNDER_CONSTRUCTION = ("UNDER_CONSTRUCTION", "在建", "建设中")
    CLOSED = ("CLOSED", "关闭", "关停", "注销")

    @property
    def operating(self) -> bool:
        """Whether an entity in this status can be inspected on site this period."""
        return self in (ProductionStatus.OPERATING, ProductionStatus.SEASONAL)


class ControlLevel(LabelledEnum):
    """重点监控级别: 国控 / 省控 / 市控 / 县控 (睢县 三(二)1; 西平 一(三))."""

    NATIONAL = ("NATIONAL", "国控", "国家重点监控")
    PROVINCIAL = ("PROVINCIAL", "省控", "省级重点监控")
    CITY = ("CITY", "市控", "市级重点监控")
    COUNTY = ("COUNTY", "县控", "县级重点监控")

    @property
    def rank(self) -> int:
        """Higher is more senior: national 4 … county 1."""
        return {"NATIONAL": 4, "PROVINCIAL": 3, "CITY": 2, "COUNTY": 1}[self.value]


class CreditRating(LabelledEnum):
    """企业环境信用评价 (the four levels of the national credit-rating measures)."""

    EXCELLENT = ("EXCELLENT", "环保诚信", "诚信", "绿牌")
    GOOD = ("GOOD", "环保良好", "良好", "蓝牌")
    WARNING = ("WARNING", "环保警示", "警示", "黄牌")
    BAD = ("BAD", "环保不良", "不良", "红牌")


class Grade(LabelledEnum):
    """A four-step grade: 重污染天气绩效分级 A–D; 市场监管信用风险分类 A–D."""

    A = ("A", "A级")
    B = ("B", "B级")
    C = ("C", "C级")
    D = ("D", "D级")


class Scale(LabelledEnum):
    """生产规模 (获嘉 第九条(一))."""

    LARGE = ("LARGE", "大型")
    MEDIUM = ("MEDIUM", "中型")
    SMALL = ("SMALL", "小型")
    MICRO = ("MICRO", "微型")


PollutionTypes = Annotated[
    frozenset[PollutionType],
    BeforeValidator(split_set),
    PlainSerializer(sorted_values, return_type=list),
]

IndustryCode = Annotated[
    str,
    BeforeValidator(lambda v: v.strip().upper() if isinstance(v, str) else v),
    Field(pattern=r"^[A-T](\d{2}|\d{3}|\d{4})?$"),
]
"""行业类别: a GB/T 4754-2017 code, a letter and 2–4 digits (``C2614``)."""


class Entity(BaseModel):
    """检查对象: an inspected entity (a polluting unit or a construction project)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    # identity and class (西平 一(三); 获嘉 第九条(二))
    uscc: USCC = Field(title="统一社会信用代码", description="Unified social credit code")
    name: Text = Field(title="企业名称", description="Name")
    entity_class: EntityClass = Field(
        title="监管类别", description="Class: KEY / GENERAL / SPECIAL"
    )
    division_code: DivisionCode = Field(title="行政区划", description="Administrative division")
    permit_number: OptText = Field(None, title="排污许可证编号", description="Emission permit")
    permit_class: PermitClass | None = Field(None, title="排污许可管理类别")
    authority: OptText = Field(None, title="所属机关", description="Supervising authority")
    basin: OptText = Field(None, title="所属流域", description="River basin")
    longitude: float | None = Field(None, title="经度", ge=73.4, le=135.1)
    latitude: float | None = Field(None, title="纬度", ge=3.8, le=53.6)
    industry_code: IndustryCode = Field(title="行业类别", description="GB/T 4754 industry code")
    pollution_types: PollutionTypes = Field(frozenset(), title="污染类型")
    production_status: ProductionStatus = Field(ProductionStatus.OPERATING, title="生产状态")
    production_start: OptDate = Field(None, title="投产时间", description="Start of production")
    products_and_scale: OptText = Field(None, title="产品及生产规模")
    scale: Scale | None = Field(None, title="生产规模")
    address: OptText = Field(None, title="单位地址")
    phone: OptText = Field(None, title="单位电话")
    legal_representative: OptText = Field(None, title="企业法人")
    contact: OptText = Field(None, title="联系人")
    contact_phone: OptText = Field(None, title="联系人电话")
    environmental_officer: OptText = Field(None, title="环保负责人")

    # tags (获嘉 第九条(一); 本溪 六(二))
    control_level: ControlLevel | None = Field(None, title="重点监控级别")
    credit_rating: CreditRating | None = Field(None, title="环境信用评价")
    market_credit_risk: Grade | None = Field(None, title="市场监管信用风险分类")
    weather_grade: Grade | None = Field(None, title="重污染天气绩效分级")
    positive_list: Flag = Field(False, title="正面清单")
    key_emitter_list: Flag = Field(False, title="重点排污单位名录")
    two_high: Flag = Field(False, title="两高项目")
    hazardous_waste: Flag = Field(False, title="危险废物")
    tailings_pond: Flag = Field(False, title="尾矿库")
    hazardous_chemicals: Flag = Field(False, title="危化品")
    heavy_metals: Flag = Field(False, title="重金属")
    landfill: Flag = Field(False, title="垃圾填埋场")
    legacy_mine: Flag = Field(False, title="历史遗留问题矿山")
    important_facility: Flag = Field(False, title="重要环保设施")

    # facts behind the special class (本溪 六(二); 获嘉 第九条(一))
    supervised_listing_last_year: Flag = Field(False, title="上一年度挂牌督办")
    media_exposure: Flag = Field(False, title="媒体曝光")
    repeated_complaints: Flag = Field(False, title="群众反复投诉")
    criminal_record: Flag = Field(False, title="涉刑等严重违法记录")
    seriously_dishonest: Flag = Field(False, title="严重失信")
    high_environmental_risk: Flag = Field(False, title="环境风险等级高")

    tags: TextSet = Field(frozenset(), title="标签", description="Free tags")

    @staticmethod
    def row_problem(values: Mapping[str, Any]) -> str | None:
        """The rule over several fields: coordinates come as a pair."""
        if (values.get("longitude") is None) != (values.get("latitude") is None):
            return "give both longitude (经度) and latitude (纬度), or neither"
        return None

    @model_validator(mode="after")
    def _row_rules(self) -> Entity:
        problem = Entity.row_problem(self.__dict__)
        if problem:
            raise ValueError(problem)
        return self

    @property
    def operating(self) -> bool:
        """In production (在产 or seasonal): can be inspected on site."""
        return self.production_status.operating
