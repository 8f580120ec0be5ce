"""Issue 12: an import awaiting confirmation is not a dead end (item 5); the import target is
never pre-filled with an org that cannot hold members, and is picked by name (item 10)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import login
from gonghui.roster.models import ImportJob, ImportStatus
from gonghui.roster.tests.test_views import _upload

pytestmark = pytest.mark.django_db


def test_awaiting_job_page_leads_back_to_preview_and_cancel(client, tree, grassroots_cadre,
                                                            messy_xlsx):
    login(client, grassroots_cadre)
    assert _upload(client, messy_xlsx).status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.UPLOADED
    page = client.get(reverse("roster:job", args=[job.pk])).content.decode()
    assert "此导入还在等待确认" in page
    assert reverse("roster:preview", args=[job.pk]) in page
    assert reverse("roster:cancel", args=[job.pk]) in page
    home = client.get(reverse("roster:home")).content.decode()
    assert f'href="{reverse("roster:preview", args=[job.pk])}"' in home
    assert client.post(reverse("roster:cancel", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.CANCELLED


def test_import_target_not_prefilled_with_a_district(client, tree, district_cadre):
    response = login(client, district_cadre).get(reverse("roster:home"))
    assert response.context["upload_form"].initial == {}
    assert response.context["export_form"].initial == {"union": "SH-A"}


def test_import_target_prefilled_with_the_one_union(client, tree, grassroots_cadre):
    response = login(client, grassroots_cadre).get(reverse("roster:home"))
    assert response.context["upload_form"].initial == {"union": "SH-A-1-1"}


def test_import_target_by_name(client, tree, district_cadre, messy_xlsx):
    login(client, district_cadre)
    assert _upload(client, messy_xlsx, union="甲二公司工会").status_code == 302
    assert ImportJob.objects.get().org == tree["SH-A-1-2"]


def test_import_target_by_a_district_name_is_refused(client, tree, district_cadre, messy_xlsx):
    login(client, district_cadre)
    response = _upload(client, messy_xlsx, union="甲区总工会")
    assert response.status_code == 400
    assert "找不到可用于此操作的组织“甲区总工会”" in response.content.decode()
    assert not ImportJob.objects.exists()
