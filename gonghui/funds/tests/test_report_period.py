"""Issue 12 item 2: the export buttons sit in the period form, so what the form shows selected
is what the file covers. The balance sheet's month box had no selected option and the browser
sent January while the screen showed December."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest

from conftest import login
from gonghui.core import clock


def _form_fields(html: str) -> dict[str, str]:
    """The values a browser submits for the report form: inputs by value, selects by their
    selected option or, as browsers do, their first option."""
    form = html[html.index('<form class="row g-2 align-items-end'):]
    form = form[:form.index("</form>")]
    fields = {m[0]: m[1] for m in re.findall(r'<input[^>]*name="(year)"[^>]*value="([^"]*)"', form)}
    for name, body in re.findall(r'<select[^>]*name="(\w+)"[^>]*>(.*?)</select>', form, re.S):
        options = re.findall(r'<option value="([^"]*)"([^>]*)>', body)
        chosen = [value for value, attrs in options if "selected" in attrs]
        fields[name] = chosen[0] if chosen else options[0][0]
    return fields


@pytest.mark.parametrize(("kind", "expected"), [
    ("balance", {"year": "2026", "month": "12"}),
    ("income", {"year": "2026", "month_from": "1", "month_to": "12"}),
    ("dues", {"year": "2026", "month": "0"}),
])
def test_the_form_shows_the_period_on_the_screen(client, tree, city_admin, kind, expected):
    with clock.frozen(dt.date(2026, 12, 5)):
        html = login(client, city_admin).get(
            f"/funds/{tree['SH-A-1-1'].pk}/reports/{kind}/").content.decode()
    assert _form_fields(html) == expected


def test_balance_sheet_export_is_for_the_month_on_the_screen(client, tree, city_admin):
    union = tree["SH-A-1-1"]
    with clock.frozen(dt.date(2026, 12, 5)):
        c = login(client, city_admin)
        html = c.get(f"/funds/{union.pk}/reports/balance/").content.decode()
        assert "2026 年 12 月末" in html
        fields = _form_fields(html)
        response = c.get(f"/funds/{union.pk}/reports/balance/", {**fields, "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value.endswith("2026 年 12 月末")

    with clock.frozen(dt.date(2026, 12, 5)):
        html = c.get(f"/funds/{union.pk}/reports/balance/?year=2025&month=6").content.decode()
    assert _form_fields(html) == {"year": "2025", "month": "6"}
