"""Imports belong at module top; an import inside a function needs a comment saying why.

An AST scan of `gonghui/**.py` (tests and migrations excluded). An import statement anywhere
inside a function body (nested functions, branches and `try` blocks included) passes only when a
comment stands on one of its own lines or on the line just above it. A contiguous run of
imports under one such comment counts as covered (one reason for the block):

    def run(job_id: int) -> None:
        # tasks import services at call time: services enqueue tasks (cycle)
        from gonghui.roster.services import import_run
        from gonghui.roster.models import ImportJob

Legitimate reasons (architecture.md, layer contract): a task importing its service to break a
cycle, a subprocess entry point, a heavy optional library. Anything else moves to the top.
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # …/gonghui
REPO = ROOT.parent
EXCLUDED_DIRS = {"migrations", "tests"}


def source_files() -> list[Path]:
    return [
        path for path in sorted(ROOT.rglob("*.py"))
        if not EXCLUDED_DIRS & set(path.relative_to(ROOT).parts[:-1])
    ]


def comment_lines(source: str) -> set[int]:
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            lines.add(token.start[0])
    return lines


def _imports_in_functions(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.Import | ast.ImportFrom):
                found.append(node)
    # A nested function's imports are reached from every enclosing function: count them once.
    unique = {id(node): node for node in found}
    return sorted(unique.values(), key=lambda n: n.lineno)


def uncommented_imports(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    comments = comment_lines(source)
    covered_ends: set[int] = set()  # last lines of imports already known to be explained
    report: list[tuple[int, str]] = []
    for node in _imports_in_functions(tree):
        end = node.end_lineno or node.lineno
        own = any(line in comments for line in range(node.lineno, end + 1))
        above = node.lineno - 1 in comments or node.lineno - 1 in covered_ends
        if own or above:
            covered_ends.add(end)
            continue
        report.append((node.lineno, ast.unparse(node)))
    return report


def scan() -> list[str]:
    report = []
    for path in source_files():
        for line, code in uncommented_imports(path.read_text(encoding="utf-8")):
            report.append(f"{path.relative_to(REPO)}:{line}: {code}")
    return report


def test_function_level_imports_say_why():
    findings = scan()
    assert findings == [], (
        "imports inside a function without a comment (same line or the line above) saying "
        f"why ({len(findings)}):\n" + "\n".join(findings)
    )


def test_the_scan_reads_comments_and_blocks():
    source = (
        "import os\n"                                  # 1 module level: fine
        "def a():\n"                                   # 2
        "    from x import y  # cycle: x imports us\n"  # 3 same line
        "    # subprocess entry point\n"               # 4
        "    import z\n"                               # 5 line above
        "    import w\n"                               # 6 block under the comment
        "\n"                                           # 7
        "    import v\n"                               # 8 blank line breaks the block
        "def b():\n"                                   # 9
        "    if True:\n"                               # 10
        "        from q import (\n"                    # 11
        "            r,  # heavy optional library\n"   # 12 comment inside the statement
        "        )\n"                                  # 13
        "    def inner():\n"                           # 14
        "        import s\n"                           # 15 nested: reported once
        "class C:\n"                                   # 16
        "    import t\n"                               # 17 class body: not a function
    )
    assert uncommented_imports(source) == [(8, "import v"), (15, "import s")]
