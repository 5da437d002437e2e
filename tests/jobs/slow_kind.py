"""A test-only kind of job that takes its time: it records each run (to prove one run per job), reports progress
step by step and writes its file a line at a time (to prove a killed run leaves no half file)."""

import os
import time
from pathlib import Path

from django.conf import settings

from accounts import roles
from jobs.kinds import JobKind, job_kind_register


def runs_file(job_name):
    return Path(settings.MEDIA_ROOT) / f"runs-{job_name}.txt"


def _run(*, params, progress, output, by):
    runs = runs_file(params["name"])
    runs.parent.mkdir(parents=True, exist_ok=True)
    with runs.open("a") as handle:
        handle.write(f"{time.time()}\n")
    steps = params.get("steps", 5)
    with output.file(f"{params['name']}.txt") as path, open(path, "w") as handle:
        for step in range(steps):
            handle.write(f"line {step}\n")
            handle.flush()
            progress(step, steps, "Stepping")
            time.sleep(params.get("pause", 0.05))
    progress(steps, steps)
    return {"steps": steps}


SLOW = job_kind_register(JobKind("slow_test", "Slow test job", _run, roles.is_employee, lambda data: ({}, "", [])))


def _slow_acdb_import(seconds):
    """CC_TEST_ACDB_PAUSE_SECONDS: the ACDB import pauses after each progress report, so a test can watch its
    progress from another process, and kill its worker in the middle."""
    from datatools.acdb.importer import _Importer

    report = _Importer.progress

    def progress(self, table):
        report(self, table)
        time.sleep(seconds)

    _Importer.progress = progress


if os.environ.get("CC_TEST_ACDB_PAUSE_SECONDS"):
    _slow_acdb_import(float(os.environ["CC_TEST_ACDB_PAUSE_SECONDS"]))
