"""API of roster sync: compare a finished import, list the missing members with paging, decide
them in bulk with a reason (a transfer names the receiving union); another district's cadre gets
404 and a reader 403, and nothing changes on any refusal. The CLI's --sync flag runs the same
comparison after the import."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command

from conftest import login, make_user
from gonghui.core import clock
from gonghui.members.models import Membership, SyncCandidate, Transfer
from gonghui.roster.models import ImportJob

from . import test_sync
from .helpers import run_import
from .test_sync import _roster

union_members = test_sync.union_members  # the same members as the service tests

TODAY = dt.date(2026, 5, 12)


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(TODAY):
        yield


def _post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def test_detect_list_and_decide_in_bulk(client, tree, tmp_path, union_members, district_cadre):
    union, fields, held = union_members
    job = run_import(_roster(tmp_path / "全量名册.csv", [fields[0]]), union)
    login(client, district_cadre)
    detected = _post(client, f"/api/v1/roster/imports/{job.pk}/sync")
    assert (detected.status_code, detected.json()) == (
        200, {"import_job": job.pk, "missing": 2, "open": 2})
    page = client.get(f"/api/v1/roster/imports/{job.pk}/sync/candidates?page_size=1").json()
    assert (page["count"], len(page["items"]), page["next"] is not None) == (2, 1, True)
    second = client.get(page["next"]).json()
    rows = page["items"] + second["items"]
    assert sorted(r["membership"] for r in rows) == sorted([held[1].pk, held[2].pk])
    assert {r["status"] for r in rows} == {"open"}
    # masked, never the number itself
    assert {r["id_number_masked"] for r in rows}.isdisjoint(f["id_number"] for f in fields)
    assert {len(r["id_number_masked"]) for r in rows} == {18}
    by_member = {r["membership"]: r["id"] for r in rows}

    blank = _post(client, f"/api/v1/roster/imports/{job.pk}/sync/decide",
                  {"ids": [by_member[held[1].pk]], "decision": "retired", "reason": " "})
    assert blank.status_code == 200
    assert (blank.json()["done"], blank.json()["failures"][0]["code"]) == (0, "reason_required")
    decided = _post(client, f"/api/v1/roster/imports/{job.pk}/sync/decide",
                    {"ids": [by_member[held[1].pk], 999999], "decision": "retired",
                     "reason": "已办理退休"})
    assert decided.json() == {"done": 1, "failed": 1, "failures": [
        {"id": 999999, "code": "not_found", "message": "未找到，或您无权查看。"}]}
    moved = _post(client, f"/api/v1/roster/imports/{job.pk}/sync/decide",
                  {"ids": [by_member[held[2].pk]], "decision": "transfer", "reason": "调往乙区",
                   "to_union": "sh-b-1-1"})
    assert moved.json()["done"] == 1
    assert Membership.objects.get(pk=held[1].pk).status == "retired"
    transfer = Transfer.objects.get(membership=held[2])
    assert (transfer.to_union.code, transfer.status) == ("SH-B-1-1", "pending")
    assert sorted(SyncCandidate.objects.values_list("membership_id", "status")) == [
        (held[1].pk, "retired"), (held[2].pk, "transfer")]
    done = client.get(f"/api/v1/roster/imports/{job.pk}/sync/candidates?status=all").json()
    assert done["count"] == 2
    assert client.get(f"/api/v1/roster/imports/{job.pk}/sync/candidates?status=x"
                      ).status_code == 400


def test_other_district_404_reader_403_nothing_changed(client, tree, tmp_path, union_members,
                                                       city_admin, other_district_cadre,
                                                       auditor):
    union, fields, _held = union_members
    job = run_import(_roster(tmp_path / "r.csv", [fields[0]]), union)
    login(client, other_district_cadre)
    assert _post(client, f"/api/v1/roster/imports/{job.pk}/sync").status_code == 404
    assert SyncCandidate.objects.count() == 0
    login(client, city_admin)
    _post(client, f"/api/v1/roster/imports/{job.pk}/sync")
    ids = list(SyncCandidate.objects.values_list("pk", flat=True))
    login(client, other_district_cadre)
    assert client.get(f"/api/v1/roster/imports/{job.pk}/sync/candidates").status_code == 404
    assert _post(client, f"/api/v1/roster/imports/{job.pk}/sync/decide",
                 {"ids": ids, "decision": "withdrawn", "reason": "越权"}).status_code == 404
    # import jobs are the business of member.write: a reader of the registry (the treasurer:
    # member.read only) gets 403; the auditor, who does not read the registry, does not see
    # the job at all (404)
    login(client, auditor)
    assert client.get(f"/api/v1/roster/imports/{job.pk}/sync/candidates"
                      ).status_code == 404
    login(client, make_user("treasurer", org=tree["SH"], role="treasurer"))
    assert client.get(f"/api/v1/roster/imports/{job.pk}/sync/candidates"
                      ).status_code == 403
    assert _post(client, f"/api/v1/roster/imports/{job.pk}/sync/decide",
                 {"ids": ids, "decision": "withdrawn", "reason": "越权"}).status_code == 403
    assert set(SyncCandidate.objects.values_list("status", flat=True)) == {"open"}
    assert Membership.objects.filter(status="active").count() == 4


def test_cli_sync_flag_lists_the_missing_members(tree, tmp_path, union_members, capsys):
    union, fields, held = union_members
    path = _roster(tmp_path / "全量名册.csv", [fields[0], fields[1]])
    call_command("import_members", str(path), "--union", union.code, "--sync", "--json")
    summary = json.loads(capsys.readouterr().out)
    assert (summary["unchanged"], summary["sync_missing"]) == (2, 1)
    job = ImportJob.objects.get()
    assert list(SyncCandidate.objects.filter(import_job_id=job.pk)
                .values_list("membership_id", flat=True)) == [held[2].pk]
    # a dry run compares nothing
    call_command("import_members", str(path), "--union", union.code, "--sync", "--dry-run",
                 "--restart")
    assert "试运行不进行名册同步比对" in capsys.readouterr().err
    assert SyncCandidate.objects.count() == 1
