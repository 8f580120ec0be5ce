"""The JSON API of awards (mounted at /api/v1/awards)."""

from __future__ import annotations

from ninja import Router

router = Router()
