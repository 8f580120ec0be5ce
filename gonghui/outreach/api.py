"""The JSON API of outreach (mounted at /api/v1/outreach)."""

from __future__ import annotations

from ninja import Router

router = Router()
