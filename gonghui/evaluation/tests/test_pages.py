"""Pages: a cadre runs the rating steps through the forms; the member's portal; denial
changes nothing."""

from __future__ import annotations

from typing import Any

from conftest import login
from gonghui.evaluation.models import ItemScore, Rating, RatingStatus
from gonghui.evaluation.services import ratings as svc


def test_self_assessment_and_review_pages(client: Any, tree, scheme, cadre_a11,
                                          street_cadre) -> None:
    rating = svc.rating_open(scheme=scheme, org=tree["SH-A-1-1"], actor=cadre_a11)
    ids = {s.item.title: s.item_id for s in ItemScore.objects.select_related("item")
           .filter(rating=rating)}
    login(client, cadre_a11)
    page = client.get(f"/evaluation/ratings/{rating.pk}/")
    assert page.status_code == 200
    assert "保存自评分" in page.content.decode()
    response = client.post(f"/evaluation/ratings/{rating.pk}/self/", {
        f"score_{ids['组织健全']}": "31", f"score_{ids['会员入会']}": "20"})
    assert response.status_code == 400
    assert "“组织健全”的分数应在 0 至 30.00 之间。" in response.content.decode()
    assert Rating.objects.get(pk=rating.pk).self_total == 0
    response = client.post(f"/evaluation/ratings/{rating.pk}/self/", {
        f"score_{ids['组织健全']}": "30", f"score_{ids['会员入会']}": "20",
        f"score_{ids['职代会制度']}": "45"})
    assert response.status_code == 302
    assert Rating.objects.get(pk=rating.pk).self_total == 95
    # the union itself cannot review: 403 and nothing changes
    response = client.post(f"/evaluation/ratings/{rating.pk}/decide/")
    assert response.status_code == 403
    assert Rating.objects.get(pk=rating.pk).status == RatingStatus.DRAFT
    for url in ("/evaluation/", "/evaluation/ratings/", "/evaluation/titles/",
                "/evaluation/titles/due/", "/evaluation/schemes/", "/evaluation/surveys/",
                "/evaluation/scores/", "/evaluation/scores/ranking/",
                f"/evaluation/schemes/{scheme.pk}/", "/evaluation/titles/public/"):
        assert client.get(url).status_code == 200, url


def test_other_district_gets_404(client: Any, tree, scheme, cadre_a11,
                                 other_district_cadre) -> None:
    rating = svc.rating_open(scheme=scheme, org=tree["SH-A-1-1"], actor=cadre_a11)
    login(client, other_district_cadre)
    assert client.get(f"/evaluation/ratings/{rating.pk}/").status_code == 404
    assert client.post(f"/evaluation/ratings/{rating.pk}/submit/").status_code == 404
    assert Rating.objects.get(pk=rating.pk).status == RatingStatus.DRAFT


def test_portal_for_a_worker_without_invitations(client: Any, member_user) -> None:
    login(client, member_user)
    page = client.get("/evaluation/my/")
    assert page.status_code == 200
    assert "目前没有需要您填写的问卷。" in page.content.decode()
