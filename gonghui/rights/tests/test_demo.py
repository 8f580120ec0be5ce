"""The demo.seed hook loads the rights demo once (cases, letters, a contract, a congress, risk
signals that raise an alert); a second run adds nothing."""

from __future__ import annotations

import io

import pytest

from gonghui.rights import demo
from gonghui.rights.models import Case, Congress, Contract, Letter, RiskAlert

pytestmark = pytest.mark.django_db


def test_demo_seed_loads_once():
    from gonghui.demo import load_employers, load_orgs, load_users

    orgs = load_orgs()
    users = load_users(orgs)
    load_employers(orgs)
    out = io.StringIO()
    demo.seed(orgs=orgs, users=users, stdout=out)
    counts = (Case.objects.count(), Letter.objects.count(), Contract.objects.count(),
              Congress.objects.count(), RiskAlert.objects.count())
    assert counts == (4, 2, 1, 1, 1)
    assert "Demo rights: 4 cases, 2 letters, 1 contract, 1 congress, risk signals." in (
        out.getvalue())
    demo.seed(orgs=orgs, users=users, stdout=out)
    assert "Demo rights: already loaded." in out.getvalue()
    assert (Case.objects.count(), Letter.objects.count(), Contract.objects.count(),
            Congress.objects.count(), RiskAlert.objects.count()) == counts
