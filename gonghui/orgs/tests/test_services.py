from __future__ import annotations

import pytest

from gonghui.audit.models import AuditEvent
from gonghui.core import hooks
from gonghui.core.errors import ApplicationError
from gonghui.orgs import services
from gonghui.orgs.models import Org
from gonghui.orgs.validation import make_uscc


def test_create_assigns_code_path_and_audit(tree, district_cadre):
    parent = tree["SH-A-1"]
    org = services.org_create(parent=parent, actor=district_cadre, name="甲三公司工会",
                              level="grassroots", org_type="grassroots",
                              uscc=make_uscc("81310101000000077"))
    assert org.code == "SH-A-1-03"
    assert org.path.startswith(parent.path)
    assert len(org.path) == len(parent.path) + 4
    event = AuditEvent.objects.get(action="org.create")
    assert event.actor_name == "district_a"
    assert event.after["name"] == "甲三公司工会"
    assert event.org_path == org.path


def test_create_rejects_invalid_and_non_union_uscc(tree, district_cadre):
    with pytest.raises(ApplicationError) as exc:
        services.org_create(parent=tree["SH-A-1"], actor=district_cadre, name="x",
                            level="grassroots", org_type="grassroots", uscc="813101010000000770")
    assert exc.value.code == "uscc_invalid"
    with pytest.raises(ApplicationError) as exc:
        services.org_create(parent=tree["SH-A-1"], actor=district_cadre, name="x",
                            level="grassroots", org_type="grassroots",
                            uscc=make_uscc("91310101000000077"))
    assert exc.value.code == "uscc_not_union"
    assert Org.objects.count() == 8
    assert AuditEvent.objects.count() == 0


def test_create_rejects_level_above_parent(tree, district_cadre):
    with pytest.raises(ApplicationError) as exc:
        services.org_create(parent=tree["SH-A-1"], actor=district_cadre, name="x",
                            level="district", org_type="federation")
    assert exc.value.code == "level_order"


def test_update_records_before_and_after(tree, district_cadre):
    services.org_update(org=tree["SH-A-1"], actor=district_cadre, name="甲区新街道工会")
    event = AuditEvent.objects.get(action="org.update")
    assert event.before == {"name": "甲区一街道工会", "updated_at": event.before["updated_at"]}
    assert event.after["name"] == "甲区新街道工会"


def test_dissolve_refuses_union_with_sub_orgs(tree, district_cadre):
    with pytest.raises(ApplicationError) as exc:
        services.org_dissolve(org=tree["SH-A-1"], actor=district_cadre)
    assert exc.value.code == "not_empty"
    assert exc.value.message == "“甲区一街道工会”还有2 个下级组织，不能撤销；请先转出或合并。"
    assert Org.objects.get(code="SH-A-1").status == "active"


def test_dissolve_refuses_union_an_app_reports_occupied(tree, district_cadre):
    def occupied(org):
        return ["3 名在册会员"] if org.code == "SH-A-1-1" else []

    hooks.register("org.occupancy", occupied)
    try:
        with pytest.raises(ApplicationError) as exc:
            services.org_dissolve(org=tree["SH-A-1-1"], actor=district_cadre)
        assert "3 名在册会员" in exc.value.message
        org = services.org_dissolve(org=tree["SH-A-1-2"], actor=district_cadre)
    finally:
        hooks._HOOKS["org.occupancy"].remove(occupied)
    assert org.status == "dissolved"
    assert AuditEvent.objects.filter(action="org.dissolve").count() == 1


def test_merge_moves_children_and_marks_source(tree, city_admin):
    calls = []
    hook = lambda **kw: calls.append((kw["source"].code, kw["target"].code))  # noqa: E731
    hooks.register("org.merge", hook)
    try:
        target = services.org_merge(source=tree["SH-A-1"], target=tree["SH-B-1"], actor=city_admin)
    finally:
        hooks._HOOKS["org.merge"].remove(hook)
    assert calls == [("SH-A-1", "SH-B-1")]
    source = Org.objects.get(code="SH-A-1")
    assert source.status == "merged"
    assert source.merged_into_id == target.pk
    kids = sorted(Org.objects.get_children(Org.objects.get(code="SH-B-1")).values_list("code", flat=True))
    assert kids == ["SH-A-1-1", "SH-A-1-2", "SH-B-1-1"]
    assert Org.objects.get_children(source).count() == 0


def test_move_rejects_descendant_and_root(tree, city_admin):
    with pytest.raises(ApplicationError) as exc:
        services.org_move(org=tree["SH-A"], new_parent=tree["SH-A-1"], actor=city_admin)
    assert exc.value.code == "move_descendant"
    with pytest.raises(ApplicationError) as exc:
        services.org_move(org=tree["SH"], new_parent=tree["SH-A"], actor=city_admin)
    assert exc.value.code == "move_root"


def test_move_notifies_path_change(tree, city_admin):
    seen = []
    hook = lambda **kw: seen.append((kw["old_prefix"], kw["new_prefix"]))  # noqa: E731
    hooks.register("org.path_changed", hook)
    old = tree["SH-A-1"].path
    try:
        moved = services.org_move(org=tree["SH-A-1"], new_parent=tree["SH-B"], actor=city_admin)
    finally:
        hooks._HOOKS["org.path_changed"].remove(hook)
    assert seen == [(old, moved.path)]
    assert moved.path.startswith(tree["SH-B"].path)


def test_employer_coverage_over_subtree(tree):
    from gonghui.orgs.models import Employer
    from gonghui.orgs.selectors import employer_coverage

    Employer.objects.create(name="甲一公司", area=tree["SH-A-1"], union=tree["SH-A-1-1"],
                            employees_count=100)
    Employer.objects.create(name="甲区小店", area=tree["SH-A-1"], employees_count=5)
    Employer.objects.create(name="乙一公司", area=tree["SH-B-1"], union=tree["SH-B-1-1"],
                            employees_count=50)
    assert employer_coverage(tree["SH-A"]) == {"employers": 2, "covered": 1, "employees": 105,
                                               "rate": 50.0}
    assert employer_coverage(tree["SH"])["rate"] == 66.7


def test_merge_and_dissolve_write_the_org_history(tree, city_admin):
    from gonghui.orgs.models import OrgHistory

    services.org_merge(source=tree["SH-A-1"], target=tree["SH-B-1"], actor=city_admin,
                       note="街道调整")
    services.org_dissolve(org=tree["SH-B-1-1"], actor=city_admin, note="企业注销")
    rows = list(OrgHistory.objects.order_by("id").values_list(
        "org__code", "from_status", "to_status", "actor_name", "reason"))
    assert rows == [("SH-A-1", "active", "merged", "city_admin", "街道调整"),
                    ("SH-B-1-1", "active", "dissolved", "city_admin", "企业注销")]
    assert OrgHistory.objects.filter(actor=city_admin).count() == 2


def test_closed_org_cannot_be_closed_again(tree, city_admin):
    from gonghui.orgs.models import OrgHistory

    services.org_dissolve(org=tree["SH-A-1-2"], actor=city_admin)
    with pytest.raises(ApplicationError) as exc:
        services.org_dissolve(org=tree["SH-A-1-2"], actor=city_admin)
    assert exc.value.code == "already_closed"
    with pytest.raises(ApplicationError) as exc:
        services.org_merge(source=tree["SH-A-1-2"], target=tree["SH-A-1-1"], actor=city_admin)
    assert exc.value.code == "merge_closed"
    assert OrgHistory.objects.count() == 1
    assert AuditEvent.objects.filter(action__in=["org.dissolve", "org.merge"]).count() == 1


@pytest.mark.parametrize(("persona", "status"), [("auditor", 403), ("other_district_cadre", 404)])
def test_services_check_their_own_permission(request, tree, persona, status):
    from gonghui.core.actor import system_actor

    actor = request.getfixturevalue(persona)
    before = list(Org.objects.order_by("pk").values_list("pk", "path", "name", "status"))
    calls = [
        lambda: services.org_update(org=tree["SH-A-1"], actor=actor, name="改名"),
        lambda: services.org_create(parent=tree["SH-A-1"], actor=actor, name="新",
                                    level="grassroots", org_type="grassroots"),
        lambda: services.org_dissolve(org=tree["SH-A-1-2"], actor=actor),
        lambda: services.org_merge(source=tree["SH-A-1-2"], target=tree["SH-A-1-1"], actor=actor),
        lambda: services.org_move(org=tree["SH-A-1-2"], new_parent=tree["SH-A"], actor=actor),
    ]
    for call in calls:
        with pytest.raises(ApplicationError) as exc:
            call()
        assert exc.value.status_code == status
    assert list(Org.objects.order_by("pk").values_list("pk", "path", "name", "status")) == before
    assert AuditEvent.objects.count() == 0
    # the platform itself (CLI, tasks) passes the capability check
    org = services.org_update(org=tree["SH-A-1"], actor=system_actor("cli"), name="改名")
    assert (org.name, AuditEvent.objects.get().actor_name) == ("改名", "cli")


def test_detail_page_shows_the_status_history(client, tree, city_admin):
    from conftest import login

    services.org_dissolve(org=tree["SH-A-1-2"], actor=city_admin, note="企业注销")
    html = login(client, city_admin).get(f"/orgs/{tree['SH-A-1-2'].pk}/").content.decode()
    assert "city_admin · 正常 → 已撤销 · 企业注销" in html
