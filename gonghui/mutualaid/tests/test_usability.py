"""Issue 12 (part A) in mutual aid: the dissolve refusal counts people, not enrolments (item 7)."""

from __future__ import annotations

import pytest

from gonghui.mutualaid.tests.conftest import enrol
from gonghui.orgs.services import org_occupancy

pytestmark = pytest.mark.django_db


def test_dissolve_refusal_counts_members_not_enrolments(tree, city_admin, plans, members):
    enrol(plans["allowance"], tree["SH-A-1-1"], city_admin)
    enrol(plans["ratio"], tree["SH-A-1-1"], city_admin)
    reasons = org_occupancy(tree["SH-A-1-1"])
    assert "3 名会员参加互助保障（共 6 份保障）" in reasons
    assert not any(r.startswith("6 名会员参加互助保障") for r in reasons)


# --- item 6: a finished settlement import says 100 % and shows its refused rows at once ------

from django.urls import reverse  # noqa: E402

from conftest import login  # noqa: E402
from gonghui.mutualaid.models import PayeeAccount, Payout, PayoutStatus, SettlementImport  # noqa: E402
from gonghui.mutualaid.tests.test_views import _immediate_tasks, world  # noqa: E402, F401


def test_finished_import_is_at_100_percent(client, world, city_admin):  # noqa: F811
    source = SettlementImport.objects.get()
    # the file had blank lines the reader skipped: more lines than rows read
    SettlementImport.objects.filter(pk=source.pk).update(total_rows=source.processed_rows + 3)
    source.refresh_from_db()
    assert source.status == "done"
    assert source.percent == 100
    page = login(client, city_admin).get(reverse("mutualaid:import", args=[source.pk]))
    text = page.content.decode()
    assert 'style="width: 100%">100%' in text
    assert f"已读 {source.processed_rows} 行" in text


def test_progress_poll_reloads_the_page_once_the_import_finishes(client, world,  # noqa: F811
                                                                 city_admin):
    source = SettlementImport.objects.get()
    url = reverse("mutualaid:import_progress", args=[source.pk])
    login(client, city_admin)
    assert client.get(url, {"was": "running"})["HX-Refresh"] == "true"
    assert "HX-Refresh" not in client.get(url, {"was": "done"})


# --- item 13: payouts a batch skips for want of a bank account are one click away ----------

def test_batch_pages_link_to_payouts_without_an_account(client, tree, world,  # noqa: F811
                                                       city_admin):
    waiting = Payout.objects.filter(status=PayoutStatus.APPROVED)
    n = waiting.count()
    assert n == 6
    assert not PayeeAccount.objects.exists()
    login(client, city_admin)
    page = client.get(reverse("mutualaid:batches")).content.decode()
    assert f"{n} 笔待支付的给付因会员未登记收款账户，不能编入代发批次。" in page
    assert f'href="{reverse("mutualaid:payouts")}?status=approved&amp;no_account=1"' in page
    listed = client.get(reverse("mutualaid:payouts"), {"status": "approved", "no_account": "1"})
    assert sorted(p.pk for p in listed.context["page"]) == sorted(w.pk for w in waiting)
    # a member's account registered: their payouts leave the list
    a1 = world["a1"]
    first = waiting.filter(person=a1).first()
    client.post(reverse("mutualaid:payee_account", args=[first.pk]), {
        "holder_name": "甲会员1", "bank_name": "建设银行", "account_number": "6217000010002000300"})
    listed = client.get(reverse("mutualaid:payouts"), {"status": "approved", "no_account": "1"})
    assert sorted(p.pk for p in listed.context["page"]) == sorted(
        w.pk for w in waiting.exclude(person=a1))
