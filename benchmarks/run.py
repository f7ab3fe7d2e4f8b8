"""Run the side-by-side benchmarks and print a table of speed ratios.

Usage::

    python benchmarks/run.py            # all families
    python benchmarks/run.py reliability agreement
    python benchmarks/run.py --quick    # smaller sizes, for a smoke run

Each ``bench_<family>.py`` module in this folder contributes rows (see ``_common.py``).
All rows are measured in one run on one machine, so the ratios compare like with like.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _fmt_s(x):
    if x is None:
        return "-"
    return f"{x * 1000:.1f} ms" if x < 1 else f"{x:.2f} s"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("families", nargs="*", help="families to run (default: all bench_*.py)")
    ap.add_argument("--quick", action="store_true", help="smaller problem sizes")
    ap.add_argument("--json", type=Path, help="also write the rows to this JSON file")
    args = ap.parse_args(argv)

    mods = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if args.families:
        mods = [m for m in mods if m.removeprefix("bench_") in args.families]
    print(f"psikometri benchmarks on {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}{' (quick)' if args.quick else ''}")
    rows = []
    failed = []
    for m in mods:
        t0 = time.perf_counter()
        try:
            mod = importlib.import_module(m)
            got = mod.cases(quick=args.quick)
        except Exception as exc:  # report and go on with the other families
            failed.append((m, repr(exc)))
            print(f"  {m}: FAILED {exc!r}")
            continue
        for r in got:
            r = dict(r)
            r["family"] = m.removeprefix("bench_")
            ours, theirs = r.get("ours"), r.get("theirs")
            r["ratio"] = (theirs / ours) if (ours and theirs) else None
            rows.append(r)
        print(f"  {m}: {len(got)} case(s) in {time.perf_counter() - t0:.1f} s")

    header = f"{'family':<12} {'case':<58} {'ours':>10} {'baseline':<22} {'theirs':>10} {'ratio':>8}  target"
    print()
    print(header)
    print("-" * len(header))
    for r in rows:
        ratio = f"{r['ratio']:.1f}x" if r.get("ratio") else "-"
        ours_s = f"{r['ours']:.1f} {r['unit']}" if r.get("unit") else _fmt_s(r.get("ours"))
        print(f"{r['family']:<12} {r['case'][:58]:<58} {ours_s:>10} {str(r.get('baseline') or '-')[:22]:<22} "
              f"{_fmt_s(r.get('theirs')):>10} {ratio:>8}  {r.get('target', '')}"
              + (f"  [{r['check']}]" if r.get("check") else ""))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, default=str))
    if failed:
        print("\nFailed benchmark modules:")
        for m, e in failed:
            print(f"  {m}: {e}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
