"""The benchmark harness: `python -m bench [--scale F] [--quick] [--only NAME]` (see bench/README.md)."""
