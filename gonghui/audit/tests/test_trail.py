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
    # audit.read held nowhere: the trail refuses (403, issue 13 item 14), never an empty list
    assert login(client, grassroots_cadre).get("/audit/").status_code == 403
    assert login(client, grassroots_cadre).get("/audit/reads/").status_code == 403


def test_trail_shows_values_whatever_their_keys(client, tree, city_admin):
    """A before/after dict with a key named "items" (workplan breakdowns) renders as values."""
    from gonghui.audit.services import audit_record

    audit_record(actor=city_admin, action="workplan.item_update", object_type="workplan.item",
                 object_repr="要点一", org_path=tree["SH"].path, before={"items": 3},
                 after={"items": 4})
    response = login(client, city_admin).get("/audit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="text-muted">条数：</span>3' in html
    assert '<span class="text-muted">条数：</span>4' in html


def test_trail_of_a_bank_batch_renders(client, tree, city_admin):
    """Issue 12 item 1: the batch event's `items` key made the trail answer 500."""
    from gonghui.audit.services import audit_record

    audit_record(actor=city_admin, action="mutualaid.batch.create",
                 object_type="mutualaid.payoutbatch", object_id="7", object_repr="代发批次 7",
                 org_path=tree["SH-A"].path,
                 after={"items": 5, "total": "12345.50", "status": "draft"})
    for language in ("zh-hans", "en"):
        client.cookies["django_language"] = language
        response = login(client, city_admin).get("/audit/")
        assert response.status_code == 200
    client.cookies["django_language"] = "zh-hans"
    html = login(client, city_admin).get("/audit/").content.decode()
    assert "生成银行代发批次" in html
    assert '<span class="text-muted">条数：</span>5' in html
    assert '<span class="text-muted">总金额：</span>12,345.50' in html


def test_trail_reads_in_words_and_local_time(client, tree, city_admin):
    """Issue 12 item 15: Chinese labels for actions, object types and fields, values as the
    pages show them (choice labels, the related org's name), times in Beijing time."""
    import datetime as dt

    from gonghui.audit.models import AuditEvent
    from gonghui.audit.services import audit_record

    a1, b1 = tree["SH-A-1"], tree["SH-B-1"]
    event = audit_record(actor=city_admin, action="org.move", obj=a1, org_path=a1.path,
                         before={"parent": "SH-A", "status": "active", "path": a1.path},
                         after={"parent": "SH-B", "status": "merged",
                                "merged_into_id": b1.pk, "flag": False})
    AuditEvent.objects.filter(pk=event.pk).update(
        at=dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC))
    html = login(client, city_admin).get("/audit/").content.decode()
    assert "2026-03-02 07:30:00" in html  # 23:30 UTC is 07:30 the next morning in Beijing
    assert "调整隶属关系" in html
    assert '<span title="org.move">' in html
    assert "<code>org.move</code>" not in html
    assert '<span class="text-muted">上级组织：</span>SH-A' in html
    assert '<span class="text-muted">上级组织：</span>SH-B' in html
    assert '<span class="text-muted">状态：</span>已合并' in html
    assert f'<span class="text-muted">并入：</span>{b1}' in html
    assert '<span class="text-muted">flag：</span>否' in html
    assert "路径" not in html  # the tree's internal path is no value a cadre reads
    assert '<option value="orgs.org" >工会组织</option>' in html

    # a cadre searches by the words she sees
    html = login(client, city_admin).get("/audit/?action=隶属").content.decode()
    assert "共 1 条" in html
    html = login(client, city_admin).get("/audit/?action=记账").content.decode()
    assert "共 0 条" in html or "没有符合条件的记录" in html


def test_sensitive_reads_name_the_field(client, tree, city_admin):
    from gonghui.audit.services import sensitive_read_record

    sensitive_read_record(actor=city_admin, subject_type="members.person", subject_id="1",
                          subject_repr="张三", field="id_number", purpose="核对身份",
                          org_path=tree["SH-A"].path)
    html = login(client, city_admin).get("/audit/reads/").content.decode()
    assert "<td>身份证号</td>" in html


def test_nested_values_codes_and_blind_indexes_read_in_words(client, tree, city_admin):
    """A household member recorded inside a file's event reads with its fields' labels and
    choice words; a list of causes reads as words; a blind index is never shown; a posting's
    source registered by its app reads in words (the crawler holds every cadre page to it)."""
    from gonghui.audit.services import audit_record
    from gonghui.core.codes import register_codes

    register_codes({"test.source": "测试来源"})
    union = tree["SH-A-1-1"]
    audit_record(actor=city_admin, action="aid.file.open", obj=union, org_path=union.path,
                 after={"members": [{"relation": "child", "health": "healthy",
                                     "id_hash": "A" * 64}],
                        "causes": ["illness"], "applicant_hash": "B" * 64,
                        "source": "test.source"})
    html = login(client, city_admin).get("/audit/").content.decode()
    # (PostgreSQL's jsonb keeps a dict's keys in its own order)
    assert "与申请人关系: 子女" in html
    assert "健康状况: 健康" in html
    assert '<span class="text-muted">causes：</span>' not in html
    assert '<span class="text-muted">致困原因：</span>患病' in html
    assert "A" * 64 not in html
    assert "B" * 64 not in html
    assert "测试来源" in html
    assert "test.source</" not in html


def test_trail_labels_reach_the_english_catalogue(client, tree, city_admin):
    """The label tables (`L = gettext_lazy`) are extracted by the project's makemessages, so an
    English reader sees the action in English."""
    from gonghui.audit.services import audit_record

    org = tree["SH-A-1"]
    audit_record(actor=city_admin, action="role.revoke", obj=org, org_path=org.path)
    client.cookies["django_language"] = "en"
    html = login(client, city_admin).get("/audit/").content.decode()
    assert "Role revoked" in html
    assert "撤销角色" not in html
