"""The notices' part in org tree changes (registered in apps.py)."""

from __future__ import annotations

from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from gonghui.notices.models import Notice


def org_path_changed(*, old_prefix: str, new_prefix: str) -> None:
    """Notices keep a copy of their org's path for scoping: rewrite it with the moved subtree."""
    Notice.objects.filter(org_path__startswith=old_prefix).update(
        org_path=Concat(Value(new_prefix), Substr(F("org_path"), len(old_prefix) + 1)))
