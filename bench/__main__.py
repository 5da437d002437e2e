"""python -m bench [--scale F] [--quick] [--only NAME] [--reseed]: build a database, seed it, measure."""

import argparse
import os
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="seed_demo scale: 1 = today's size, 100 = the target")
    parser.add_argument("--seed", type=int, default=1, help="seed_demo random seed")
    parser.add_argument("--quick", action="store_true", help="fewer repeats (3) and one warm-up: a smoke run")
    parser.add_argument("--repeats", type=int, default=None, help="timed repeats per workload (default 15, quick 3)")
    parser.add_argument("--only", action="append", default=[], help="run only workloads whose name contains this")
    parser.add_argument("--reseed", action="store_true", help="drop and rebuild the bench database even if it fits")
    parser.add_argument("--list", action="store_true", help="list the workloads and exit")
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be greater than 0")

    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault("DATABASE_URL", "sqlite:///bench/out/bench.sqlite3")
    os.makedirs(os.path.join(os.path.dirname(__file__), "out"), exist_ok=True)
    import warnings

    import django

    # WhiteNoise warns that STATIC_ROOT was never collected; the bench requests no static files.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from bench import runner

    return runner.run(args)


if __name__ == "__main__":
    sys.exit(main())
