"""The JSON API of workbench (mounted at /api/v1/workbench)."""

from __future__ import annotations

from ninja import Router

router = Router()
