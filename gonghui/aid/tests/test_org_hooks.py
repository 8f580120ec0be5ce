"""The org tree's hooks: files follow a move and a merge; a union with open files cannot be
dissolved. Plus the OpenAPI document lists the aid endpoints."""

from __future__ import annotations

import pytest

from gonghui.aid.models import Assistance, FileActivity, HardshipFile, HouseholdMember
from gonghui.aid.services.assistance import assistance_record
from gonghui.aid.tests.conftest import active_file, make_person
from gonghui.core.errors import ApplicationError
from gonghui.orgs import services as org_services
from gonghui.orgs.models import Org

pytestmark = pytest.mark.django_db


def test_move_rewrites_paths(tree, standard, aid_cadre, street_cadre, city_admin):
    file = active_file(make_person(tree["SH-A-1-1"]), aid_cadre, street_cadre)
    assistance_record(file=file, actor=aid_cadre, kind="goods", amount="100",
                      idempotency_key="k")
    org_services.org_move(org=tree["SH-A-1"], new_parent=tree["SH-B"], actor=city_admin)
    new_path = Org.objects.get(code="SH-A-1-1").path
    file.refresh_from_db()
    assert file.union_path == new_path
    assert new_path.startswith(tree["SH-B"].path)
    assert Assistance.objects.get().union_path == new_path


def test_merge_moves_files_with_their_rows(tree, standard, street_cadre, district_cadre,
                                           city_admin):
    file = active_file(make_person(tree["SH-A-1-2"]), street_cadre, district_cadre)
    org_services.org_merge(source=tree["SH-A-1-2"], target=tree["SH-A-1-1"], actor=city_admin)
    file.refresh_from_db()
    target = tree["SH-A-1-1"]
    assert (file.union_id, file.union_path) == (target.pk, target.path)
    assert set(HouseholdMember.objects.values_list("union_id", flat=True)) == {target.pk}
    entry = FileActivity.objects.filter(file=file).order_by("-id").first()
    assert entry.reason == "工会组织合并，档案随“甲二公司工会”转入“甲一公司工会”"


def test_union_with_open_files_cannot_dissolve(tree, standard, street_cadre, city_admin):
    from gonghui.aid.services import files as svc
    from gonghui.members.models import Membership

    file = svc.file_open(person=make_person(tree["SH-A-1-2"]), actor=street_cadre)
    Membership.objects.filter(union=tree["SH-A-1-2"]).update(status="withdrawn",
                                                             ended_on="2025-01-01")
    with pytest.raises(ApplicationError) as exc:
        org_services.org_dissolve(org=tree["SH-A-1-2"], actor=city_admin)
    assert "1 份在档困难职工档案" in exc.value.message
    svc.file_close(file=file, actor=street_cadre, reason="会员退会")
    assert HardshipFile.objects.get().status == "closed"


def test_openapi_lists_aid_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    aid = sorted(p for p in paths if p.startswith("/api/v1/aid/"))
    assert "/api/v1/aid/files" in aid
    assert "/api/v1/aid/files/{file_id}/reveal" in aid
    assert "/api/v1/aid/programmes/{programme_id}/pay-all" in aid
    assert len(aid) == 30
