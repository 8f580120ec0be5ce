"""Synthetic but valid roster rows (names, ID numbers with correct check characters, phones…)
for the demo data, the benchmark and the tests. Deterministic: row i is always the same person.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from gonghui.core.testing import synthetic_id_number

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
    """The i-th synthetic ID number (core.testing's generator, spread over REGIONS and birth
    dates first): distinct for i < 208,000,000."""
    region = REGIONS[i % len(REGIONS)]
    rest = i // len(REGIONS)
    birth = _FIRST_BIRTH + dt.timedelta(days=rest % _BIRTH_DAYS)
    return synthetic_id_number((rest // _BIRTH_DAYS) % 1000, region=region, birth=birth)


def person_row(i: int) -> list[str]:
    number = id_number(i)
    gender = "男" if int(number[16]) % 2 else "女"
    name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)] + (
        GIVEN[(i // 11) % len(GIVEN)] if i % 3 else "")
    birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    # joined at 18 or later (members refuse a join date before 16), and not after 2025
    joined = min(birth.replace(year=birth.year + 18, day=min(birth.day, 28))
                 + dt.timedelta(days=(i * 37) % 4000), dt.date(2025, 12, 31))
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
    import xlsxwriter  # only when generating files (bench, tests): not at import

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


MESSY_HEADERS = ("序号", " 姓  名 ", "公民身份号码", "性别", "民族", "手机号码", "文化程度",
                 "政治面貌", "户口性质", "工作单位", "岗位", "入会时间")


def messy_rows(start: int = 500_000) -> list[list[object]]:
    """Data rows with the faults of real rosters (SPEC §4), in a known order. Expected outcome
    of each row, in order (see `MESSY_OUTCOMES`)."""
    def person(i: int, **changes: object) -> list[object]:
        name, number, gender, ethnicity, phone, education, political, household, employer, \
            occupation, _group, joined = person_row(start + i)
        row: list[object] = [i + 1, name, number, gender, ethnicity, phone, education,
                             political, household.replace("户籍", "户口"), employer,
                             occupation, joined]
        for index, value in changes.items():
            row[int(index.lstrip("c"))] = value
        return row

    fullwidth = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
    x_id = next(id_number(start + k) for k in range(100, 200) if id_number(start + k)[-1] == "X")
    return [
        person(0),
        person(1, c11=dt.date(2018, 1, 22)),  # a real date cell
        person(2, c11=43122),  # an Excel serial number: 2018-01-22
        person(3, c11="2018.1.22"),
        person(4, c11="2018年1月22日"),
        person(5, c5=13812345678),  # phone stored as a number
        person(6, c2=f"  {x_id.lower()} "),  # lower-case x, spaces around
        person(7, c2=id_number(start + 7).translate(fullwidth)),  # full-width digits
        person(8, c2=float(id_number(start + 8)[:17] + "0")),  # Excel turned it into a number
        person(9, c2=id_number(start + 9)[:17] + ("0" if id_number(start + 9)[17] != "0" else "1")),
        person(10, c5="1381234"),  # phone too short
        person(0),  # the first row again: a duplicate inside the file
        [None] * 12,  # empty
        person(11, c1=""),  # no name
        person(12, c7="党员", c6="本科"),  # synonyms for the coded fields
        ["合计", None, "共 15 人", None, None, None, None, None, None, None, None, None],
        ["填表人：王芳", None, None, None, None, None, None, None, None, None, None, None],
    ]


# (outcome, column label) per messy row, for the tests.
MESSY_OUTCOMES = [
    ("imported", ""), ("imported", ""), ("imported", ""), ("imported", ""), ("imported", ""),
    ("imported", ""), ("imported", ""), ("imported", ""), ("rejected", "身份证号码"),
    ("rejected", "身份证号码"), ("rejected", "手机号"), ("rejected", "身份证号码"),
    ("skipped", ""), ("rejected", "姓名"), ("imported", ""), ("skipped", ""), ("skipped", ""),
]


def write_messy_xlsx(path: str | Path, *, start: int = 500_000,
                     title: str = "上海某某公司工会会员名册") -> Path:
    """An .xlsx like a cadre's: a merged title, a 填报单位 line, the header on line 3 with
    spaces and synonyms, and `messy_rows()` with numbers, dates and serials as Excel keeps
    them."""
    from openpyxl import Workbook  # heavy optional library: only for the test fixtures

    path = Path(path)
    book = Workbook()
    sheet = book.active
    sheet.title = "会员名册"
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(MESSY_HEADERS))
    sheet.append(["填报单位：（盖章）", None, None, None, None, None, None, None,
                  "填报日期：2026年1月"])
    sheet.append(list(MESSY_HEADERS))
    for row in messy_rows(start):
        sheet.append(row)
    for cell in sheet["L"]:
        if isinstance(cell.value, dt.date):
            cell.number_format = "yyyy-mm-dd"
    book.save(path)
    return path


def write_messy_csv(path: str | Path, *, start: int = 500_000,
                    encoding: str = "gb18030") -> Path:
    """The same faults as a CSV saved by Excel on Chinese Windows (GB18030 by default)."""
    path = Path(path)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["上海某某公司工会会员名册"])
        writer.writerow([])
        writer.writerow(MESSY_HEADERS)
        for row in messy_rows(start):
            out = []
            for value in row:
                if isinstance(value, float):
                    value = "3.10101E+17" if value > 1e15 else value
                elif isinstance(value, dt.date):
                    value = value.isoformat()
                out.append("" if value is None else value)
            writer.writerow(out)
    return path
