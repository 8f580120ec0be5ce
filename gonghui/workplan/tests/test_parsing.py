"""The plan parser: the seed plan as it is, hand-made numbering styles, page breaks, .docx."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gonghui.workplan.parsing import (
    cn_to_int,
    int_to_cn,
    normalise_doc_number,
    parse_date,
    parse_plan,
    split_departments,
)
from gonghui.workplan.readers import UnreadableFile, decode_text, read_plan_file

SEED = Path(__file__).parent / "fixtures" / "shanghai_2018_plan.txt"

HEADINGS = [
    "以党的十九大精神为统领，确保新时代工会事业和工会工作的正确方向",
    "围绕中心服务大局，充分发挥工会组织优势和作用",
    "竭诚服务职工群众，让广大职工共享改革发展成果",
    "持续深化工会改革，不断扩大改革成效",
    "着力夯实基层基础，把职工群众更广泛地组织到工会中来",
    "加强工会干部队伍建设，不断增强群众工作本领",
]

# (number, heading number, title, first words of the text, responsible departments lead first)
# — read off the seed file by hand.
ITEMS = [
    (1, 1, "切实推动党的十九大精神入耳入脑入心", "切实推动党的十九大精神入耳入脑入心。认真组织", ["宣传教育部", "组织部"]),
    (2, 1, "切实加强职工政治思想引领", "切实加强职工政治思想引领。开展理想信念教育", ["宣传教育部", "市工人文化宫"]),
    (3, 1, "牢牢掌握意识形态工作主动权", "牢牢掌握意识形态工作主动权。增强政治敏锐性", ["劳动关系工作部", "基层工作部"]),
    (4, 1, "开好上海市总工会第十四次代表大会", "开好上海市总工会第十四次代表大会。全面落实",
     ["办公室", "研究室", "组织部", "基层工作部", "权益保障部", "宣传部", "劳动关系工作部", "财务资产管理部", "经审办"]),
    (5, 2, "大力推进产业工人队伍建设", "大力推进产业工人队伍建设。按照市委要求", ["组织部", "基层工作部", "市职工技协服务中心"]),
    (6, 2, "积极参与社会治理创新", "积极参与社会治理创新。主动融入党领导下", ["基层工作部", "权益保障部", "宣传部", "劳动关系工作部"]),
    (7, 2, "着力构建和谐劳动关系", "着力构建和谐劳动关系。坚持党政主导", ["劳动关系工作部"]),
    (8, 2, "广泛组织职工岗位建功", "广泛组织职工岗位建功。深入开展全国引领性", ["基层工作部", "宣传部", "市职工技协服务中心"]),
    (9, 3, "提升源头维权实效", "提升源头维权实效。积极参与职工收入分配", ["权益保障部"]),
    (10, 3, "提高实项目受益面感受度", "提高实项目受益面感受度。高质量按节点完成市政府",
     ["权益保障部", "基层工作部", "劳动关系工作部", "市工人文化宫", "市职工技协服务中心", "市总职工援助服务中心", "市职工保障互助中心", "海鸥集团"]),
    (11, 3, "着力服务职工全面发展", "着力服务职工全面发展。推动职工文化建设", ["宣传教育部", "市工人文化宫"]),
    (12, 4, "统筹深化推进工会全面改革", "统筹深化推进工会全面改革。深化非公企业",
     ["基层工作部", "劳动关系工作部", "权益保障部", "宣传部", "财务资产管理部"]),
    (13, 4, "全面增强工会组织活力", "全面增强工会组织活力。加强机制创新", ["组织部", "办公室", "基层工作部"]),
    (14, 4, "加快提升工会网上服务能力", "加快提升工会网上服务能力。推动建成纵向联通", ["宣传部", "办公室"]),
    (15, 5, "加强园区和行业工会建设", "加强园区和行业工会建设。加强园区（开发区）", ["基层工作部"]),
    (16, 5, "加大对新型就业群体的团结凝聚力度", "加大对新型就业群体的团结凝聚力度。加强对各类", ["基层工作部", "财务资产管理部"]),
    (17, 5, "做好做实工会基础工作", "做好做实工会基础工作。着力加强基层工会", ["基层工作部", "财务资产管理部", "经审办"]),
    (18, 6, "从严抓好工会系统党的建设", "从严抓好工会系统党的建设。全面增强", ["机关党委"]),
    (19, 6, "大兴调查研究之风", "大兴调查研究之风。根据市委决策部署", ["研究室"]),
    (20, 6, "提高工会干部队伍能力水平", "提高工会干部队伍能力水平。增强工会干部", ["组织部", "工会学院"]),
    (21, 6, "持之以恒推进作风建设", "持之以恒推进作风建设。认真贯彻习近平", ["机关党委"]),
    (22, 6, "有序做好工会各项工作", "有序做好工会各项工作。结合编辑出版",
     ["办公室", "研究室", "组织部", "权益保障部", "财务资产管理部", "女职工委员会办公室"]),
]  # fmt: skip

# Text the seed splits across a page break; the parser must join it (item number → phrase).
JOINED = {
    1: "切实贯彻党的十九大和习近平总书记",
    3: "切实保障劳工领域政治安全和社会和谐稳定",
    5: "浦东干部管理学院举办全国产业工人队伍建设高级研修班。",
    7: "依法对违法违规企业实施监督。",
    10: "高质量按节点完成市政府关于2018年新增1000家",
    14: "统筹全市工会新媒体建设",
    16: "加大对劳务派遣工、项目外包工、农民工等群体的关心关爱力度。用好“两非一无”",
    18: "筑牢党员干部拒腐防变的思想道德防线。",
    21: "深入推进党组织联系基层",
}


@pytest.fixture(scope="module")
def seed():
    return parse_plan(SEED.read_text(encoding="utf-8"))


def test_seed_notice(seed):
    assert seed.title == "上海市总工会常委会2018年工作要点"
    assert seed.year == 2018
    assert seed.notice.header == "上海市总工会文件"
    assert seed.notice.doc_number == "沪工办〔2018〕1号"
    assert seed.notice.title == "关于印发《上海市总工会常委会2018年工作要点》的通知"
    assert seed.notice.recipients == "各区局（产业）工会，市总机关各部室、各直管单位"
    assert seed.notice.body == ("现将《上海市总工会常委会2018年工作要点》印发给你们，"
                                "望认真学习领会，结合实际贯彻落实。")
    assert seed.notice.office == "上海市总工会办公室"
    assert seed.notice.issued_on == dt.date(2018, 1, 22)
    assert seed.preamble.startswith("2018年上海工会工作的总体要求是：全面贯彻党的十九大精神")
    assert seed.preamble.endswith("使工会干部成为职工群众信赖的娘家人。")
    assert seed.warnings == []


def test_seed_headings(seed):
    assert [h.label for h in seed.headings] == ["一", "二", "三", "四", "五", "六"]
    assert [h.text for h in seed.headings] == HEADINGS


def test_seed_items_and_departments(seed):
    assert len(seed.items) == 22
    for item, (number, heading, title, start, departments) in zip(seed.items, ITEMS, strict=True):
        assert item.number == number
        assert item.label == str(number)
        assert item.heading == heading - 1, number
        assert item.title == title
        assert item.text.startswith(start), number
        assert item.departments == departments, number
        assert "责任单位" not in item.text
        assert "\n" not in item.text


@pytest.mark.parametrize(("number", "phrase"), sorted(JOINED.items()))
def test_seed_items_run_across_page_breaks(seed, number, phrase):
    assert phrase in seed.items[number - 1].text


def test_seed_item_ends_where_the_clause_starts(seed):
    assert seed.items[13].text.endswith("不断提升网络平台安全性。")  # 责任单位 on its own line
    assert seed.items[20].text.endswith("实打实服务。")
    assert seed.items[21].text.endswith("年鉴等各项工作。")


HANDMADE = {
    "paren": """某区总工会2024年工作要点

一、强化思想引领
（1）深入学习宣传党的二十大精神，开展宣讲不少于30场。（责任单位：宣传部）
（2）加强职工思想动态分析。
- 2 -
每季度形成分析报告。（牵头单位：组织部；配合单位：办公室、宣传部）
二、维护职工权益
（3）推进工资集体协商，覆盖率保持在90%以上。（责任部门：劳动关系部，法律服务中心）
""",
    "comma": """某区总工会2024年工作要点

一、强化思想引领
1、深入学习宣传党的二十大精神，开展宣讲不少于30场。（责任单位：宣传部）
2、加强职工思想动态分析。

第 2 页

每季度形成分析报告。
牵头单位：组织部；配合单位：办公室、宣传部
二、维护职工权益
3、推进工资集体协商，覆盖率保持在90%以上。（责任部门：劳动关系部 / 法律服务中心）
""",
    "circled": """某区总工会2024年工作要点

一、强化思想引领
① 深入学习宣传党的二十大精神，开展宣讲不少于30场。（责任单位：宣传部）
② 加强职工思想动态分析。
2/5
每季度形成分析报告。（牵头单位：组织部；协办单位：办公室、宣传部）
二、维护职工权益
③ 推进工资集体协商，覆盖率保持在90%以上。(责任单位:劳动关系部、法律服务中心等)
""",
    "article": """某区总工会2024年工作要点

第一章 强化思想引领
第一条 深入学习宣传党的二十大精神，开展宣讲不少于30场。（责任单位：宣传部）
第二条 加强职工思想动态分析。
— 2 —
每季度形成分析报告。（牵头单位：组织部；配合单位：办公室、宣传部）
第二章 维护职工权益
第三条 推进工资集体协商，覆盖率保持在90%以上。（责任单位：劳动关系部、法律服务中心）
""",
    "restart": """某区总工会2024年工作要点
（一）强化思想引领
1. 深入学习宣传党的二十大精神，开展宣讲不少于30场。（责任单位：宣传部）
2．加强职工思想动态分析。

3

每季度形成分析报告。（牵头单位：组织部；配合单位：办公室，宣传部）
（二）维护职工权益
1. 推进工资集体协商，覆盖率保持在90%以上。（责任单位：劳动关系部、法律服务中心）
""",
}

HANDMADE_LABELS = {
    "paren": ["（1）", "（2）", "（3）"], "comma": ["1", "2", "3"], "circled": ["①", "②", "③"],
    "article": ["第一条", "第二条", "第三条"], "restart": ["1", "2", "1"],
}  # fmt: skip


@pytest.mark.parametrize("style", sorted(HANDMADE))
def test_handmade_numbering_styles(style):
    plan = parse_plan(HANDMADE[style])
    assert plan.title == "某区总工会2024年工作要点"
    assert plan.year == 2024
    assert [h.text for h in plan.headings] == ["强化思想引领", "维护职工权益"]
    assert [i.label for i in plan.items] == HANDMADE_LABELS[style]
    assert [i.number for i in plan.items] == [1, 2, 3]
    assert [i.heading for i in plan.items] == [0, 0, 1]
    assert [i.departments for i in plan.items] == [
        ["宣传部"], ["组织部", "办公室", "宣传部"], ["劳动关系部", "法律服务中心"]]
    assert plan.items[1].text == "加强职工思想动态分析。每季度形成分析报告。"
    assert plan.items[2].text == "推进工资集体协商，覆盖率保持在90%以上。"
    assert plan.warnings == []


def test_points_inside_items_stay_in_the_item():
    plan = parse_plan("""工作要点
一、服务职工
1. 做好帮扶工作：
（1）春节走访；
（2）金秋助学。（责任单位：权益保障部）
2. 推进建会。（责任单位：基层工作部）
""")
    assert [i.text for i in plan.items] == ["做好帮扶工作：（1）春节走访；（2）金秋助学。", "推进建会。"]


def test_warnings_name_what_is_missing():
    plan = parse_plan("""工作要点
一、服务职工
1. 做好帮扶工作。
3. 推进建会。（责任单位：基层工作部）
""")
    assert [i.departments for i in plan.items] == [["基层工作部"]]
    assert plan.items[0].text == "做好帮扶工作。3. 推进建会。"
    assert plan.warnings == ["第 1 项中有一行以“3”开头，但编号不连续，已并入该项，请核对。"]
    plan = parse_plan("""工作要点
一、服务职工
1. 做好帮扶工作。（责任单位：权益保障部）
3. 推进建会。（责任单位：基层工作部）
""")
    assert [i.label for i in plan.items] == ["1", "3"]
    assert plan.warnings == ["编号不连续：1 之后是 3。"]
    plan = parse_plan("工作要点\n一、服务职工\n1. 做好帮扶工作。\n")
    assert plan.warnings == ["第 1 项（1）未写明责任单位。"]
    assert parse_plan("").warnings == ["未识别到标题，请在预览中填写。", "未识别到任何编号的任务条目。"]


@pytest.mark.parametrize(("text", "expected"), [
    ("责任单位：宣传教育部、组织部", ["宣传教育部", "组织部"]),
    ("责任单位：基层工作部、财务资产管理部等", ["基层工作部", "财务资产管理部"]),
    ("牵头单位：组织部；配合单位：办公室，宣传部", ["组织部", "办公室", "宣传部"]),
    ("配合单位：办公室；牵头单位：组织部", ["组织部", "办公室"]),
    ("责任单位：宣传部 办公室", ["宣传部", "办公室"]),
    ("责任单位：宣传部、宣传部", ["宣传部"]),
])  # fmt: skip
def test_split_departments(text, expected):
    assert split_departments(text) == expected


def test_small_pieces():
    assert [cn_to_int(t) for t in ("一", "十", "十二", "二十", "九十九", "一百零五")] == [1, 10, 12, 20, 99, 105]
    assert cn_to_int("第") is None
    assert [int_to_cn(n) for n in (1, 10, 12, 20, 21)] == ["一", "十", "十二", "二十", "二十一"]
    assert normalise_doc_number("沪工办[2018] 01号") == "沪工办〔2018〕1号"
    assert normalise_doc_number("沪工办（2018）1号") == "沪工办〔2018〕1号"
    assert normalise_doc_number("2018年1月22日") is None
    assert parse_date("2018 年 1 月 22 日") == dt.date(2018, 1, 22)
    assert parse_date("二〇一八年一月二十二日") == dt.date(2018, 1, 22)
    assert parse_date("2018年2月30日") is None


@given(st.integers(min_value=1, max_value=99))
def test_chinese_numerals_round_trip(n):
    assert cn_to_int(int_to_cn(n)) == n


# ---------------------------------------------------------------------------------------------
# property: a plan written in any supported style, with page breaks anywhere inside item text,
# parses back to what was written

WORDS = "推进工会建设服务职工维护权益加强组织覆盖深化改革创新机制落实责任开展活动提升能力完善制度"
NAMES = ["办公室", "组织部", "宣传部", "基层工作部", "权益保障部", "研究室", "经审办", "市工人文化宫"]
ITEM_MARKERS = {
    "arabic": lambda n: f"{n}. ", "comma": lambda n: f"{n}、", "paren": lambda n: f"（{n}）",
    "circled": lambda n: chr(0x2460 + n - 1), "article": lambda n: f"第{int_to_cn(n)}条 ",
}  # fmt: skip
PAGE_BREAKS = ["\n\n", "\n\n- 7 -\n\n", "\n第 7 页\n", "\n\f\n", "\n12\n"]

sentence = st.text(alphabet=WORDS, min_size=4, max_size=30).map(lambda s: s + "。")
item_strategy = st.tuples(
    st.lists(sentence, min_size=1, max_size=3).map("".join),
    st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True),
    st.one_of(st.none(), st.tuples(st.floats(min_value=0.1, max_value=0.9),
                                   st.sampled_from(PAGE_BREAKS))),
    st.booleans(),  # clause on its own line
)
plan_strategy = st.tuples(
    st.sampled_from(sorted(ITEM_MARKERS)),
    st.lists(st.tuples(st.text(alphabet=WORDS, min_size=4, max_size=20),
                       st.lists(item_strategy, min_size=1, max_size=4)), min_size=1, max_size=5),
)


@settings(max_examples=150, deadline=None)
@given(plan_strategy)
def test_written_plans_parse_back(spec):
    style, headings = spec
    lines = ["某市总工会2025年工作要点", ""]
    expected = []
    number = 0
    for h_index, (heading, items) in enumerate(headings, start=1):
        lines.append(f"{int_to_cn(h_index)}、{heading}")
        for text, departments, page_break, own_line in items:
            number += 1
            body = text
            if page_break is not None:
                cut = max(1, min(len(text) - 1, int(len(text) * page_break[0])))
                body = text[:cut] + page_break[1] + text[cut:]
            clause = "（责任单位：" + "、".join(departments) + "）"
            lines.append(ITEM_MARKERS[style](number) + body + ("\n" + clause if own_line else clause))
            expected.append((h_index - 1, text, departments))
    plan = parse_plan("\n".join(lines))
    assert plan.title == "某市总工会2025年工作要点"
    assert [h.text for h in plan.headings] == [h for h, _items in headings]
    assert [(i.heading, i.text, i.departments) for i in plan.items] == expected
    assert plan.warnings == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_parser_never_raises(text):
    plan = parse_plan(text)
    assert all(i.number == n for n, i in enumerate(plan.items, start=1))


# ---------------------------------------------------------------------------------------------
# files


def test_text_encodings():
    text = SEED.read_text(encoding="utf-8")
    assert decode_text(text.encode("gb18030")) == text
    assert decode_text(b"\xef\xbb\xbf" + text.encode()) == text
    assert parse_plan(read_plan_file("plan.TXT", text.encode("gb18030"))).notice.doc_number == "沪工办〔2018〕1号"


def _docx(paragraphs: list[tuple[str, str | None]]) -> bytes:
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    for text, style in paragraphs:
        if text == "<page>":
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            continue
        document.add_paragraph(text, style=style)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_with_typed_numbers_and_a_page_break():
    data = _docx([
        ("上海市总工会文件", None), ("沪工办〔2018〕1号", None),
        ("关于印发《上海市总工会常委会2018年工作要点》的通知", None),
        ("各区局（产业）工会：", None), ("现将工作要点印发给你们。", None),
        ("上海市总工会办公室", None), ("2018年1月22日", None),
        ("上海市总工会常委会2018年工作要点", None),
        ("一、以党的十九大精神为统领", None),
        ("1. 切实推动党的十九大精神入耳入脑入心。认真组织学习，切实贯彻党的十九", None),
        ("<page>", None),
        ("大精神。（责任单位：宣传教育部、组织部）", None),
        ("2. 切实加强职工政治思想引领。", None), ("（责任单位：宣传教育部、市工人文化宫）", None),
    ])
    plan = parse_plan(read_plan_file("要点.docx", data))
    assert plan.notice.doc_number == "沪工办〔2018〕1号"
    assert plan.notice.issued_on == dt.date(2018, 1, 22)
    assert plan.title == "上海市总工会常委会2018年工作要点"
    assert [i.text for i in plan.items] == [
        "切实推动党的十九大精神入耳入脑入心。认真组织学习，切实贯彻党的十九大精神。",
        "切实加强职工政治思想引领。"]
    assert [i.departments for i in plan.items] == [["宣传教育部", "组织部"], ["宣传教育部", "市工人文化宫"]]


def test_docx_with_word_list_numbering():
    """Word's own numbering is not in the paragraph text; it is rebuilt from numbering.xml."""
    data = _docx([
        ("某区总工会2024年工作要点", None), ("一、强化思想引领", None),
        ("深入学习宣传党的二十大精神。（责任单位：宣传部）", "List Number"),
        ("加强职工思想动态分析。（责任单位：组织部、办公室）", "List Number"),
    ])
    plan = parse_plan(read_plan_file("要点.docx", data))
    assert [i.label for i in plan.items] == ["1", "2"]
    assert [i.departments for i in plan.items] == [["宣传部"], ["组织部", "办公室"]]


@pytest.mark.parametrize(("name", "data", "message"), [
    ("plan.doc", b"\xd0\xcf\x11\xe0", "不支持旧版 .doc 文件，请在 Word 中另存为 .docx 后上传。"),
    ("plan.docx", b"not a zip", "无法读取该 Word 文件（请上传 .docx 格式）。"),
    ("plan.pdf", b"%PDF", "只支持 .txt 和 .docx 文件。"),
    ("plan.txt", b"\xff\xfe\x00\xd8\x00", "文本文件的编码无法识别（请保存为 UTF-8 或 GB18030）。"),
])  # fmt: skip
def test_unreadable_files(name, data, message):
    with pytest.raises(UnreadableFile) as excinfo:
        read_plan_file(name, data)
    assert str(excinfo.value) == message
