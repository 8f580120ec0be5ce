"""gunicorn settings of `gonghui serve` (passed as `--config python:gonghui.core.gunicorn_conf`;
command-line options and GUNICORN_CMD_ARGS still override them).

Each worker, once it has loaded the application, moves everything loaded so far (Django, the
URL patterns, templates, translations: ~300,000 objects) out of the garbage collector's view
(`gc.freeze`). Without it the collector's full passes walked all of them again and again while
pages were served — a pause of tens of milliseconds every few pages on the 10 M-member city
(docs/scale.md, "The single machine under load").
"""

from __future__ import annotations

import gc
from typing import Any


def post_worker_init(worker: Any) -> None:
    gc.collect()
    gc.freeze()
