"""Issue 12 item 8: stopping `gonghui demo` by its process id (SIGTERM) or by closing its
terminal (SIGHUP) stops the server and the worker it started, like Ctrl-C does."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

SCRIPT = r"""
import os, subprocess, sys
from unittest import mock
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
django.setup()
from gonghui.core.management.commands import demo
real = subprocess.Popen
def child(argv, *args, **kwargs):  # the server and the worker: processes that never end
    return real([sys.executable, "-c", "import time; time.sleep(300)"])
with mock.patch.object(demo, "call_command"), mock.patch.object(demo.subprocess, "Popen", child):
    demo.Command().handle(host="127.0.0.1", port=1)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_demo_stops_its_children_on_a_signal(signum):
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    pids: list[int] = []
    assert proc.stdout is not None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        pids += [int(p) for p in re.findall(r"started \(pid (\d+)\)", line)]
        if line.startswith("Open http"):
            break
    assert len(pids) == 2, "the demo did not start its server and worker"
    assert all(_alive(pid) for pid in pids)
    proc.send_signal(signum)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert "Server and worker stopped." in out
    assert not any(_alive(pid) for pid in pids)
