"""The developer-only benchmarks that drive the test harness: a real browser, a real hub.

``python -m course bench --browser/--hub/--hub-load N`` runs this module as its own process, so the
package students import never imports ``tests`` (tests/test_layers.py). Run it directly too:

    python -m tests.harness.bench_extra --browser --hub --hub-load 40
"""

from __future__ import annotations

import argparse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.harness.bench_extra", description=__doc__)
    parser.add_argument("--browser", action="store_true", help="open lesson 00 in JupyterLab in Chromium")
    parser.add_argument("--hub", action="store_true", help="memory per student on the shipped hub (5 students)")
    parser.add_argument("--hub-load", type=int, metavar="N", help="N students log in at the same second")
    args = parser.parse_args(argv)
    if args.hub_load is not None and args.hub_load < 1:
        parser.error("--hub-load needs a number of students, 1 or more")
    sections = []
    if args.browser:
        from tests.harness.bench_live import lab_table, lab_timings

        sections.append(lab_table([lab_timings()]))
    if args.hub:
        from tests.harness.hub import hub_memory_table

        sections.append(hub_memory_table(students=5))
    if args.hub_load:
        from tests.harness.hub import hub_load_report

        sections.append(hub_load_report(args.hub_load))
    print("\n\n".join(sections))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
