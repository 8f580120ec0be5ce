"""A roster import's rejection reasons in the reader's language (issue 12 item 18).

The worker stores each rejected row's reason as it read at import time, in the platform's
language. A reader in another language gets the validation reasons again in theirs: the row's
stored cells go once more through the same pure preparation (`prepare.prepare_rows`, no
database) under the job's own mapping and date. A reason the registry gave (a conflict with
another union's membership) is not a validation result and stays as stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import translation

from gonghui.roster.importer import read_mapping
from gonghui.roster.models import ImportJob
from gonghui.roster.prepare import REJECT, prepare_rows


def in_reader_language(job: ImportJob, rejections: Iterable[Any]) -> list[Any]:
    rows = list(rejections)
    stored = settings.LANGUAGE_CODE.split("-")[0]
    if (translation.get_language() or stored).split("-")[0] == stored or not rows:
        return rows
    mapping = read_mapping(job)
    for row in rows:
        again = prepare_rows([(row.row_number, row.cells)], mapping, as_of=job.as_of,
                             with_cipher=False)
        if again and again[0].kind == REJECT:
            row.reason, row.columns = again[0].reason, again[0].columns
    return rows
