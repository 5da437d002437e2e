"""`make run` installs only what serving needs; `make test` adds the test tools (Chromium, poppler, playwright…)."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _packages(*args):
    script = ROOT / "scripts" / "install-system-packages"
    return subprocess.run([script, *args, "--list"], capture_output=True, text=True, check=True).stdout.split()


def _prerequisites(target):
    makefile = (ROOT / "Makefile").read_text()
    return re.search(rf"^{re.escape(target)}:(.*)$", makefile, re.M)[1].split()


def test_serving_installs_no_browser_and_no_test_tools():
    serve, everything = set(_packages("serve")), set(_packages())
    assert {"libpango-1.0-0", "fonts-dejavu-core"} <= serve
    assert not serve & {"chromium", "poppler-utils", "libsqliteodbc"}
    assert serve < everything and {"chromium", "poppler-utils"} <= everything


def test_make_run_takes_the_serving_set_and_make_test_the_whole():
    assert "system-packages-serve" in _prerequisites("run") and "system-packages" not in _prerequisites("run")
    assert _prerequisites("migrate") == ["venv-serve"]
    assert _prerequisites("$(VENV)/.installed-serve") == ["requirements.txt"]
    assert {"system-packages", "venv"} <= set(_prerequisites("test"))


def test_make_run_starts_the_server_one_worker_and_the_scheduler_which_also_sends_messages():
    """No fourth process for messages: the scheduler queues messages_send_due and the worker sends (the same
    in production, README "Production workers"); tests/jobs/test_workers.py proves a message goes out so."""
    from jobs.schedule import SCHEDULES

    started = re.findall(r'^\s*start "\$PY" manage\.py (\S+)', (ROOT / "scripts" / "dev-run").read_text(), re.M)
    assert sorted(started) == ["db_worker", "rqworker", "run_scheduler", "runserver"]  # db_worker or rqworker
    assert "messages_send" not in started
    assert {"tariffs_apply_due", "messages_send_due", "housekeeping"} <= {entry.name for entry in SCHEDULES}
