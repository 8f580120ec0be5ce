"""Issue 12 item 9: a worker finds every portal page from the portal (card, mutual-aid payouts,
join/transfer), and the login page leads to online joining."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import login
from gonghui.core.testing import synthetic_id_number
from gonghui.members.models import Person
from gonghui.mutualaid.tests.conftest import add_member

pytestmark = pytest.mark.django_db


def test_login_page_links_to_online_joining(client, tree):
    page = client.get(reverse("accounts:login")).content.decode()
    assert f'href="{reverse("members:portal_register")}"' in page
    assert "在线注册并申请入会" in page


def test_every_portal_page_is_reachable_from_the_portal(client, tree, member_user):
    person = add_member(tree["SH-A-1-1"], "王芳", synthetic_id_number(7))
    Person.objects.filter(pk=person.pk).update(user=member_user)
    login(client, member_user)
    home = client.get(reverse("members:portal")).content.decode()
    for name in ("members:portal_card", "mutualaid:portal", "members:portal_transfer",
                 "members:portal_apply"):
        assert f'href="{reverse(name)}"' in home, name
    payouts = client.get(reverse("mutualaid:portal"))
    assert payouts.status_code == 200
    text = payouts.content.decode()
    assert f'href="{reverse("members:portal")}"' in text
    assert f'href="{reverse("members:portal_card")}"' in text
    card = client.get(reverse("members:portal_card")).content.decode()
    assert f'href="{reverse("mutualaid:portal")}"' in card
