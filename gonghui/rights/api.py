"""The JSON API of rights (mounted at /api/v1/rights)."""

from __future__ import annotations

from ninja import Router

router = Router()
