"""A Celery worker for the profile pass and the what-if experiments:

    python -m bench.worker <celery arguments...>

BENCH_TRACE_FILE=path.jsonl   installs bench.tracing's timing hooks
BENCH_EXPERIMENTS=a,b         applies bench.experiments patches (engine changes tried out, never the figures)

The measured figures always come from a plain `celery worker`.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    import django

    django.setup()
    if os.environ.get("BENCH_TRACE_FILE"):
        from bench import tracing

        tracing.install()
    names = [n.strip() for n in os.environ.get("BENCH_EXPERIMENTS", "").split(",") if n.strip()]
    if names:
        from bench import experiments

        for name in names:
            experiments.apply(name)
    from celery.__main__ import main as celery_main

    sys.argv = ["celery", *sys.argv[1:]]
    celery_main()


if __name__ == "__main__":
    main()
