"""Resident ID numbers (居民身份证号码, GB 11643-1999): normalise, validate, derive.

One implementation for forms, API and importers alike.

Only the 2-digit province code is checked against a list. The 6-digit region code is *not*:
districts were renamed and merged over the years (e.g. Shanghai's 南市区, 卢湾区, 闸北区) and
people keep the numbers they were issued, so a missing region code is no reason to refuse.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _
from stdnum.cn import ric

# GB/T 2260 province-level codes, including 71 (Taiwan) and 81/82/83, used by the residence
# permits of Hong Kong, Macao and Taiwan residents (港澳台居民居住证).
PROVINCE_CODES: dict[str, str] = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古",
    "21": "辽宁", "22": "吉林", "23": "黑龙江",
    "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西",
    "37": "山东",
    "41": "河南", "42": "湖北", "43": "湖南", "44": "广东", "45": "广西", "46": "海南",
    "50": "重庆", "51": "四川", "52": "贵州", "53": "云南", "54": "西藏",
    "61": "陕西", "62": "甘肃", "63": "青海", "64": "宁夏", "65": "新疆",
    "71": "台湾", "81": "香港", "82": "澳门", "83": "台湾",
}  # fmt: skip

_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")
_EARLIEST_BIRTH = dt.date(1900, 1, 1)


class IDNumberError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class IDNumber:
    number: str
    birth_date: dt.date
    gender: str  # "M" or "F": the 17th digit, odd for men (GB 11643)
    province: str

    def __str__(self) -> str:
        return self.number


def normalize(raw: object) -> str:
    """Trim, full-width → half-width, drop inner spaces and dashes, `x` → `X`."""
    text = unicodedata.normalize("NFKC", str(raw if raw is not None else ""))
    text = re.sub(r"[\s\-]", "", text)
    return text.upper()


def parse(raw: object, *, today: dt.date | None = None) -> IDNumber:
    """Normalise and validate; raises IDNumberError with a Chinese message saying how to fix it."""
    number = normalize(raw)
    if not number:
        raise IDNumberError("empty", _("身份证号码不能为空。"))
    if _SCIENTIFIC.match(number):
        raise IDNumberError(
            "scientific",
            _("身份证号码被 Excel 转成了科学计数法（{value}），后几位已丢失，无法恢复；"
              "请把该列设为“文本”格式后重新填写。").format(value=number),
        )  # fmt: skip
    if number.endswith(".0") and number[:-2].isdigit():
        number = number[:-2]
    if len(number) != 18:
        raise IDNumberError(
            "length", _("身份证号码应为 18 位，这里是 {n} 位。").format(n=len(number))
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IDNumberError("format", _("身份证号码前 17 位应为数字，最后一位为数字或 X。"))
    province = number[:2]
    if province not in PROVINCE_CODES:
        raise IDNumberError(
            "province", _("身份证号码前两位 {code} 不是有效的省级行政区代码。").format(code=province)
        )
    try:
        birth = ric.get_birth_date(number)
    except Exception as exc:
        raise IDNumberError(
            "birth_date", _("身份证号码中的出生日期 {value} 不是有效日期。").format(value=number[6:14])
        ) from exc
    if birth < _EARLIEST_BIRTH or birth > (today or dt.date.today()):
        raise IDNumberError(
            "birth_date", _("身份证号码中的出生日期 {value} 不在合理范围内。").format(value=number[6:14])
        )
    if ric.calc_check_digit(number) != number[17]:
        raise IDNumberError(
            "checksum", _("身份证号码校验位不正确，请核对每一位数字。")
        )
    gender = "M" if int(number[16]) % 2 == 1 else "F"
    return IDNumber(number=number, birth_date=birth, gender=gender, province=province)


def with_check_digit(first17: str) -> str:
    """Complete 17 digits with their GB 11643 check character (used by fixtures and benches)."""
    return first17 + ric.calc_check_digit(first17 + "0")


def mask(number: str) -> str:
    """`310***********123X`: the province+city prefix and the last four stay visible."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
