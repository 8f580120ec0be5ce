"""The dashboard's funds, dues and work-plan panels: the figures of the subtree from the
modules' own reports, shown only to a role that may read that module."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import login, make_user
from gonghui.core import clock
from gonghui.funds.services import dues_list_generate, dues_mark_paid
from gonghui.funds.tests.conftest import add_members
from gonghui.stats import panels

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = dt.date(2026, 3, 25)


@pytest.fixture
def paid_dues(tree, city_admin):
    """Three members of SH-A-1-1 at 6100 a month (dues 30.50 each), two of them paid."""
    treasurer = make_user("treasurer_a11", org=tree["SH-A-1-1"], role="treasurer")
    add_members(tree["SH-A-1-1"], 3, city_admin, wage="6100")
    with clock.frozen(TODAY):
        dues_list = dues_list_generate(union=tree["SH-A-1-1"], year=2026, month=3,
                                       actor=treasurer)
        entries = list(dues_list.entries.order_by("id"))
        dues_mark_paid(dues_list=dues_list, entry_ids=[entries[0].pk, entries[1].pk],
                       paid_on=dt.date(2026, 3, 20), actor=treasurer)


def test_dues_and_funds_panels_sum_the_subtree(tree, district_cadre, paid_dues):
    dues = panels.dues_panel(tree["SH-A"], viewer=district_cadre, year=2026)
    assert dues == {"entries": 3, "paid_entries": 2, "due": D("91.50"), "paid": D("61.00"),
                    "rate": 66.7, "rate_text": "66.7%"}
    funds = panels.funds_panel(tree["SH-A"], viewer=district_cadre, year=2026)
    assert (funds["income"], funds["expense"], funds["surplus"]) == (D("61.00"), D("0.00"),
                                                                     D("61.00"))
    assert [(r["code"], r["amount"]) for r in funds["income_rows"]] == [("4101", D("61.00"))]
    assert funds["expense_rows"] == []
    # another district's subtree holds none of it
    other = panels.dues_panel(tree["SH-B"], viewer=make_user("b_admin", org=tree["SH-B"],
                                                             role="admin"), year=2026)
    assert (other["entries"], other["due"], other["rate"]) == (0, D("0.00"), None)


def test_panels_show_only_what_the_role_may_read(client, tree, paid_dues):
    viewer = make_user("viewer_a", org=tree["SH-A"], role="viewer")
    assert panels.dues_panel(tree["SH-A"], viewer=viewer, year=2026) is None
    assert panels.funds_panel(tree["SH-A"], viewer=viewer, year=2026) is None
    with clock.frozen(TODAY):
        workplan = panels.workplan_panel(tree["SH-A"], viewer=viewer, year=2026, today=TODAY)
        assert (workplan["plans"], workplan["items"], workplan["on_time_rate"]) == (0, 0, None)
        html = login(client, viewer).get(reverse("stats:home")).content.decode()
    assert 'id="panel-workplan"' in html
    assert 'id="panel-dues"' not in html
    assert 'id="panel-funds"' not in html


def test_dashboard_page_and_api_show_the_panels(client, tree, district_cadre, paid_dues):
    login(client, district_cadre)
    with clock.frozen(TODAY):
        html = client.get(reverse("stats:home")).content.decode()
        data = client.get("/api/v1/stats/dashboard", {"org": "SH-A"}).json()
    assert 'id="panel-dues"' in html
    assert "66.7%" in html
    assert data["dues"] == {"entries": 3, "paid_entries": 2, "due": "91.50", "paid": "61.00",
                            "rate": 66.7, "rate_text": "66.7%"}
    assert data["funds"]["income"] == "61.00"
