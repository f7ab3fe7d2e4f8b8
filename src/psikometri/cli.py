"""Command-line interface: ``psikometri validate PATH``, ``psikometri report ...`` and ``psikometri init-config``."""

from __future__ import annotations

import argparse
import sys
import warnings


def _parse_ranges(specs) -> dict:
    """``["performance=0:150", "cognitive=off"]`` -> ``{"performance": (0.0, 150.0), "cognitive": None}``."""
    out = {}
    for spec in specs or ():
        col, sep, rng = spec.partition("=")
        if not sep or not col.strip():
            raise ValueError(f"--range {spec!r}: write COLUMN=MIN:MAX (e.g. --range performance=0:150) or "
                             "COLUMN=off")
        col, rng = col.strip(), rng.strip()
        if rng.lower() in ("off", "none"):
            out[col] = None
            continue
        lo, sep, hi = rng.partition(":")
        try:
            out[col] = (float(lo), float(hi))
        except ValueError:
            raise ValueError(f"--range {spec!r}: MIN and MAX must be numbers (e.g. --range {col}=0:150), or write "
                             f"--range {col}=off") from None
    return out


def _config_ranges(path) -> dict:
    """The plausibility ranges a configuration file sets (``{}`` without a file)."""
    if not path:
        return {}
    from .report.config import load_config

    cfg = load_config(path)
    return {k.split(".", 1)[1]: v for k, v in cfg.values.items() if k.startswith("ranges.")}


def _cmd_validate(args) -> int:
    import pandas as pd

    from .io import DataValidationError, DataWarning, load_assessment

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        try:
            ranges = _config_ranges(args.config) | _parse_ranges(args.range)
            if not float(args.scale[0]) < float(args.scale[1]):
                raise ValueError(f"--scale {args.scale[0]:g} {args.scale[1]:g}: MIN must be below MAX "
                                 "(e.g. --scale 1 5)")
            data = load_assessment(args.path, scale=tuple(args.scale), ranges=ranges)
        except DataValidationError as exc:
            print(f"psikometri validate: {args.path}: INVALID", file=sys.stderr)
            print(str(exc), file=sys.stderr)
            return 1
        except ValueError as exc:  # a malformed option
            print(f"psikometri validate: error: {exc}", file=sys.stderr)
            return 2
        except Exception as exc:  # never a traceback: say what failed and where
            print(f"psikometri validate: {args.path}: INVALID", file=sys.stderr)
            print(f"the data could not be read ({type(exc).__name__}: {exc}). Fix: check the files named above; "
                  "if they open correctly in a spreadsheet program, report this message to the maintainers",
                  file=sys.stderr)
            return 1
    r = data.ratings
    print(f"psikometri validate: {args.path}: OK")
    print(f"  agencies     : {len(data.agencies)}")
    print(f"  candidates   : {r['candidate'].nunique()} rated ({len(data.candidates)} listed)")
    print(f"  assessors    : {r['assessor'].nunique()}")
    print(f"  exercises    : {r['exercise'].nunique()} ({', '.join(map(str, r['exercise'].cat.categories))})")
    print(f"  competencies : {r['competency'].nunique()}")
    print(f"  ratings      : {len(r)}")
    if data.items is not None:
        print(f"  items        : {data.items.shape[1] - 1} items for {len(data.items)} candidates")
    reading = data.describe_reading()
    print(f"  layout       : {reading.attrs['layout']} (ratings from {reading.attrs['ratings_from']})")
    if data.recap is not None:
        print(f"  recap        : {len(data.recap)} candidates (kept apart from the ratings: data.recap)")
    summ = data.summary()
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.float_format", "{:.3f}".format):
        print("\nDesign by agency:")
        print(summ.to_string())
        print("\nHow the data were read (sheet or file, header row, column, header as written, read as):")
        print(reading.fillna("").to_string(index=False))
    if data.warnings:
        print("\nWarnings:")
        for w in data.warnings:
            print(f"  - {w}")
    return 0


def _cmd_report(args) -> int:
    from .report.runner import BatchError, run_batch

    try:
        ranges = _parse_ranges(args.range)
    except ValueError as exc:
        print(f"psikometri report: error: {exc}", file=sys.stderr)
        return 2
    try:
        return run_batch(
            data=args.data,
            out=args.out,
            agencies=args.agency,
            workers=args.workers,
            scheduler=args.scheduler,
            lang=args.lang,
            formats=args.format,
            force=args.force,
            n_boot=args.n_boot,
            seed=args.seed,
            ranges=ranges or None,
            config=args.config,
        )
    except BatchError as exc:
        print(f"psikometri report: error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("psikometri report: interrupted; the reports finished so far are kept, a re-run continues.",
              file=sys.stderr)
        return 130
    except OSError as exc:  # the disk filled up or went read-only while the batch ran
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"psikometri report: error: {exc.strerror or exc}{where}. Fix: free space or permissions under "
              f"--out and run again (finished reports are kept).", file=sys.stderr)
        return 2


def _cmd_init_config(args) -> int:
    from .report.config import ConfigError, write_template

    try:
        path = write_template(args.path, force=args.force)
    except ConfigError as exc:
        print(f"psikometri init-config: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"psikometri init-config: error: cannot write {args.path!r} ({exc.strerror or exc}). Fix: choose a "
              "folder you can write to.", file=sys.stderr)
        return 2
    print(f"psikometri init-config: wrote {path}; edit it and run psikometri report --config {path} ...")
    return 0


def _whole(option: str, low: int, high: int | None, example: str):
    """argparse type: a whole number in [low, high], with a message naming the option, the value and the fix."""

    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            v = None
        if v is None or v < low or (high is not None and v > high):
            rng = f"of at least {low}" if high is None else f"from {low} to {high}"
            raise argparse.ArgumentTypeError(f"{text!r} is not valid: {option} must be a whole number {rng} "
                                             f"(e.g. {option} {example})")
        return v

    parse.__name__ = option
    return parse


def _formats(text: str) -> tuple[str, ...]:
    from .report.runner import FORMATS

    fmts = tuple(f.strip() for f in text.split(",") if f.strip())
    bad = [f for f in fmts if f not in FORMATS]
    if bad or not fmts:
        raise argparse.ArgumentTypeError(f"{text!r} is not valid: --format takes a comma-separated list of "
                                         f"{', '.join(FORMATS)} (e.g. --format html,ipynb); unknown: "
                                         f"{', '.join(bad) or 'none given'}")
    return fmts


_REPORT_EPILOG = """\
examples:
  psikometri report --data data_samples --out reports
  psikometri report --data data_samples --out reports --config agency.yaml --workers 2
  psikometri report --data data_samples --out reports --agency kab_sukamaju --lang en --format html,xlsx

precedence of the settings (the right one wins):
  psikometri default < --config file < the file's agencies.<name> entry < command-line option
  write a commented configuration file with: psikometri init-config agency.yaml
"""


def build_parser() -> argparse.ArgumentParser:
    from .report.runner import MAX_SEED, MIN_N_BOOT

    ap = argparse.ArgumentParser(prog="psikometri", description="Psychometric validation of assessment centres.")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND",
                            help="validate, report or init-config (psikometri COMMAND --help for its options)")
    v = sub.add_parser("validate", help="check a data set and print a summary",
                       description="Check a data set and print a summary of its design, how it was read and its "
                                   "warnings.",
                       epilog="example: psikometri validate data_samples --range performance=0:150",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    v.add_argument("path", help="directory with ratings.*, candidates.* [, items.*] or an .xlsx workbook "
                                "(e.g. data_samples)")
    v.add_argument("--scale", nargs=2, type=float, default=(1.0, 5.0), metavar=("MIN", "MAX"),
                   help="lowest and highest possible rating (default 1 5; e.g. --scale 1 4)")
    v.add_argument("--range", action="append", default=None, metavar="COLUMN=MIN:MAX",
                   help="plausible range of a candidate column (performance 0:120, cognitive 0:800, potential "
                        "0:120 by default); COLUMN=off switches the check off (repeatable; e.g. --range "
                        "performance=0:150); overrides the ranges of --config")
    v.add_argument("--config", default=None, metavar="FILE",
                   help="agency configuration file whose ranges apply (e.g. --config agency.yaml)")
    v.set_defaults(func=_cmd_validate)
    r = sub.add_parser("report", help="generate one validation report per agency and an index",
                       description="Generate one validation report per agency (notebooks/agency_report.ipynb run "
                                   "with papermill) and an index. Options left out take their value from --config, "
                                   "else the psikometri default.",
                       epilog=_REPORT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    r.add_argument("--data", required=True, metavar="PATH",
                   help="the data set: a folder with ratings.*, candidates.* [, items.*] or an .xlsx workbook "
                        "(e.g. --data data_samples)")
    r.add_argument("--out", required=True, metavar="DIR",
                   help="output folder, one sub-folder per agency and index.html at the top; created if missing "
                        "(e.g. --out reports)")
    r.add_argument("--config", default=None, metavar="FILE",
                   help="agency configuration file (YAML): standards, cut-offs, criterion reliability, smallest "
                        "group shown, rating round, reference year, display names, per-agency overrides; write one "
                        "with 'psikometri init-config' (e.g. --config agency.yaml)")
    r.add_argument("--agency", action="append", default=None, metavar="NAME",
                   help="only this agency, as named in the data (repeatable; e.g. --agency kab_sukamaju); default "
                        "every agency")
    r.add_argument("--workers", type=_whole("--workers", 1, None, "2"), default=1, metavar="N",
                   help="local worker processes running agencies in parallel (default 1; e.g. --workers 2)")
    r.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="address of a Dask distributed scheduler to run the agencies on instead of local workers "
                        "(e.g. --scheduler tcp://10.0.0.5:8786)")
    r.add_argument("--lang", choices=("id", "en"), default=None,
                   help="report language: id (Bahasa Indonesia) or en; default id, or lang of --config "
                        "(e.g. --lang en)")
    r.add_argument("--format", type=_formats, default=None, metavar="LIST",
                   help="comma-separated output formats: html, ipynb, pdf (needs Chromium), xlsx (a workbook per "
                        "agency, with every table, and index.xlsx beside index.html), "
                        "docx (a Word document per agency); default html,ipynb, or formats of --config "
                        "(e.g. --format html,xlsx)")
    r.add_argument("--force", action="store_true",
                   help="re-run reports that are up to date (by default a report whose data, settings, notebook "
                        "and library are unchanged is skipped)")
    r.add_argument("--n-boot", type=_whole("--n-boot", MIN_N_BOOT, None, "1000"), default=None, metavar="N",
                   help=f"bootstrap replications (at least {MIN_N_BOOT}; default 1000, or n_boot of --config; "
                        "e.g. --n-boot 2000)")
    r.add_argument("--seed", type=_whole("--seed", 0, MAX_SEED, "2026"), default=None, metavar="N",
                   help=f"random seed, 0 to {MAX_SEED} (default 2026, or seed of --config; e.g. --seed 7)")
    r.add_argument("--range", action="append", default=None, metavar="COLUMN=MIN:MAX",
                   help="plausible range of a candidate column, as for validate (repeatable; e.g. --range "
                        "performance=0:150 or --range cognitive=off); overrides the ranges of --config")
    r.set_defaults(func=_cmd_report)
    c = sub.add_parser("init-config", help="write a commented configuration file for 'psikometri report --config'",
                       description="Write a commented YAML template (Bahasa Indonesia and English) holding every "
                                   "setting of 'psikometri report --config' with its default and the default's "
                                   "source. Loaded as it is, it gives the default reports.",
                       epilog="example: psikometri init-config agency.yaml",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("path", nargs="?", default="agency.yaml", metavar="PATH",
                   help="file to write (default agency.yaml; e.g. psikometri init-config kab_sukamaju.yaml)")
    c.add_argument("--force", action="store_true", help="overwrite PATH if it exists (by default an existing "
                                                       "file is never overwritten)")
    c.set_defaults(func=_cmd_init_config)
    return ap


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
