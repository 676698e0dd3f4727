"""python -m bench: run every benchmark and print its ratios (see bench/common.py)."""

import importlib
import sys

BENCHMARKS = [
    "bench.article_page",
    "bench.report_post",
    "bench.claim_next",
    "bench.search",
    "bench.fetch",
    "bench.api_list",
]


def main() -> None:
    from bench.common import django_setup

    django_setup()
    names = sys.argv[1:] or BENCHMARKS
    for name in names:
        module = importlib.import_module(name if name.startswith("bench.") else f"bench.{name}")
        module.run()


if __name__ == "__main__":
    main()
