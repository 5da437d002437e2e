"""Real workers in other processes for the task tests, on the database backend (django-tasks-db) and on RQ.

RQ needs a Redis server: CC_TEST_REDIS_URL (redis://127.0.0.1:6379/<db>, a database the tests may flush) runs
those tests; .ci/run sets it after starting redis-server. Without it the RQ cases are skipped, saying so."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)
BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
}
# Loads the test-only kinds of job (tests/jobs/slow_kind.py) in the worker, then runs the command.
RUNNER = """
import sys, django
django.setup()
import tests.jobs.slow_kind  # noqa: F401
from django.core.management import call_command
call_command(*sys.argv[1:])
"""


def database_url():
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings_dict['NAME']}"
    if connection.vendor == "postgresql":
        user = settings_dict["USER"] or "postgres"
        return f"postgres://{user}@{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
    pytest.skip(f"worker subprocess tests know SQLite and PostgreSQL, not {connection.vendor}")


class Workers:
    """Starts worker, scheduler and one-off processes against the test database and this backend; stops them."""

    def __init__(self, backend, redis_url, private_root):
        self.backend, self.redis_url, self.private_root = backend, redis_url, private_root
        self.processes = []

    def env(self, **extra):
        env = {
            **os.environ,
            "DEBUG": "true",
            "DATABASE_URL": database_url(),
            "CC_TASKS_BACKEND": self.backend,
            "CC_PRIVATE_ROOT": str(self.private_root),
            "CC_JOB_HEARTBEAT_SECONDS": "0.2",
            "CC_SCHEDULER_TICK_SECONDS": "0.3",
            "CC_TARIFF_CHECK_SECONDS": "1",
            "LOG_LEVEL": "WARNING",
        }
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        env.update(extra)
        return env

    def _start(self, *command, **env):
        process = subprocess.Popen(
            [sys.executable, "-c", RUNNER, *command],
            cwd=BASE_DIR,
            env=self.env(**env),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group: a kill reaches the worker's children too
        )
        self.processes.append(process)
        return process

    def worker(self, name="worker", **env):
        if self.backend == "rq":
            return self._start(
                "rqworker",
                "default",
                "--job-class",
                "django_tasks_rq.Job",
                "--name",
                f"{name}-{os.getpid()}-{len(self.processes)}",
                **env,
            )
        return self._start(
            "db_worker",
            "--no-reload",
            "--interval",
            "0.1",
            "--no-startup-delay",
            "--worker-id",
            f"{name}-{len(self.processes)}",
            **env,
        )

    def scheduler(self, **env):
        return self._start("run_scheduler", **env)

    def run(self, *command):
        """Run a management command to the end in its own process (the 'web process' that queues and exits)."""
        completed = subprocess.run(
            [sys.executable, "-c", RUNNER, *command], cwd=BASE_DIR, env=self.env(), capture_output=True, text=True, timeout=60
        )
        assert completed.returncode == 0, completed.stderr
        return completed.stdout

    def kill(self, process):
        """SIGKILL the worker and every process under it (RQ runs each job in a forked child of its own session)."""
        for pid in [*_descendants(process.pid), process.pid]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.wait(timeout=10)

    def stop_all(self):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def errors(self):
        return "\n".join(
            p.stderr.read().decode(errors="replace")[-3000:] for p in self.processes if p.stderr and p.poll() is not None
        )


def _descendants(pid):
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def wait_for(condition, *, timeout=30.0, every=0.05, what="the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"Timed out after {timeout:g} s waiting for {what}")
