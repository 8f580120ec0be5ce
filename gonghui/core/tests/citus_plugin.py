"""pytest plugin for a run on a Citus coordinator (docs/scale.md "Testing on a cluster"):

    DATABASE_URL=$GONGHUI_TEST_CITUS_URL GONGHUI_TEST_CITUS_URL=… \\
        pytest -p gonghui.core.tests.citus_plugin -p no:xdist gonghui/…/tests

The database behind the URL is prepared once (`gonghui migrate`, `gonghui citus distribute`)
and used as it is: pytest-django creates no test database, because on Citus a new database
would need the extension created and the workers registered on every node."""

from __future__ import annotations

import os

import pytest


class _CitusDatabase:
    @pytest.fixture(scope="session")
    @classmethod
    def django_db_setup(cls, django_db_blocker):  # the name pytest-django looks up
        from django.conf import settings
        from django.db import connection

        url = os.environ.get("GONGHUI_TEST_CITUS_URL", "")
        name = settings.DATABASES["default"]["NAME"]
        if not url.rstrip("/").endswith("/" + name):
            pytest.exit(f"DATABASE_URL must be GONGHUI_TEST_CITUS_URL (database {name!r})")
        settings.CITUS = True  # row locks union by union (core.citus.lock_per_union)
        os.environ["GONGHUI_CITUS"] = "1"  # and in the worker processes tests start
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_dist_partition")
            if cursor.fetchone()[0] == 0:
                pytest.exit("the database is not distributed: run `gonghui citus distribute`")


def pytest_configure(config):
    # registered after pytest-django's own plugin, so this django_db_setup is the one used
    config.pluginmanager.register(_CitusDatabase(), "gonghui-citus-database")
