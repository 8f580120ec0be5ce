"""The six personas of issue 11, on the shared tree of the root conftest.py.

Each persona is a user (or nobody) plus the grants it holds; `World.user(persona)` returns the
user. The grants mirror the fixtures of conftest.py (`city_admin`, `district_cadre`,
`grassroots_cadre`, `auditor`, `member_user`) so the matrix asks the same people the app tests do.
"""

from __future__ import annotations

from dataclasses import dataclass

from gonghui.accounts.roles import Role


@dataclass(frozen=True)
class Persona:
    name: str
    username: str = ""                          # "" = anonymous
    grants: tuple[tuple[str, str], ...] = ()    # (org code, role)
    side: str = "A"                             # which district's objects it is shown

    @property
    def anonymous(self) -> bool:
        return not self.username


ANONYMOUS = Persona("anonymous")
# A worker with an active membership in SH-A-1-1 and no role anywhere.
MEMBER = Persona("member", "worker")
# conftest.grassroots_cadre: the registrar (会员专管员) of SH-A-1-1.
GRASSROOTS = Persona("grassroots", "grassroots_a11", (("SH-A-1-1", Role.REGISTRAR),))
# conftest.district_cadre (admin of SH-A), shown district B's objects.
DISTRICT_A_ON_B = Persona("district_a_on_b", "district_a", (("SH-A", Role.ADMIN),), side="B")
AUDITOR = Persona("auditor", "auditor", (("SH", Role.AUDITOR),))
ADMIN = Persona("admin", "city_admin", (("SH", Role.ADMIN),))

PERSONAS: tuple[Persona, ...] = (ANONYMOUS, MEMBER, GRASSROOTS, DISTRICT_A_ON_B, AUDITOR, ADMIN)
