"""`make bench` / `python -m bench [name ...]`: run every bench/bench_*.py (or the named ones) in turn.
Each benchmark prints its own figures and the baseline's from the same run. The long ones in OPT_IN run only
when named (`python -m bench load`)."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
# Minutes long and needing PostgreSQL and Redis: the 5-minute load test, the province-scale measurements.
OPT_IN = {"bench_load", "bench_province"}


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if any(name in s.stem for name in argv)]
    else:
        scripts = [s for s in scripts if s.stem not in OPT_IN]
    if not scripts:
        print("没有找到基准测试 (bench/bench_*.py)", file=sys.stderr)
        return 1
    status = 0
    for script in scripts:
        print(f"== {script.stem}", flush=True)
        status |= subprocess.call([sys.executable, str(script)])  # noqa: S603 (our own scripts)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
