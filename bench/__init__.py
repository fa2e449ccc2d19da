"""The benchmark harness behind `make bench` (see docs/benchmarks.md).

Each figure is measured in the same session as its baseline, on the same
machine, with the same image and command line, against the real stack:
PostgreSQL, Redis, Celery worker(s), gunicorn and the Docker engine.
"""
