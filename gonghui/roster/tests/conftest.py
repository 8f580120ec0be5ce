"""Fixtures of the roster tests: rosters written on the fly (gonghui.roster.samples) with the
faults of SPEC §4, and helpers that run an import the way the CLI does."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonghui.roster import samples


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def messy_xlsx(tmp_path) -> Path:
    return samples.write_messy_xlsx(tmp_path / "名册.xlsx")


@pytest.fixture
def messy_gb18030(tmp_path) -> Path:
    return samples.write_messy_csv(tmp_path / "名册.csv", start=600_000, encoding="gb18030")
