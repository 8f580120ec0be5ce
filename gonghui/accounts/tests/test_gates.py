"""accounts.gates: the one status policy (404 outside the subtrees, 403 visible but not allowed),
and the system actor of the CLI and tasks."""

from __future__ import annotations

import pytest

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_any_capability, require_capability
from gonghui.accounts.roles import CAPABILITIES, Role
from gonghui.accounts.scoping import scope
from gonghui.core.actor import SystemActor, actor_name, actor_user, as_actor, system_actor
from gonghui.core.errors import Forbidden, NotFound
from gonghui.orgs.models import Org

C = Capability


def outcome(user, cap, org=None) -> str:
    try:
        require_capability(user, cap, org)
    except NotFound:
        return "404"
    except Forbidden:
        return "403"
    return "ok"


def test_object_outside_the_subtree_is_404_visible_but_read_only_is_403(
        tree, district_cadre, other_district_cadre, auditor, grassroots_cadre):
    a11, b11 = tree["SH-A-1-1"], tree["SH-B-1-1"]
    assert outcome(district_cadre, C.MEMBER_WRITE, a11) == "ok"
    assert outcome(other_district_cadre, C.MEMBER_WRITE, a11) == "404"
    # the auditor reads funds everywhere and writes nowhere
    assert outcome(auditor, C.FUNDS_WRITE, b11) == "403"
    assert outcome(auditor, C.FUNDS_READ, b11) == "ok"
    # a registrar at SH-A-1-1 sees its union's members, not the street above
    assert outcome(grassroots_cadre, C.MEMBER_WRITE, a11) == "ok"
    assert outcome(grassroots_cadre, C.MEMBER_WRITE, tree["SH-A-1"]) == "404"
    assert outcome(grassroots_cadre, C.FUNDS_WRITE, a11) == "403"  # sees funds, cannot post


def test_no_object_capability_anywhere(tree, district_cadre, auditor, member_user):
    assert outcome(district_cadre, C.AID_WRITE) == "ok"
    assert outcome(auditor, C.AID_WRITE) == "403"  # reads aid, cannot open a file
    # issue 13 item 14: a capability held nowhere is a refusal (403), not a hidden page
    assert outcome(member_user, C.AID_READ) == "403"
    assert outcome(member_user, C.AUDIT_READ) == "403"
    with pytest.raises(Forbidden):
        require_any_capability(member_user, C.MEMBER_READ, C.MEMBER_WRITE)
    # issue 12 item 14: the auditor reads funds, not the member registry
    with pytest.raises(Forbidden):
        require_any_capability(auditor, C.MEMBER_WRITE, C.MEMBER_READ)
    require_any_capability(auditor, C.FUNDS_WRITE, C.FUNDS_READ)


def test_a_custom_403_message(tree, auditor):
    with pytest.raises(Forbidden) as caught:
        require_capability(auditor, C.FUNDS_WRITE, tree["SH"], message="经审委员只能查看经费。")
    assert caught.value.message == "经审委员只能查看经费。"


def test_system_actor_acts_for_the_whole_federation(tree):
    cli = system_actor("cli")
    assert has_capability(cli, C.ORG_WRITE, tree["SH-B-1-1"])
    assert scope(Org.objects.all(), cli, C.ORG_READ).count() == 8
    assert (actor_user(cli), actor_name(cli), str(cli)) == (None, "cli", "cli")
    assert as_actor("task:lapse") == SystemActor("task:lapse")
    assert as_actor(None) == SystemActor("system")


def test_actor_helpers_for_users(tree, district_cadre):
    assert actor_user(district_cadre) == district_cadre
    assert actor_name(district_cadre) == "district_a"
    assert as_actor(district_cadre) is district_cadre


def test_every_capability_has_a_visible_read_partner():
    granted = frozenset().union(*CAPABILITIES.values())
    assert set(Capability) == set(granted)
    for cap in Capability:
        assert cap.read_of in Capability
        assert cap.read_of.read_of == cap.read_of
    assert C.MUTUALAID_REVEAL in CAPABILITIES[Role.CADRE]
    assert C.MUTUALAID_REVEAL not in CAPABILITIES[Role.TREASURER]
