"""Time and peak memory of `mentorship generate` at 100k, 1M and 10M activities.

Each size runs in a fresh process so that its peak RSS (getrusage ru_maxrss) is its own.
Students scale with the activities (about 35 a student a year, the default rate), so the
10M school is district-sized. Usage:

    .venv/bin/python benchmarks/gen_sizes.py [--sizes 100000,1000000,10000000] [--out /tmp/gen-bench]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

CHILD = """
import json, resource, sys, time
from pathlib import Path
from synth.generate import generate_school
out, n, students = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
t = time.perf_counter()
s = generate_school(out, students=students, activities=n, seed=1, progress=lambda m: print(m, file=sys.stderr, flush=True))
size = sum(p.stat().st_size for p in out.iterdir())
print(json.dumps({"activities": s.activities, "students": s.students, "mentors": s.mentors,
                  "seconds": round(time.perf_counter() - t, 2),
                  "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                  "bundle_mb": round(size / 2**20, 1)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000,10000000")
    parser.add_argument("--out", default="/tmp/gen-bench")
    parser.add_argument("--keep", action="store_true", help="keep the generated bundles")
    args = parser.parse_args()
    root = Path(args.out)
    print(f"{'activities':>12} {'students':>9} {'seconds':>8} {'peak MB':>8} {'bundle MB':>10}")
    for n in (int(x) for x in args.sizes.split(",")):
        out = root / f"n{n}"
        shutil.rmtree(out, ignore_errors=True)
        students = max(600, n // 35)
        done = subprocess.run([sys.executable, "-c", CHILD, str(out), str(n), str(students)], check=True,
                              capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)  # fmt: skip
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{r['activities']:>12,} {r['students']:>9,} {r['seconds']:>8} {r['peak_mb']:>8} {r['bundle_mb']:>10}", flush=True)
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
