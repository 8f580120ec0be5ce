"""`gonghui …`: the operators' command. `gonghui import-members` runs the Django management
command `import_members`, and so on; `gonghui --help` lists them all."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    if not args or args[0] in ("-h", "--help"):
        args = ["help", "--commands"] if args else ["help"]
    # After DJANGO_SETTINGS_MODULE is set: importing Django's management first would read
    # settings too early for a command line that sets it.
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gonghui", *args])


if __name__ == "__main__":
    main()
