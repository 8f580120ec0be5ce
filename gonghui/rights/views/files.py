"""Serving a case document: the bytes leave only after the scope check and the logged read."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse

from gonghui.rights.models import CaseDocument
from gonghui.rights.services.cases import document_bytes


def document_response(doc: CaseDocument, user: Any) -> HttpResponse:
    response = HttpResponse(document_bytes(doc=doc, actor=user), content_type=doc.content_type)
    response["Content-Disposition"] = f'inline; filename="document-{doc.pk}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
