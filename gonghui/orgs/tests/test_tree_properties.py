"""Property: after any sequence of moves and merges on a random tree, every node's materialised
path agrees with the parent relation we expect, depth and numchild are right, and no node is lost."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from gonghui.accounts.models import User
from gonghui.core.errors import ApplicationError
from gonghui.orgs import services
from gonghui.orgs.models import Org

# Initial level by depth; moves and merges must respect the level order (or be refused).
LEVELS = ["national", "province", "city", "district", "street", "grassroots", "branch"]


@st.composite
def trees_and_ops(draw):
    size = draw(st.integers(min_value=2, max_value=12))
    parents = [None] + [draw(st.integers(min_value=0, max_value=i - 1)) for i in range(1, size)]
    ops = draw(st.lists(
        st.tuples(st.sampled_from(["move", "merge"]), st.integers(0, size - 1),
                  st.integers(0, size - 1)),
        max_size=8,
    ))
    return parents, ops


class TreeProperties(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(trees_and_ops())
    def test_paths_follow_moves_and_merges(self, data):
        parents, ops = data
        admin = User.objects.create(username="root", is_superuser=True)
        nodes: list[Org] = []
        depth_of: dict[int, int] = {}
        for i, p in enumerate(parents):
            depth_of[i] = 0 if p is None else depth_of[p] + 1
            org = Org(code=f"N{i}", name=f"n{i}", level=LEVELS[min(depth_of[i], 6)],
                      org_type="branch")
            if p is None:
                nodes.append(Org.objects.add_root(instance=org))
            else:
                nodes.append(Org.objects.add_child(Org.objects.get(pk=nodes[p].pk), instance=org))
        rank = {i: min(d, 6) for i, d in depth_of.items()}
        expected = dict(enumerate(parents))
        status = dict.fromkeys(range(len(parents)), "active")

        def is_ancestor(a: int, b: int | None) -> bool:  # a is b or above b
            while b is not None:
                if a == b:
                    return True
                b = expected[b]
            return False

        for kind, x, y in ops:
            source = Org.objects.get(code=f"N{x}")
            target = Org.objects.get(code=f"N{y}")
            before = sorted(Org.objects.values_list("code", "path", "status"))
            try:
                if kind == "move":
                    services.org_move(org=source, new_parent=target, actor=admin)
                else:
                    services.org_merge(source=source, target=target, actor=admin)
            except ApplicationError:
                moving = [x] if kind == "move" else [c for c, v in expected.items() if v == x]
                allowed_refusal = (
                    x == y or is_ancestor(x, y) or status[x] != "active"
                    or status[y] != "active" or (kind == "move" and expected[x] is None)
                    or any(rank[y] >= rank[c] for c in moving)
                )
                assert allowed_refusal, (kind, x, y)
                assert sorted(Org.objects.values_list("code", "path", "status")) == before
                continue
            if kind == "move":
                expected[x] = y
            else:
                for child, parent in list(expected.items()):
                    if parent == x:
                        expected[child] = y
                status[x] = "merged"

        by_path = {o.path: o for o in Org.objects.all()}
        assert len(by_path) == len(parents)
        for o in by_path.values():
            i = int(o.code[1:])
            assert o.depth == len(o.path) // Org.steplen
            assert o.status == status[i]
            parent = by_path.get(o.path[: -Org.steplen]) if o.depth > 1 else None
            assert (int(parent.code[1:]) if parent else None) == expected[i]
            assert o.numchild == sum(1 for v in expected.values() if v == i)
