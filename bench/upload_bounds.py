"""Benchmark: peak memory and time of reading an uploaded statement — the two decompression bombs of issue #16
(refused) and the largest legitimate statement (20,000 rows, CSV and XLSX) — each in a fresh process, so that the
figure is that case's own peak resident memory (ru_maxrss) over a process that has loaded Django and openpyxl.

    DEBUG=true .venv/bin/python bench/upload_bounds.py

Target (issue #16 item 3): a bomb is refused in well under a second, and one import of any file within the
upload limit stays under ~200 MB. No database is needed: billing.statements.statement_read parses only."""

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ccportal.settings")

CASES = {  # name: (builder in bench.spreadsheet_bombs, its arguments, upload file name)
    "shared-string bomb (400 MB in one cell)": ("shared_string_bomb", {}, "bomb.xlsx"),
    "dimension bomb (A1:XFD20100)": ("dimension_bomb", {}, "bomb.xlsx"),
    "statement 20,000 rows .xlsx": ("mpesa_statement_xlsx", {"rows": 20_000}, "statement.xlsx"),
    "statement 20,000 rows .csv": ("mpesa_statement_csv", {"rows": 20_000}, "statement.csv"),
    "1.5M short shared strings (31 MB part)": ("many_shared_strings", {"count": 1_500_000}, "strings.xlsx"),
    "300,000 short shared strings (the cap)": ("many_shared_strings", {"count": 300_000}, "strings.xlsx"),
    "statement 90,000 rows .xlsx (~5 MB)": ("mpesa_statement_xlsx", {"rows": 90_000}, "statement.xlsx"),
    "statement 27,000 rows .csv (~5 MB)": ("mpesa_statement_csv", {"rows": 27_000}, "statement.csv"),
}


def _case(name):
    import django

    django.setup()
    import openpyxl  # noqa: F401 - loaded before the baseline, as a worker would have it

    from bench import spreadsheet_bombs
    from billing.statements import StatementError, statement_read

    builder, arguments, filename = CASES[name]
    content = getattr(spreadsheet_bombs, builder)(**arguments)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        outcome = f"read {len(statement_read(content=content, filename=filename, provider='mpesa')):,} rows"
    except StatementError as exc:
        outcome = f"refused: {exc.errors[0][1][:70]}"
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"{name:38} {len(content) / 1024:8,.0f} KB {seconds * 1000:9,.0f} ms {peak / 1024:8,.0f} MB "
        f"{(peak - baseline) / 1024:+7,.0f} MB  {outcome}",
        flush=True,
    )


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--case":
        _case(sys.argv[2])
        return
    print(f"{'upload':38} {'size':>11} {'time':>12} {'peak RSS':>11} {'growth':>10}  outcome", flush=True)
    for name in CASES:
        subprocess.run([sys.executable, __file__, "--case", name], check=True)


if __name__ == "__main__":
    main()
