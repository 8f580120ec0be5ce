"""JSON API of 困难职工帮扶 at /api/v1/aid, one module per subdomain: files (household, review
chain, reveal, assistance, due lists), programmes, standards and the dashboard. Same services,
selectors and access functions as the pages."""

from __future__ import annotations

from ninja import Router

from gonghui.aid.api.files import router as files_router
from gonghui.aid.api.programmes import router as programmes_router
from gonghui.aid.api.standards import router as standards_router

router = Router()
router.add_router("", files_router)
router.add_router("", programmes_router)
router.add_router("", standards_router)

__all__ = ["router"]
