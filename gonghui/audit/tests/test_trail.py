from __future__ import annotations

from conftest import login
from gonghui.orgs import services


def test_trail_is_scoped_and_filterable(client, tree, city_admin, district_cadre,
                                        other_district_cadre):
    services.org_update(org=tree["SH-A-1"], actor=district_cadre, name="甲区改名街道工会")
    services.org_update(org=tree["SH-B-1"], actor=other_district_cadre, name="乙区改名街道工会")
    html = login(client, district_cadre).get("/audit/").content.decode()
    assert "甲区改名街道工会" in html
    assert "乙区改名街道工会" not in html
    html = login(client, city_admin).get("/audit/?actor=district_b").content.decode()
    assert "乙区改名街道工会" in html
    assert "甲区改名街道工会" not in html
    assert "共 1 条" in html


def test_trail_needs_audit_role(client, tree, grassroots_cadre):
    # audit.read has no read partner: without it anywhere the trail does not exist (was 403)
    assert login(client, grassroots_cadre).get("/audit/").status_code == 404
    assert login(client, grassroots_cadre).get("/audit/reads/").status_code == 404


def test_trail_shows_values_whatever_their_keys(client, tree, city_admin):
    """A before/after dict with a key named "items" (workplan breakdowns) renders as values."""
    from gonghui.audit.services import audit_record

    audit_record(actor=city_admin, action="workplan.item_update", object_type="workplan.item",
                 object_repr="要点一", org_path=tree["SH"].path, before={"items": 3},
                 after={"items": 4})
    response = login(client, city_admin).get("/audit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="text-muted">items:</span> 3' in html
    assert '<span class="text-muted">items:</span> 4' in html
