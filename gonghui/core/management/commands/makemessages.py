"""`makemessages` that also extracts the lazy-gettext aliases the code uses for tables of labels
(`L = gettext_lazy` in audit/labels.py, `gettext_lazy as _l` in app configs, pickers and to-do
providers), so every label reaches the English catalogue (scripts/i18n.sh)."""

from __future__ import annotations

from django.core.management.commands.makemessages import Command as MakeMessages


class Command(MakeMessages):
    xgettext_options = [*MakeMessages.xgettext_options, "--keyword=L", "--keyword=_l"]
