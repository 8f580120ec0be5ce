"""The union column of democracy's member-scale rows (docs/scale.md, core/citus.py): voters,
credentials, representatives and everything under them carry `org`, the union of the election
or congress they belong to — the distribution column on Citus, NOT NULL everywhere, and part of
every unique key. A row takes it from its parent (`union_parent`) when the creating code has not
set it; bulk inserts set it themselves (bulk_create does not call save)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class InUnion(models.Model):
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("工会"))

    # the foreign key whose row's `org` this row shares
    union_parent = ""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.org_id is None and self.union_parent:
            self.org_id = getattr(self, self.union_parent).org_id
        super().save(*args, **kwargs)
