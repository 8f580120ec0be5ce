"""Unions and employers in the global search: unions by name, short name, code or USCC;
employers by name or USCC — inside the viewer's org.read subtrees (an employer by its area)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _l

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.accounts.scoping import scope
from gonghui.core.search import QuerySearch, SearchHit, register
from gonghui.orgs import selectors
from gonghui.orgs.models import Employer


class OrgsSearch(QuerySearch):
    name = "orgs"
    label = _l("工会组织")
    order = 20
    references = False

    def listing(self, user: Any, q: str) -> Any:
        if not has_capability(user, Capability.ORG_READ):
            return None
        return selectors.org_list(viewer=user, q=q)

    def hit(self, o: Any) -> SearchHit:
        return SearchHit(kind=self.name, title=o.name,
                         subtitle=" · ".join(p for p in (o.code, str(o.get_level_display()),
                                                         str(o.get_status_display()), o.uscc) if p),
                         url=reverse("orgs:detail", args=[o.pk]), org_path=o.path)


SUBSTRING_FROM = 3  # characters: a shorter query matches the beginning of a name only


def employer_search(*, viewer: Any, q: str) -> Any:
    """Employers whose area lies in the viewer's org.read subtrees, by exact USCC or by name: a
    query of three characters or more anywhere in the name (the trigram index on PostgreSQL),
    a shorter one at its beginning (the pattern-order index). Two characters anywhere in half a
    million names is a scan of the table for what is nearly always a person's name; the
    employer list (`stats`) still finds any part of a name inside a district."""
    queryset = scope(Employer.objects.all(), viewer, Capability.ORG_READ, path_field="area__path")
    by_name = Q(name__icontains=q) if len(q) >= SUBSTRING_FROM else Q(name__startswith=q)
    return queryset.filter(by_name | Q(uscc=q.upper())) \
        .select_related("area", "union").order_by("name", "id")


class EmployersSearch(QuerySearch):
    name = "employers"
    label = _l("用人单位")
    order = 30
    references = False

    def listing(self, user: Any, q: str) -> Any:
        if not has_capability(user, Capability.ORG_READ):
            return None
        return employer_search(viewer=user, q=q)

    def hit(self, e: Any) -> SearchHit:
        return SearchHit(kind=self.name, title=e.name,
                         subtitle=" · ".join(p for p in (e.uscc, e.area.name,
                                                         e.union.name if e.union else "") if p),
                         url=reverse("stats:employer", args=[e.pk]), org_path=e.area.path)


register(OrgsSearch())
register(EmployersSearch())
