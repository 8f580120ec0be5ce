"""Code lists of a person's fields (SPEC §2.2). Values are stable English codes; labels are the
Chinese words cadres write in rosters. `SYNONYMS` maps the other words seen in real rosters to a
code, so forms, API and the roster importer accept them all (see validation.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Education(models.TextChoices):
    POSTGRADUATE = "postgraduate", _("研究生")
    BACHELOR = "bachelor", _("大学本科")
    COLLEGE = "college", _("大学专科")
    VOCATIONAL = "vocational", _("中专/中技")
    HIGH_SCHOOL = "high_school", _("高中")
    JUNIOR = "junior", _("初中及以下")


class PoliticalStatus(models.TextChoices):
    CPC = "cpc", _("中共党员")
    CPC_PROBATIONARY = "cpc_probationary", _("中共预备党员")
    LEAGUE = "league", _("共青团员")
    DEMOCRATIC = "democratic", _("民主党派")
    MASSES = "masses", _("群众")


class HouseholdType(models.TextChoices):
    """户籍类型: rural-registered workers (农民工) are counted separately in union statistics."""

    URBAN = "urban", _("城镇户籍")
    RURAL = "rural", _("农村户籍")


class EmploymentForm(models.TextChoices):
    CONTRACT = "contract", _("劳动合同制")
    DISPATCH = "dispatch", _("劳务派遣")
    PART_TIME = "part_time", _("非全日制用工")
    PLATFORM = "platform", _("新就业形态")
    FLEXIBLE = "flexible", _("灵活就业")
    OTHER = "other", _("其他")


class NewEmploymentGroup(models.TextChoices):
    """The eight new-employment groups (八大群体, SPEC §2.2); NONE for everyone else."""

    NONE = "", _("非新就业形态群体")
    TRUCK_DRIVER = "truck_driver", _("货车司机")
    COURIER = "courier", _("快递员")
    CAREGIVER = "caregiver", _("护工护理员")
    DOMESTIC = "domestic", _("家政服务员")
    MALL_INFO = "mall_info", _("商场信息员")
    FOOD_DELIVERY = "food_delivery", _("网约送餐员")
    REAL_ESTATE = "real_estate", _("房产中介员")
    SECURITY_GUARD = "security_guard", _("保安员")


class SkillLevel(models.TextChoices):
    NONE = "", _("无")
    JUNIOR = "junior", _("初级工（五级）")
    INTERMEDIATE = "intermediate", _("中级工（四级）")
    SENIOR = "senior", _("高级工（三级）")
    TECHNICIAN = "technician", _("技师（二级）")
    SENIOR_TECHNICIAN = "senior_technician", _("高级技师（一级）")


# The 56 ethnic groups of China (GB/T 3304) plus the two other entries of the standard.
ETHNICITIES: tuple[str, ...] = (
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族",
    "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族",
    "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族",
    "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族",
    "基诺族", "其他", "外国血统中国籍人士",
)  # fmt: skip

# Other words for a code, as found in rosters (matched after the labels and the codes).
SYNONYMS: dict[type[models.TextChoices], dict[str, str]] = {
    Gender: {"男性": "M", "女性": "F", "男士": "M", "女士": "F"},
    Education: {
        "博士": "postgraduate", "硕士": "postgraduate", "博士研究生": "postgraduate",
        "硕士研究生": "postgraduate", "研究生及以上": "postgraduate",
        "本科": "bachelor", "大学": "bachelor", "学士": "bachelor",
        "大专": "college", "专科": "college", "高职": "college",
        "中专": "vocational", "中技": "vocational", "技校": "vocational", "职高": "vocational",
        "中等专业学校": "vocational", "中专中技": "vocational",
        "高中及同等学历": "high_school", "普通高中": "high_school",
        "初中": "junior", "小学": "junior", "文盲": "junior", "初中以下": "junior",
    },
    PoliticalStatus: {
        "党员": "cpc", "共产党员": "cpc", "中国共产党党员": "cpc", "预备党员": "cpc_probationary",
        "团员": "league", "共青团": "league", "民主党派成员": "democratic", "无党派": "masses",
        "无党派人士": "masses", "无": "masses",
    },
    HouseholdType: {
        "城镇": "urban", "城市": "urban", "非农业": "urban", "非农业户口": "urban",
        "城镇户口": "urban", "农村": "rural", "农业": "rural", "农业户口": "rural",
        "农村户口": "rural", "农民工": "rural",
    },
    EmploymentForm: {
        "劳动合同": "contract", "合同制": "contract", "全日制": "contract", "全日制用工": "contract",
        "正式工": "contract", "正式员工": "contract", "派遣": "dispatch", "劳务派遣工": "dispatch",
        "非全日制": "part_time", "兼职": "part_time", "小时工": "part_time",
        "平台就业": "platform", "新就业形态劳动者": "platform", "网约工": "platform",
        "灵活就业人员": "flexible", "个体": "flexible",
    },
    NewEmploymentGroup: {
        "无": "", "否": "", "非新就业形态": "",
        "货运驾驶员": "truck_driver", "货车驾驶员": "truck_driver", "卡车司机": "truck_driver",
        "快递小哥": "courier", "快递员工": "courier", "快递": "courier",
        "护工": "caregiver", "护理员": "caregiver", "养老护理员": "caregiver",
        "家政员": "domestic", "家政": "domestic", "育婴员": "domestic", "保洁员": "domestic",
        "商场信息员": "mall_info", "信息员": "mall_info",
        "外卖员": "food_delivery", "外卖骑手": "food_delivery", "骑手": "food_delivery",
        "送餐员": "food_delivery",
        "房产中介": "real_estate", "房地产经纪人": "real_estate", "中介员": "real_estate",
        "保安": "security_guard",
    },
    SkillLevel: {
        "无": "", "初级工": "junior", "五级": "junior", "中级工": "intermediate",
        "四级": "intermediate", "高级工": "senior", "三级": "senior", "技师": "technician",
        "二级": "technician", "高级技师": "senior_technician", "一级": "senior_technician",
    },
}  # fmt: skip
