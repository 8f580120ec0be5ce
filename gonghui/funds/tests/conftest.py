from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _chinese():
    """Messages are asserted in Simplified Chinese, the UI default, whatever language another
    test left active in this thread."""
    from django.utils import translation

    with translation.override("zh-hans"):
        yield


def invoice(name: str = "发票.pdf", data: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def treasurer(tree):
    from conftest import make_user

    return make_user("treasurer_a11", org=tree["SH-A-1-1"], role="treasurer")


@pytest.fixture
def funds_auditor(tree):
    """经审委员 of district A."""
    from conftest import make_user

    return make_user("auditor_a", org=tree["SH-A"], role="auditor")


def add_members(union, n: int, actor, wage: str = "8000") -> list:
    from gonghui.members.services import member_add
    from gonghui.members.tests.factories import person_fields

    names = "甲乙丙丁戊己庚辛壬癸"
    return [member_add(union=union, fields=person_fields(name=f"王{names[i]}", monthly_wage=wage),
                       actor=actor, joined_on=dt.date(2020, 1, 1)) for i in range(n)]


D = Decimal


@contextmanager
def refused_at_commit() -> Iterator[list[str]]:
    """The body's transaction is refused when it commits (a deferred check of the database).
    Yields a list holding afterwards the error's text and the server's notices. On one node,
    and on Citus for a transaction over several workers (two-phase commit: the check fails at
    PREPARE), the check's own error arrives as an IntegrityError; on Citus a transaction on a
    single worker commits in one phase, and the coordinator answers "could not commit
    transaction for shard …" after passing on the worker's error as a WARNING. Either way
    nothing of the transaction is kept."""
    from django.conf import settings
    from django.db import DatabaseError, IntegrityError, connection

    connection.ensure_connection()
    raw = connection.connection
    text: list[str] = []

    def notice(diagnostic: Any) -> None:
        text.append(diagnostic.message_primary or "")

    raw.add_notice_handler(notice)
    try:
        with pytest.raises(DatabaseError) as exc:
            yield text
    finally:
        raw.remove_notice_handler(notice)
    text.append(str(exc.value))
    if not (isinstance(exc.value, IntegrityError) or (
            getattr(settings, "CITUS", False)
            and "could not commit transaction for shard" in str(exc.value))):
        raise AssertionError(f"not a refusal at commit: {exc.value!r}")
