"""The Locust users of bench/bench_load.py (issue 23, the single machine's ceiling): cadres and
members of the generated 10 M-member city, signed in by session cookies the bench prepared.

Run through bench/bench_load.py, which writes the fixture file named by GONGHUI_LOAD_FIXTURE
(cookies, sample members and unions per district, sealed ID numbers) and starts the server.
Each request is named by its page, so Locust's statistics are per page, not per URL.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

from locust import HttpUser, between, task

FIXTURE = json.loads(Path(os.environ["GONGHUI_LOAD_FIXTURE"]).read_text(encoding="utf-8"))
THINK = [float(x) for x in os.environ.get("GONGHUI_LOAD_THINK", "1,3").split(",")]


def _cookies(session: str) -> dict[str, str]:
    """The session as a Cookie header: a cookie set on the client's jar without a domain is
    not sent to 127.0.0.1 (every page answered the sign-in redirect in the first run)."""
    return {"Cookie": f"sessionid={session}; django_language=zh-hans"}


SIGNED_IN = "/accounts/logout/"  # the navigation's sign-out form: a page of a signed-in user


def _check(response, *, expect: str = "") -> None:
    """A page that answers anything but 200, or without the text that proves it is the page
    asked for (not a sign-in page or an error page), counts as a failure."""
    if response.status_code != 200:
        response.failure(f"HTTP {response.status_code}")
    elif expect and expect not in response.text:
        response.failure(f"'{expect}' not in the page")
    else:
        response.success()


class Cadre(HttpUser):
    """A district cadre (or, one time in 17, the city administrator) at work."""

    weight = 4
    wait_time = between(*THINK)

    def on_start(self) -> None:
        self.me = random.choice(FIXTURE["cadres"])
        self.headers = _cookies(self.me["session"])

    def _get(self, path: str, name: str, *, expect: str = SIGNED_IN, params=None) -> None:
        with self.client.get(path, params=params, name=name, headers=self.headers,
                             catch_response=True, allow_redirects=False) as response:
            _check(response, expect=expect)

    @task(3)
    def home(self) -> None:
        self._get("/", "home")

    @task(3)
    def member_list_filtered(self) -> None:
        self._get("/members/", "member list (3 filters)", expect="<tbody",
                  params={"org": random.choice(self.me["orgs"]), "gender": "F",
                          "age": "36-45", "seniority": "5-10"})

    @task(2)
    def member_list(self) -> None:
        self._get("/members/", "member list", expect="<tbody",
                  params={"org": random.choice(self.me["orgs"])})

    @task(3)
    def member_detail(self) -> None:
        self._get(f"/members/{random.choice(self.me['members'])}/", "member detail")

    @task(2)
    def id_search(self) -> None:
        # the search box posts the number and is answered with a sealed URL (core.middleware)
        self._get("/workbench/search/", "search by ID number", expect='data-group="members"',
                  params={"q": random.choice(self.me["sealed_ids"])})

    @task(1)
    def name_search(self) -> None:
        self._get("/workbench/search/", "search by name prefix",
                  params={"q": random.choice(FIXTURE["surnames"]) + random.choice(FIXTURE["surnames"])})

    @task(2)
    def org_tree(self) -> None:
        self._get(f"/orgs/{self.me['org_id']}/", "org page")

    @task(1)
    def org_children(self) -> None:
        self._get(f"/orgs/{self.me['org_id']}/children/", "org tree children", expect="")

    @task(1)
    def funds_statement(self) -> None:
        self._get(f"/funds/{random.choice(self.me['union_ids'])}/", "funds statement")

    @task(1)
    def payouts(self) -> None:
        self._get("/mutualaid/payouts/", "payouts list")

    @task(2)
    def api_members(self) -> None:
        self._get("/api/v1/members", "API member list", expect='"items"',
                  params={"org": random.choice(self.me["orgs"]), "gender": "M"})

    @task(1)
    def api_member(self) -> None:
        self._get(f"/api/v1/members/{random.choice(self.me['members'])}", "API member",
                  expect='"union"')


class Member(HttpUser):
    """A member on the portal (phone pages)."""

    weight = 1
    wait_time = between(*THINK)

    def on_start(self) -> None:
        self.headers = _cookies(random.choice(FIXTURE["members"]))

    def _get(self, path: str, name: str, *, expect: str = SIGNED_IN) -> None:
        with self.client.get(path, name=name, headers=self.headers, catch_response=True,
                             allow_redirects=False) as response:
            _check(response, expect=expect)

    @task(3)
    def portal(self) -> None:
        self._get("/members/portal/", "portal home")

    @task(2)
    def card(self) -> None:
        self._get("/members/portal/card/", "portal e-card")

    @task(1)
    def inbox(self) -> None:
        self._get("/workbench/mine/", "portal inbox")

    @task(1)
    def my_data(self) -> None:
        self._get("/members/portal/my-data/", "portal my data")
