"""`python -m bench` (bench/run.sh, `make bench`): provisions its own stack, runs the scenarios, prints the table.

    python -m bench                 everything (P7 with 1,000 runs)
    python -m bench --quick         P7 with 100 runs
    python -m bench --only P1,P3    a subset (P3 comes from P1's runs)
    python -m bench --no-profile    skip the py-spy / tracing pass

Environment: DATABASE_URL / CELERY_BROKER_URL as scripts/services.sh prints
them; the bench derives its own database (studio_bench) and Redis database
(/3) from them, or takes BENCH_DATABASE_URL / BENCH_BROKER_URL as given.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from bench import report
from bench.report import Figure
from bench.stack import (
    BACKEND,
    REPO,
    Api,
    CeleryBeat,
    CeleryWorker,
    DockerEvents,
    Gunicorn,
    Process,
    api_token,
    free_port,
    offset_sequences,
    recreate_database,
    remove_leftover_containers,
    stack_env,
    with_database,
)

ALL = ("P1", "P2", "P3", "P4", "P5", "P6", "P7")


def log(message: str) -> None:
    print(f"\033[1;34mbench\033[0m {message}", file=sys.stderr, flush=True)


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="P7 with 100 runs instead of 1,000")
    p.add_argument("--only", default="", help="comma-separated scenario ids (default: all)")
    p.add_argument("--reps", type=int, default=5, help="measured repetitions per figure (default 5, at least 5 for the record)")
    p.add_argument("--warmup", type=int, default=1, help="unmeasured warm-up repetitions (default 1)")
    p.add_argument("--steps", type=int, default=10, help="P1 chain length and P2 fan-out width (default 10)")
    p.add_argument("--p7-runs", type=int, default=None, help="P7 runs (default 1000, --quick 100)")
    p.add_argument("--p7-timeout", type=float, default=None,
                   help="seconds P7 waits for its runs before reporting what finished (default 1800, --quick 900)")
    p.add_argument("--p4-schedules", type=int, default=1000, help="P4 schedules due in the same minute (default 1,000)")
    p.add_argument("--p4-versions", type=int, default=100, help="P4 dataset versions committed (default 100)")
    p.add_argument("--p5-runs", type=int, default=10_000, help="P5 seeded runs (default 10,000)")
    p.add_argument("--p5-steps", type=int, default=10, help="P5 steps per seeded run (default 10 → 100,000 step runs)")
    p.add_argument("--p5-pipelines", type=int, default=250, help="P5 seeded pipelines (default 250)")
    p.add_argument("--p5-requests", type=int, default=200, help="P5 timed requests per case (default 200)")
    p.add_argument("--p6-steps", type=int, default=500,
                   help="P6 pipeline size, in columns of 25 steps (default 500: 20 columns)")
    p.add_argument("--concurrency", type=int, default=10, help="Celery worker threads (default 10)")
    p.add_argument("--port", type=int, default=8765, help="loopback port for the bench's gunicorn (default 8765)")
    p.add_argument("--no-profile", action="store_true", help="skip the profile pass")
    p.add_argument("--profile-runs", type=int, default=3, help="chain runs per profile pass (default 3)")
    p.add_argument("--what-if", default="",
                   help="experiment variants to try after the figures, '+' joins patches, e.g. "
                        "async-usage,async-usage+lean-docker (default: none; see bench/experiments.py)")
    p.add_argument("--keep-db", action="store_true", help="reuse the bench database instead of recreating it")
    p.add_argument("--json", default=str(REPO / "bench" / "results" / "latest.json"), help="where to write the results")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    only = {s.strip().upper() for s in args.only.split(",") if s.strip()} or set(ALL)
    p7_runs = args.p7_runs or (100 if args.quick else 1000)
    var_dir = Path(os.environ.get("STUDIO_VAR_DIR") or REPO / "var" / "bench").resolve()
    base_db = os.environ.get("DATABASE_URL", "")
    base_broker = os.environ.get("CELERY_BROKER_URL", "")
    database_url = os.environ.get("BENCH_DATABASE_URL") or (with_database(base_db, "studio_bench") if base_db.startswith("postgres") else "")
    broker_url = os.environ.get("BENCH_BROKER_URL") or (base_broker.rsplit("/", 1)[0] + "/3" if base_broker.startswith("redis://") else "")
    if not database_url or not broker_url:
        log("the bench runs against PostgreSQL and Redis: run it with `make bench` (bench/run.sh provisions both), "
            "or set DATABASE_URL=postgres://... and CELERY_BROKER_URL=redis://...")
        return 2

    machine = report.machine()
    code = report.code_version(REPO)
    log(f"machine: {report.machine_line(machine)}")
    log(f"code: {code}")
    log(f"database {database_url.rsplit('@', 1)[-1]}, broker {broker_url}, state {var_dir}")

    if not args.keep_db:
        recreate_database(database_url)
    env = stack_env(database_url=database_url, broker_url=broker_url, var_dir=var_dir)
    os.environ.update({k: v for k, v in env.items() if k not in ("PYTHONPATH",)})
    sys.path.insert(0, str(BACKEND))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not args.keep_db:
        # A fresh database restarts ids; a random high start keeps container names unique across bench runs.
        offset_sequences(1_000_000 * random.randint(1, 2000))
    if removed := remove_leftover_containers():
        log(f"removed {removed} containers an interrupted bench left behind")
    for sub in ("logs", "artifacts", "baseline"):
        shutil.rmtree(var_dir / sub, ignore_errors=True)
    (var_dir / "log").mkdir(parents=True, exist_ok=True)
    import redis

    redis.Redis.from_url(broker_url).flushdb()  # the bench's own Redis database: stale messages point at nothing

    from bench import scenarios

    if "P6" in only:
        # The built editor (frontend/dist, built by bench/run.sh) is served by whitenoise from STATIC_ROOT
        # (var/bench/static), which gunicorn reads when it starts: collect it first.
        from bench import editor

        editor.collect_static()

    events = DockerEvents().start()
    processes: list[Process] = []
    figures: list[Figure] = []
    extra: dict[str, Any] = {"details": {}}
    started = time.time()
    try:
        gunicorn = Gunicorn(env=env, log=var_dir / "log" / "gunicorn.log", port=free_port(args.port)).start()
        processes.append(gunicorn)
        worker = CeleryWorker(env=env, log=var_dir / "log" / "worker.log", concurrency=args.concurrency).start()
        processes.append(worker)
        beat = CeleryBeat(env=env, log=var_dir / "log" / "beat.log", schedule=var_dir / "celerybeat-schedule").start()
        processes.append(beat)
        log(f"stack up: gunicorn {gunicorn.base_url} (pid {gunicorn.pid}), worker pid {worker.pid} "
            f"(threads pool, concurrency {args.concurrency}), beat pid {beat.pid}")
        token = api_token()
        api = Api(gunicorn.base_url, token)
        cv = scenarios.bench_component()
        ctx = scenarios.Context(api=api, events=events, workers=[worker], scratch=var_dir, reps=args.reps,
                                warmup=args.warmup, log=log, component_version_id=cv.pk)

        extra["load_average"] = {"start": os.getloadavg()}

        def attempt(ids: str, fn: Any) -> None:
            # Other work on the machine shows up here; the figures are paired to resist it, not immune.
            extra["load_average"][f"{ids} before"] = os.getloadavg()
            try:
                figs, details = fn()
                figures.extend(figs)
                extra["details"][ids] = details
            except Exception as exc:  # noqa: BLE001 - one broken scenario must not hide the others
                traceback.print_exc()
                for id_ in ids.split("+"):
                    figures.append(Figure(id_, "scenario failed", status="error", reason=str(exc)[:300]))
            extra["load_average"][f"{ids} after"] = os.getloadavg()

        if "P5" in only:
            log(f"P5: seeding {args.p5_pipelines} pipelines, {args.p5_runs} runs × {args.p5_steps} steps")
            seeded = scenarios.seed_history(cv, pipelines=args.p5_pipelines, runs=args.p5_runs,
                                            steps_per_run=args.p5_steps, log=log)
            log(f"P5: seeded in {seeded['seconds']}s; measuring")
            attempt("P5", lambda: scenarios.p5_api(ctx, seeded=seeded, token=token, requests_per=args.p5_requests))
        if only & {"P1", "P3"}:
            log(f"P1/P3: {args.steps}-step chain vs sequential docker run, {args.warmup} warm-up + {args.reps} reps")
            attempt("P1+P3", lambda: scenarios.p1_chain(ctx, steps=args.steps))
        if "P2" in only:
            log(f"P2: {args.steps}-way fan-out vs xargs -P{args.steps} docker run")
            attempt("P2", lambda: scenarios.p2_fanout(ctx, width=args.steps))
        if "P4" in only:
            log(f"P4: {args.p4_schedules} schedules due in one minute; {args.p4_versions} dataset versions")
            attempt("P4", lambda: scenarios.p4_triggers(ctx, schedules=args.p4_schedules, versions=args.p4_versions))
        if "P6" in only:
            attempt("P6", lambda: scenarios.p6_editor(ctx, columns=max(1, args.p6_steps // 25), rows=25))
        if "P7" in only:
            log(f"P7: {p7_runs} runs of a 3-step pipeline queued at once")
            p7_timeout = args.p7_timeout or (900 if args.quick else 1800)
            attempt("P7", lambda: scenarios.p7_burst(ctx, runs=p7_runs, timeout=p7_timeout))
        if not args.no_profile and only & {"P1", "P3"}:
            from bench import profile_pass

            try:
                extra["profile"] = profile_pass.run(ctx, env=env, var_dir=var_dir, worker=worker, steps=args.steps,
                                                    runs=args.profile_runs, concurrency=args.concurrency,
                                                    processes=processes)
            except Exception as exc:  # noqa: BLE001
                traceback.print_exc()
                extra["profile"] = {"error": str(exc)}
        variants = [v.strip() for v in args.what_if.split(",") if v.strip()]
        if variants and only & {"P1", "P2"}:
            from bench import profile_pass

            worker.stop()
            try:
                extra["what_if"] = profile_pass.what_if(ctx, env=env, var_dir=var_dir, steps=args.steps,
                                                        concurrency=args.concurrency,
                                                        variants=[v.replace("+", ",") for v in variants],
                                                        processes=processes)
            except Exception as exc:  # noqa: BLE001
                traceback.print_exc()
                extra["what_if"] = {"error": str(exc)}
    finally:
        for proc in reversed(processes):
            proc.stop()
        events.stop()

    order = {id_: i for i, id_ in enumerate(ALL)}
    figures.sort(key=lambda f: order.get(f.id, 99))
    options = {"quick": args.quick, "reps": args.reps, "warmup": args.warmup, "steps": args.steps, "p7_runs": p7_runs,
               "p5": {"runs": args.p5_runs, "steps_per_run": args.p5_steps, "pipelines": args.p5_pipelines,
                      "requests": args.p5_requests},
               "worker": {"pool": "threads", "concurrency": args.concurrency, "heartbeat_seconds": 5,
                          "note": "production defaults: STUDIO_HEARTBEAT_SECONDS=5, STALE=30, RECONCILE=10, DEBUG off"},
               "image": scenarios.IMAGE, "command": ["python3", "-c", scenarios.SCRIPT, "/outputs/out"],
               "duration_seconds": round(time.time() - started)}
    report.write_json(Path(args.json), figures=figures, machine_info=machine, options=options,
                      extra={"code": code, **extra})
    print()
    print(f"Pipeline Studio benchmarks, {time.strftime('%Y-%m-%d %H:%M')} on {report.machine_line(machine)}; code {code}")
    loads = extra.get("load_average") or {}
    if loads:
        peak = max(v[0] for v in loads.values())
        print(f"1-minute load average during the bench: start {loads['start'][0]:.1f}, peak {peak:.1f} "
              f"on {machine.get('cpus')} cores (other work on the machine makes figures noisier)")
    print(report.table(figures))
    for section in ("profile", "what_if"):
        if isinstance(extra.get(section), dict) and "text" in extra[section]:
            print()
            print(extra[section]["text"])
    print(f"\nJSON: {args.json}")
    return 0 if all(f.status != "error" for f in figures) else 1
