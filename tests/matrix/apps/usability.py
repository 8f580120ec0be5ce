"""Routes added by the usability round (issue 12, part A)."""

from __future__ import annotations

from tests.matrix.routes import Entry, get

PAGES: dict[str, Entry] = {
    # the org picker's suggestions: any signed-in user may ask; the list is scoped to the
    # viewer's subtrees for the purpose (empty where they hold nothing)
    "orgs:picker": get(access="login"),
}

API: dict[str, object] = {}
