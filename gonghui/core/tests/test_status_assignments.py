"""Every status field changes only through `core.workflow.transition()` / `transition_many()`.

An AST scan of `gonghui/**.py` (migrations, tests and `core/workflow.py` itself excluded) that
lists, as `file:line`, every place that writes a model status field around the transition table:

- a plain assignment `x.status = …` / `x.<anything>_status = …` (also augmented, annotated and
  tuple targets, and `setattr(x, "status", …)`);
- a queryset `.update(status=…)` / `.update(<x>_status=…)` (also `.update(**{"status": …})`);
- a `bulk_update(rows, ["status", …])` naming a status field.

Creating a row with its initial status (`Model(status=…)`, `objects.create(status=…)`) is fine
and is not a finding. The status fields are read from the model registry: every field of a
gonghui model named `status` or `*_status`, except the history columns and personal attributes
listed in `NOT_WORKFLOW_STATE`.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]  # …/gonghui
REPO = ROOT.parent
EXCLUDED_FILES = {ROOT / "core" / "workflow.py"}
EXCLUDED_DIRS = {"migrations", "tests"}

NOT_WORKFLOW_STATE = {
    # History rows (HistoryBase and the older *Event models) record a transition; they are
    # written once, at creation, by transition() or the service that appends them.
    "from_status",
    "to_status",
    # 政治面貌 (political affiliation) is a personal attribute edited on the member form.
    "political_status",
}


def status_field_names() -> set[str]:
    names: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("gonghui."):
            continue
        for field in model._meta.get_fields():
            name = getattr(field, "name", "")
            if (name == "status" or name.endswith("_status")) and name not in NOT_WORKFLOW_STATE:
                names.add(name)
    return names


def source_files() -> list[Path]:
    files = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if EXCLUDED_DIRS & set(rel.parts[:-1]) or path in EXCLUDED_FILES:
            continue
        files.append(path)
    return files


def _attribute_targets(target: ast.expr) -> list[ast.Attribute]:
    if isinstance(target, ast.Attribute):
        return [target]
    if isinstance(target, ast.Tuple | ast.List):
        return [a for elt in target.elts for a in _attribute_targets(elt)]
    if isinstance(target, ast.Starred):
        return _attribute_targets(target.value)
    return []


def _string(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def findings_in(tree: ast.AST, fields: set[str]) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            for attr in _attribute_targets(target):
                if attr.attr in fields:
                    found.append((attr.lineno, f"assignment to .{attr.attr}"))
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) >= 2:
            name = _string(node.args[1])
            if name in fields:
                found.append((node.lineno, f'setattr(…, "{name}", …)'))
        if not isinstance(func, ast.Attribute):
            continue
        if func.attr == "update":
            for kw in node.keywords:
                if kw.arg in fields:
                    found.append((node.lineno, f".update({kw.arg}=…)"))
                elif kw.arg is None and isinstance(kw.value, ast.Dict):
                    for key in kw.value.keys:
                        name = _string(key) if key is not None else None
                        if name in fields:
                            found.append((node.lineno, f'.update(**{{"{name}": …}})'))
        elif func.attr == "bulk_update":
            field_list: ast.expr | None = node.args[1] if len(node.args) >= 2 else None
            for kw in node.keywords:
                if kw.arg == "fields":
                    field_list = kw.value
            if isinstance(field_list, ast.List | ast.Tuple | ast.Set):
                for elt in field_list.elts:
                    name = _string(elt)
                    if name in fields:
                        found.append((node.lineno, f'bulk_update(…, ["{name}", …])'))
    return found


def scan() -> list[str]:
    fields = status_field_names()
    report = []
    for path in source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, what in sorted(set(findings_in(tree, fields))):
            report.append(f"{path.relative_to(REPO)}:{line}: {what}")
    return report


def test_status_fields_change_only_through_transition():
    findings = scan()
    assert findings == [], (
        "status fields written outside core.workflow.transition()/transition_many() "
        f"({len(findings)}):\n" + "\n".join(findings)
    )


def test_the_scan_sees_each_kind_of_write():
    code = (
        "def f(job, qs, rows):\n"
        "    job.status = 'done'\n"
        "    job.review_status += 'x'\n"
        "    a, job.status = 1, 2\n"
        "    qs.update(status='x', other=1)\n"
        "    qs.update(**{'review_status': 'y'})\n"
        "    Model.objects.bulk_update(rows, ['status'])\n"
        "    setattr(job, 'status', 'x')\n"
        "    job.statuses = 1\n"
        "    job.political_status = 'x'\n"
        "    Model.objects.create(status='new')\n"
    )
    fields = {"status", "review_status"}
    assert sorted(findings_in(ast.parse(code), fields)) == [
        (2, "assignment to .status"),
        (3, "assignment to .review_status"),
        (4, "assignment to .status"),
        (5, ".update(status=…)"),
        (6, '.update(**{"review_status": …})'),
        (7, 'bulk_update(…, ["status", …])'),
        (8, 'setattr(…, "status", …)'),
    ]


def test_status_fields_come_from_the_models():
    fields = status_field_names()
    assert {"status"} <= fields
    assert fields.isdisjoint(NOT_WORKFLOW_STATE)
