"""The only way to reach evaluation objects, and the answer to "may this actor do that".

404 outside the viewer's subtrees (evaluation.read over the object's org), 403 when visible but
not writable (`accounts.gates.require_capability`). Reviewing is stricter: a union cannot review
its own rating — the reviewer holds evaluation.write at a strict ancestor of the rated union.
Members answer surveys on the portal: they reach a survey only when invited (404 otherwise).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.accounts.scoping import is_global, prefixes, scope
from gonghui.core.actor import SystemActor
from gonghui.core.errors import Forbidden, NotFound
from gonghui.evaluation.models import Invitation, Rating, Scheme, Survey, Title
from gonghui.orgs.models import Org

READ, WRITE = Capability.EVALUATION_READ, Capability.EVALUATION_WRITE


def can_write(user: Any, org: Org) -> bool:
    return has_capability(user, WRITE, org)


def require_write(user: Any, org: Org) -> None:
    require_capability(user, WRITE, org)


def is_superior(user: Any, org: Org) -> bool:
    """evaluation.write at a strict ancestor of `org` (or the operator / a superuser)."""
    if isinstance(user, SystemActor) or is_global(user):
        return True
    return any(org.path.startswith(p) and org.path != p for p in prefixes(user, WRITE))


def require_reviewer(user: Any, org: Org) -> None:
    """Review, check, decide, publicise, veto and withdraw: a superior federation's act."""
    require_capability(user, WRITE, org)
    if not is_superior(user, org):
        raise Forbidden(_("工会不能审核本级的评家申报，须由上级工会审核。"))


def _pk(value: int | str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound() from None


def access_scheme(user: Any, scheme_id: int | str, *, write: bool = False) -> Scheme:
    """A scheme is visible to its org's subtree readers and to readers below it (the unions
    it rates), i.e. to any reader whose subtree meets the scheme's path."""
    scheme = Scheme.objects.select_related("org").filter(pk=_pk(scheme_id)).first()
    if scheme is None or not scheme_visible(user, scheme):
        raise NotFound()
    if write:
        require_capability(user, WRITE, scheme.org)
    return scheme


def scheme_visible(user: Any, scheme: Scheme) -> bool:
    if is_global(user) or isinstance(user, SystemActor):
        return True
    return any(scheme.org_path.startswith(p) or p.startswith(scheme.org_path)
               for p in prefixes(user, READ))


def access_rating(user: Any, rating_id: int | str, *, write: bool = False,
                  review: bool = False) -> Rating:
    rating = (scope(Rating.objects.select_related("org", "scheme", "scheme__org"), user, READ,
                    path_field="org_path").filter(pk=_pk(rating_id)).first())
    if rating is None:
        raise NotFound()
    if write:
        require_write(user, rating.org)
    if review:
        require_reviewer(user, rating.org)
    return rating


def access_title(user: Any, title_id: int | str, *, review: bool = False) -> Title:
    title = (scope(Title.objects.select_related("org"), user, READ, path_field="org_path")
             .filter(pk=_pk(title_id)).first())
    if title is None:
        raise NotFound()
    if review:
        require_reviewer(user, title.org)
    return title


def access_survey(user: Any, survey_id: int | str, *, write: bool = False) -> Survey:
    survey = (scope(Survey.objects.select_related("org"), user, READ, path_field="org_path")
              .filter(pk=_pk(survey_id)).first())
    if survey is None:
        raise NotFound()
    if write:
        require_write(user, survey.org)
    return survey


def member_person(user: Any) -> Any:
    """The member's own Person (the portal), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "member_person", None)


def access_invited_survey(user: Any, survey_id: int | str) -> tuple[Survey, Invitation]:
    """A member reaches a survey only through their invitation (404 otherwise)."""
    person = member_person(user)
    if person is None:
        raise NotFound()
    invitation = (Invitation.objects.select_related("survey", "survey__org", "union")
                  .filter(survey_id=_pk(survey_id), person=person).first())
    if invitation is None:
        raise NotFound()
    return invitation.survey, invitation


def require_evaluation_page(user: Any) -> None:
    require_capability(user, READ)


def writable_orgs(user: Any) -> Any:
    return scope(Org.objects.filter(status="active"), user, WRITE).order_by("path")
