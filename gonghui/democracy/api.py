"""The JSON API of democracy (mounted at /api/v1/democracy)."""

from __future__ import annotations

from ninja import Router

router = Router()
