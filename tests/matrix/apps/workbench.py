"""Route-matrix entries of the workbench: the inbox and the global search are every signed-in
user's (each shows only what the user's own grants reach)."""

from __future__ import annotations

from tests.matrix.routes import get, op

PAGES = {
    "workbench:home": get(access="login"),
    "workbench:search": get(access="login"),
    "workbench:mine": get(access="login"),
}

API = {
    "GET /workbench/summary": op(access="login"),
    "GET /workbench/search": op(access="login"),
}
