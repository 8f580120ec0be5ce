"""The JSON API of evaluation (mounted at /api/v1/evaluation)."""

from __future__ import annotations

from ninja import Router

router = Router()
