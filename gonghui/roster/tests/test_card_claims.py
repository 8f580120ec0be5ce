"""The roster import claims every card number it writes (members.CardNumberClaim) in the chunk's
transaction, and a number held by a membership of another union is refused by the claim — with
the membership's own unique key dropped, as on Citus (docs/scale.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import transaction

from gonghui.members.models import CardNumberClaim, Membership
from gonghui.members.tests.test_card_claims import drop_card_number_key
from gonghui.roster import registry, samples
from gonghui.roster.tests.helpers import registry_state, run_import

pytestmark = pytest.mark.django_db


def _csv(path: Path, people: list[tuple[int, str]]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        handle.write("姓名,身份证号码,会员证号\n")
        for index, card in people:
            row = samples.person_row(index)
            handle.write(f"{row[0]},{row[1]},{card}\n")
    return path


def test_the_import_claims_every_card_number(tree, tmp_path):
    job = run_import(_csv(tmp_path / "a.csv", [(0, "A001"), (1, ""), (2, "A003")]),
                     tree["SH-A-1-1"], chunk_rows=2)
    assert job.counts() == {"imported": 3, "unchanged": 0, "rejected": 0, "skipped": 0}
    memberships = sorted(Membership.objects.values_list("card_number", "id"))
    assert len(memberships) == 3
    assert sorted(CardNumberClaim.objects.values_list("card_number", "membership_id")) \
        == memberships


@pytest.mark.postgres
def test_a_card_number_of_another_union_is_refused_by_the_claim(tree, tmp_path, monkeypatch):
    run_import(_csv(tmp_path / "a.csv", [(0, "X-0001")]), tree["SH-A-1-1"])
    holder = Membership.objects.get(card_number="X-0001")
    with transaction.atomic():
        drop_card_number_key()
        before = registry_state()
        job = run_import(_csv(tmp_path / "b.csv", [(1, "X-0001")]), tree["SH-B-1-1"])
        assert job.counts() == {"imported": 0, "unchanged": 0, "rejected": 1, "skipped": 0}
        assert job.rejections.get().reason == \
            "会员证号 X-0001 已被其他会员使用，请核对，或留空由系统生成。"
        assert registry_state() == before
        # a writer that took the number between the chunk's lookup and its write: the claim's
        # key fails the chunk's COPY, the chunk runs again and its lookup rejects the row
        real = registry.taken_card_numbers
        calls: list[int] = []

        def blind_once(cards):  # type: ignore[no-untyped-def]
            calls.append(1)
            return set() if len(calls) == 1 else real(cards)

        monkeypatch.setattr(registry, "taken_card_numbers", blind_once)
        job = run_import(_csv(tmp_path / "c.csv", [(2, "X-0001")]), tree["SH-B-1-1"])
        assert len(calls) == 2
        assert job.counts() == {"imported": 0, "unchanged": 0, "rejected": 1, "skipped": 0}
        assert list(Membership.objects.filter(card_number="X-0001").values_list(
            "union__code", flat=True)) == ["SH-A-1-1"]
        assert list(CardNumberClaim.objects.filter(card_number="X-0001").values_list(
            "membership_id", flat=True)) == [holder.pk]
        assert registry_state() == before
        transaction.set_rollback(True)  # the key comes back with the rollback
