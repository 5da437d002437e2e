"""manage.py seed_demo: fill an empty database with deterministic, realistic demo data."""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from datatools import demo


class Command(BaseCommand):
    help = "Load deterministic demo data (customers, meters, accounts, tariffs, ledger, readings, one employee per role)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, default=1.0, help="1 = today's size (about 1,400 customers); 100 for benchmarks"
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed: the same seed gives the same data")
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="reference date (YYYY-MM-DD): the data ends that day; default yesterday",
        )
        parser.add_argument("--force", action="store_true", help="replace the customers, ledger and tariffs already there")

    def handle(self, *args, scale, seed, today, force, **options):
        if scale <= 0:
            raise CommandError("--scale must be greater than 0")
        if demo.database_has_customers():
            if not force:
                raise CommandError(
                    "This database already has customers; seed_demo refuses to mix demo data in. Use --force to replace them."
                )
            demo.clear_demo_data()
        started = time.perf_counter()
        report = demo.seed_demo(
            scale=scale, seed=seed, today=today, progress=self.stdout.write if options["verbosity"] > 1 else None
        )
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {report.customers:,} customers, {report.meters:,} meters, {report.accounts:,} accounts, "
                f"{report.ledger_rows:,} ledger rows, {report.readings:,} readings, {report.tariffs} tariff rates "
                f"in {seconds:.1f} s ({report.total_rows / max(seconds, 1e-9):,.0f} rows/s)."
            )
        )
        self.stdout.write("Demo logins (employee number / password):")
        for employee_id, name, role in report.employees:
            self.stdout.write(f"  {employee_id} / {demo.DEMO_PASSWORD}   {name} ({role})")
