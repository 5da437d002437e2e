"""Enqueue-to-start latency on a real worker: one worker process per backend, started on first use against the
bench database (and REDIS_URL for RQ) and stopped when the bench exits."""

import atexit
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.db import connection

BACKENDS = {"database": "django_tasks_db.DatabaseBackend", "rq": "django_tasks_rq.RQBackend"}
_workers = {}


def _database_url():
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _worker(backend):
    if backend in _workers:
        return
    env = {**os.environ, "DATABASE_URL": _database_url(), "CC_TASKS_BACKEND": backend, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    if backend == "rq":
        command = ["rqworker", "default", "--job-class", "django_tasks_rq.Job"]
    else:
        command = ["db_worker", "--no-reload", "--interval", "0.2", "--no-startup-delay"]
    process = subprocess.Popen(
        [sys.executable, "manage.py", *command], cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, start_new_session=True
    )
    _workers[backend] = process
    atexit.register(lambda: os.killpg(process.pid, signal.SIGTERM))
    time.sleep(3)  # the worker's start-up (Django set-up) is not latency


def enqueue_to_start(backend, timeout=30):
    """Seconds from enqueue to the moment the worker started the task."""
    from django.utils.module_loading import import_string

    from bench.tasks import started_at

    _worker(backend)
    # The worker serves the alias "default" of its own process; enqueue into the same alias and store here.
    engine = import_string(BACKENDS[backend])(alias="default", params={"QUEUES": ["default"]})
    enqueued = time.time()
    result = engine.enqueue(started_at, (), {})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = engine.get_result(result.id)
        if result.is_finished:
            return result.return_value - enqueued
        time.sleep(0.005)
    raise RuntimeError(f"no {backend} worker ran the task within {timeout} s")
