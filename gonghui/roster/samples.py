"""Synthetic but valid roster rows (names, ID numbers with correct check characters, phones…)
for the demo data, the benchmark and the tests. Deterministic: row i is always the same person.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from gonghui.core.idnumber import with_check_digit

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英建华文辉玉兰晨阳红梅子涵浩然欣怡雨萱俊杰嘉怡佳琪志强春梅海燕婷婷丹丹宇航思远"
REGIONS = ("310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112",
           "310113", "310114", "310115", "320102", "330106", "340104", "410105", "510107")
EDUCATION = ("大学本科", "大专", "高中", "硕士", "中专", "初中")
POLITICAL = ("群众", "中共党员", "共青团员", "群众", "群众")
EMPLOYERS = ("上海申城精密机械有限公司", "沪通即时配送有限公司", "浦江物业管理有限公司",
             "申达快递有限公司", "海上智能科技有限公司", "黄浦家政服务有限公司")
OCCUPATIONS = ("装配钳工", "快递员", "保安员", "护理员", "软件工程师", "会计", "网约送餐员")
GROUPS = ("", "", "", "", "快递员", "网约送餐员", "保安员", "护工护理员")
HEADERS = ("姓名", "身份证号码", "性别", "民族", "手机号", "学历", "政治面貌", "户籍类型",
           "工作单位", "职业/岗位", "新就业形态群体", "入会日期")
_FIRST_BIRTH = dt.date(1965, 1, 1)
_BIRTH_DAYS = 13000  # 1965 … 2000


def id_number(i: int) -> str:
    """The i-th synthetic ID number: distinct for i < 208,000,000."""
    region = REGIONS[i % len(REGIONS)]
    rest = i // len(REGIONS)
    birth = _FIRST_BIRTH + dt.timedelta(days=rest % _BIRTH_DAYS)
    seq = (rest // _BIRTH_DAYS) % 1000
    return with_check_digit(f"{region}{birth:%Y%m%d}{seq:03d}")


def person_row(i: int) -> list[str]:
    number = id_number(i)
    gender = "男" if int(number[16]) % 2 else "女"
    name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)] + (
        GIVEN[(i // 11) % len(GIVEN)] if i % 3 else "")
    joined = dt.date(2010, 1, 1) + dt.timedelta(days=(i * 37) % 5000)
    return [
        name, number, gender, "汉族" if i % 13 else "回族", f"13{(i * 7919) % 10**9:09d}",
        EDUCATION[i % len(EDUCATION)], POLITICAL[i % len(POLITICAL)],
        "城镇户籍" if i % 4 else "农村户籍", EMPLOYERS[i % len(EMPLOYERS)],
        OCCUPATIONS[i % len(OCCUPATIONS)], GROUPS[i % len(GROUPS)], joined.isoformat(),
    ]


def rows(count: int, *, start: int = 0) -> Iterator[list[str]]:
    for i in range(start, start + count):
        yield person_row(i)


def write_csv(path: str | Path, count: int, *, start: int = 0, encoding: str = "utf-8",
              union_codes: tuple[str, ...] = ()) -> Path:
    """A clean roster CSV (the benchmark's); with `union_codes`, the bulk form (rows spread
    over those unions)."""
    path = Path(path)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow((["工会代码"] if union_codes else []) + list(HEADERS))
        for i, row in enumerate(rows(count, start=start)):
            writer.writerow(([union_codes[i % len(union_codes)]] if union_codes else []) + row)
    return path


def write_xlsx(path: str | Path, count: int, *, start: int = 0,
               title: str = "") -> Path:
    """A clean roster .xlsx with shared strings, as Excel saves it (xlsxwriter's default mode
    keeps the strings table in memory while writing: fine for generating)."""
    import xlsxwriter

    path = Path(path)
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("名册")
    text = book.add_format({"num_format": "@"})
    offset = 0
    if title:
        sheet.merge_range(0, 0, 0, len(HEADERS) - 1, title)
        offset = 1
    sheet.write_row(offset, 0, HEADERS)
    for i, row in enumerate(rows(count, start=start), start=offset + 1):
        sheet.write_row(i, 0, row, text)
    book.close()
    return path
