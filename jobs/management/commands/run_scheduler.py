"""`manage.py run_scheduler [--once]`: enqueue scheduled work when it is due (jobs.schedule) and fail jobs whose
worker died, every CC_SCHEDULER_TICK_SECONDS. Safe to run more than one: each due run is claimed once."""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from jobs.schedule import schedule_tick
from jobs.services import jobs_fail_lost


class Command(BaseCommand):
    help = "Enqueue scheduled tasks (due tariffs, nightly rollup check, pruning) and fail jobs whose worker died."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one tick, then exit (for cron or a test)")

    def handle(self, *args, once=False, **options):
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write(f"Scheduler running (every {settings.CC_SCHEDULER_TICK_SECONDS:g} s); Ctrl-C stops it.")
        while True:
            close_old_connections()
            try:
                for name in schedule_tick():
                    self.stdout.write(f"Enqueued {name}.")
                if lost := jobs_fail_lost():
                    self.stdout.write(f"Marked {lost} job(s) failed: their worker stopped.")
            except Exception as exc:  # the database or the queue is down: say so, try again next tick
                self.stderr.write(f"Scheduler tick failed: {exc}")
                if once:
                    raise
            if once or stop.wait(settings.CC_SCHEDULER_TICK_SECONDS):
                break
        close_old_connections()
