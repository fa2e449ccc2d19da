"""The benchmark harness works: a small chain, a fan-out and a few API calls through bench/'s own code.

Checks only that runs complete and every figure is a number, never timings
(those belong to `make bench`, on a quiet machine). Runs against the test
database with a real Celery worker, gunicorn and Docker, like the engine tests.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from bench import editor, report, scenarios
from bench.stack import Api, CeleryWorker, DockerEvents, Gunicorn, api_token, free_port, stack_env

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.docker, pytest.mark.slow]


@pytest.fixture
def stack(tmp_path: Path, docker_ready: None) -> Iterator[dict[str, Any]]:
    db = connection.settings_dict
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "the bench smoke test needs CELERY_BROKER_URL=redis://..."
    env = stack_env(
        database_url=f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        broker_url=settings.CELERY_BROKER_URL,
        var_dir=Path(settings.VAR_DIR),
        production_like=False,
    )
    events = DockerEvents().start()
    started: list[Any] = []
    try:
        started.append(Gunicorn(env=env, log=tmp_path / "gunicorn.log", port=free_port(0)).start())
        started.append(CeleryWorker(env=env, log=tmp_path / "worker.log", concurrency=4, tag="bench-smoke").start())
        yield {"gunicorn": started[0], "worker": started[1], "events": events, "tmp": tmp_path}
    finally:
        for process in reversed(started):
            process.stop()
        events.stop()


@pytest.fixture
def docker_ready() -> None:
    import docker

    try:
        client = docker.from_env()
        client.images.get(scenarios.IMAGE)
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"the bench smoke test needs Docker and {scenarios.IMAGE}: {exc}. Run `make test`.")


def _numbers(figures: list[report.Figure]) -> None:
    for figure in figures:
        assert figure.status == "measured", figure
        assert isinstance(figure.value, (int, float)) and not math.isnan(figure.value), figure


def test_the_harness_measures_a_chain_a_fan_out_and_the_api(stack: dict[str, Any]) -> None:
    token = api_token()
    cv = scenarios.bench_component()
    ctx = scenarios.Context(api=Api(stack["gunicorn"].base_url, token), events=stack["events"],
                            workers=[stack["worker"]], scratch=stack["tmp"], reps=1, warmup=0,
                            log=lambda _: None, component_version_id=cv.pk)

    chain, chain_details = scenarios.p1_chain(ctx, steps=3, hardened_baseline=False)
    fanout, _ = scenarios.p2_fanout(ctx, width=3)
    seeded = scenarios.seed_history(cv, pipelines=3, runs=12, steps_per_run=3, log=lambda _: None)
    api, api_details = scenarios.p5_api(ctx, seeded=seeded, token=token, requests_per=3, page_sizes=(2, 5))
    # P4 itself waits for a minute boundary; P6 needs the built editor and Chromium (bench/run.sh).
    pending = scenarios.p4_unavailable("shape check") + editor.p6_unavailable("shape check")

    _numbers(chain + fanout + api)
    assert {f.id for f in chain} == {"P1", "P3"}
    assert chain_details["gap_ms"]["n"] == 2  # two gaps in a chain of three, from Docker's events
    assert all(case["queries"] > 0 for case in api_details["cases"].values())
    assert all(f.status == "not yet available" and f.reason for f in pending)

    out = stack["tmp"] / "latest.json"
    report.write_json(out, figures=chain + fanout + api + pending, machine_info=report.machine(), options={}, extra={})
    document = json.loads(out.read_text())
    assert document["machine"]["cpus"] and document["figures"]
    assert "P1" in report.table(chain + fanout + api + pending)
    assert stack["worker"].rss_bytes() > 10 * 2**20  # what P7 reads before and after its burst
