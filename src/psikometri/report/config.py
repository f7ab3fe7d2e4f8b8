"""The agency configuration file of the report batch: ``psikometri report --config agency.yaml``.

One YAML file holds everything an agency may set for its reports: the standards behind the verdicts, the JPM
scheme and cut-offs, the nine-box cut-offs, the criterion reliability, the smallest group shown, the rating
round, the assessment reference year, display names of agencies, competencies and exercises, and the batch
options (bootstrap size, seed, language, formats, plausibility ranges).  ``agencies:`` gives per-agency
overrides in the same file.

Precedence, lowest first: the psikometri default < the file's top level < the file's ``agencies.<name>``
entry < a command-line option.  Each effective setting carries its source (:class:`Resolved`); the report's
methods section and ``results.json`` show it, and the batch runner's up-to-date check includes it.

``psikometri init-config PATH`` writes :func:`config_template`: every key with its default and the default's
source, commented in Bahasa Indonesia and English; the template loads back as the defaults.

Errors (:class:`ConfigError`, a ``ValueError``) name the file, the line, the key path, the value and the fix:
an unknown key (with the closest valid key), a wrong type or range, a duplicate key, or a YAML syntax error.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import math
import numbers
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

__all__ = ["ConfigError", "Setting", "SETTINGS", "DEFAULTS", "REPORT_KEYS", "STANDARD_PARAMETERS",
           "ReportConfig", "Resolved", "load_config", "parse_config", "resolve_settings", "config_template",
           "write_template", "notebook_parameters", "check_report_settings", "default_reference_year",
           "format_setting", "setting_source"]


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message names the file, line, key, value and fix."""


# --------------------------------------------------------------------------- checks of single values

def _example_fix(key: str, example: str) -> str:
    parent, _, leaf = key.rpartition(".")
    if not parent:
        return f"write e.g. '{key}: {example}'"
    return f"write e.g. '{leaf}: {example}' under '{parent}:'"


def _shown(value):
    """``value`` with numpy scalars as Python values (messages show ``3``, not ``np.int64(3)``)."""
    if isinstance(value, (list, tuple)):
        return type(value)(_shown(v) for v in value)
    if isinstance(value, dict):
        return {_shown(k): _shown(v) for k, v in value.items()}
    if type(value).__module__ == "numpy":  # a numpy scalar or array, without importing numpy here
        return _shown(value.tolist()) if hasattr(value, "tolist") else value
    return value


def _bad(key: str, value, need: str, example: str) -> ValueError:
    return ValueError(f"{key} = {_shown(value)!r} is not valid: {need}. Fix: {_example_fix(key, example)}")


def _is_number(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(float(v))


def _number(lo: float, hi: float, lo_open: bool = True, hi_open: bool = False) -> Callable:
    def check(v, key, example):
        ok = _is_number(v) and (lo < v if lo_open else lo <= v) and (v < hi if hi_open else v <= hi)
        if not ok:
            a = "above" if lo_open else "at least"
            b = "below" if hi_open else "at most"
            raise _bad(key, v, f"a number {a} {lo:g} and {b} {hi:g} is needed", example)
        return float(v)

    return check


def _whole(lo: int, hi: int | None) -> Callable:
    def check(v, key, example):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < lo or (hi is not None and v > hi):
            rng = f"of at least {lo}" if hi is None else f"from {lo} to {hi}"
            raise _bad(key, v, f"a whole number {rng} is needed", example)
        return int(v)

    return check


def _choice(choices) -> Callable:
    def check(v, key, example):
        if v not in choices:
            close = difflib.get_close_matches(str(v), list(choices), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise _bad(key, v, f"one of {', '.join(choices)} is needed{hint}", example)
        return v

    return check


def _cuts(lo: float, hi: float | None) -> Callable:
    def check(v, key, example):
        if v is None and key.endswith("jpm_cuts"):
            return None
        ok = (isinstance(v, (list, tuple)) and len(v) == 2 and all(_is_number(x) for x in v)
              and lo <= v[0] < v[1] and (hi is None or v[1] <= hi))
        if not ok:
            top = "" if hi is None else f" and at most {hi:g}"
            raise _bad(key, v, f"two increasing numbers [low, high], at least {lo:g}{top}, are needed", example)
        return (float(v[0]), float(v[1]))

    return check


def _year(v, key, example):
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or not 1900 <= v <= 2100:
        raise _bad(key, v, "a year from 1900 to 2100 is needed, or null for the year of the data", example)
    return int(v)


def _text_or_null(v, key, example):
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (str, numbers.Integral)) or not str(v).strip():
        raise _bad(key, v, "a name (text) is needed, or null", example)
    return str(v).strip()


def _text(v, key, example):
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, str) or not v.strip():
        raise _bad(key, v, "a non-empty text is needed, or null", example)
    return v.strip()


def _names(v, key, example):
    """{data id: name} or {data id: {id: name, en: name}}."""
    if v is None:
        return {}
    if not isinstance(v, dict):
        raise _bad(key, v, "a mapping from the name in the data to the name shown is needed", example)
    out = {}
    for ident, name in v.items():
        sub = f"{key}.{ident}"
        if isinstance(name, str) and name.strip():
            out[str(ident)] = {"id": name.strip(), "en": name.strip()}
        elif isinstance(name, dict) and name and set(name) <= {"id", "en"} and all(
                isinstance(x, str) and x.strip() for x in name.values()):
            both = {k: x.strip() for k, x in name.items()}
            out[str(ident)] = {"id": both.get("id", both.get("en")), "en": both.get("en", both.get("id"))}
        else:
            raise _bad(sub, name, "a name (text), or {id: Indonesian name, en: English name}, is needed",
                       "Integritas dan etika")
    return out


def _formats(v, key, example):
    from .runner import FORMATS

    items = [x.strip() for x in v.split(",")] if isinstance(v, str) else v
    if not isinstance(items, (list, tuple)) or not items or not all(isinstance(x, str) and x in FORMATS
                                                                     for x in items):
        raise _bad(key, v, f"a list of output formats out of {', '.join(FORMATS)} is needed", example)
    return tuple(dict.fromkeys(items))


def _range(v, key, example):
    # YAML reads an unquoted off as false
    if v is None or v is False or (isinstance(v, str) and v.strip().lower() in ("off", "none")):
        return None
    ok = (isinstance(v, (list, tuple)) and len(v) == 2 and all(_is_number(x) for x in v) and v[0] < v[1])
    if not ok:
        raise _bad(key, v, "a pair [min, max] with min < max is needed, or off to switch the check off", example)
    return (float(v[0]), float(v[1]))


# --------------------------------------------------------------------------- the settings

def _t(id_: str, en: str) -> dict:
    return {"id": id_, "en": en}


@dataclass(frozen=True)
class Setting:
    """One configurable setting: its key path, default, check, level, labels and the default's source."""

    key: str
    default: Any
    check: Callable
    example: str
    label: dict  # {"id", "en"}: name in the report
    source: dict  # {"id", "en"}: where the default comes from
    level: str = "report"  # "report" (may be set per agency) | "batch" (whole batch only) | "agency" (per agency)
    cli: str = ""  # command-line option that overrides it
    parameter: str = ""  # notebook parameter (default: the last part of the key)
    table: bool = True  # shown in the report's table of standards and settings

    @property
    def name(self) -> str:
        return self.parameter or self.key.rpartition(".")[2]


def _std(key, default, check, example, label, source, parameter):
    return Setting(f"standards.{key}", default, check, example, label, source, parameter=parameter)


NUNNALLY = "Nunnally & Bernstein (1994)"

SETTINGS: tuple[Setting, ...] = (
    # batch options
    Setting("lang", "id", _choice(("id", "en")), "id", _t("Bahasa laporan", "Report language"),
            _t("bawaan: id (Bahasa Indonesia)", "default: id (Bahasa Indonesia)"), level="batch", cli="--lang", table=False),
    Setting("formats", ("html", "ipynb"), _formats, "[html, ipynb, xlsx]", _t("Format keluaran", "Output formats"),
            _t("html dan ipynb", "html and ipynb"), level="batch", cli="--format", table=False),
    Setting("n_boot", 1000, _whole(20, None), "1000", _t("Replikasi bootstrap", "Bootstrap replications"),
            _t("Efron & Tibshirani (1993): 1.000 atau lebih untuk selang persentil",
               "Efron & Tibshirani (1993): 1,000 or more for percentile intervals"),
            cli="--n-boot"),
    Setting("seed", 2026, _whole(0, 2**32 - 1), "2026", _t("Seed bilangan acak", "Random seed"),
            _t("nilai tetap agar hasil dapat diulang", "a fixed value, so that results can be reproduced"),
            cli="--seed"),
    Setting("ranges.performance", (0.0, 120.0), _range, "[0, 120]", _t("Rentang wajar kinerja",
                                                                       "Plausible range of performance"),
            _t("skala SKP dengan ruang di atas 100", "SKP scale with room above 100"), level="batch", cli="--range",
            table=False),
    Setting("ranges.cognitive", (0.0, 800.0), _range, "[0, 800]", _t("Rentang wajar tes kognitif",
                                                                     "Plausible range of the cognitive test"),
            _t("skor tes nonnegatif sampai skala TPA 200-800", "non-negative test scores up to the TPA scale 200-800"),
            level="batch", cli="--range", table=False),
    Setting("ranges.potential", (0.0, 120.0), _range, "[0, 120]", _t("Rentang wajar potensi",
                                                                     "Plausible range of potential"),
            _t("indeks potensi dan JPM 0-100, dengan ruang yang sama seperti kinerja",
               "potential indices and JPM 0-100, with the same room as performance"),
            level="batch", cli="--range", table=False),
    # standards of the verdicts
    _std("reliability", 0.70, _number(0, 1), "0.80", _t("Standar reliabilitas tes (omega)",
                                                        "Standard: test reliability (omega)"),
         _t(f"{NUNNALLY}: 0,70 memadai untuk tahap awal riset; keputusan tentang perorangan menuntut lebih tinggi",
            f"{NUNNALLY}: .70 adequate for early-stage research; decisions about individuals need more"),
         "reliability_standard"),
    _std("icc", 0.70, _number(0, 1), "0.75", _t("Standar kesepakatan asesor ICC(1)",
                                                "Standard: assessor agreement ICC(1)"),
         _t(f"konvensi 0,70 dari {NUNNALLY}; pada skala Koo & Li (2016) 0,70 tergolong sedang (0,50-0,75), "
            "> 0,75 baik",
            f"the .70 convention of {NUNNALLY}; on the Koo & Li (2016) scale .70 is moderate (.50-.75), > .75 good"),
         "icc_standard"),
    _std("g_coefficient", 0.80, _number(0, 1), "0.90", _t("Standar koefisien G nilai akhir",
                                                          "Standard: G coefficient of the overall rating"),
         _t(f"{NUNNALLY}: 0,80 untuk riset; 0,90 bila keputusan tentang perorangan bertumpu pada skor",
            f"{NUNNALLY}: .80 for research; .90 where decisions about individuals rest on the score"),
         "g_standard"),
    _std("validity", 0.20, _number(0, 1, hi_open=True), "0.25", _t("Standar validitas operasional",
                                                                     "Standard: operational validity"),
         _t("di bawah validitas AC dalam meta-analisis: 0,37 (Gaugler dkk. 1987), 0,28 (Hermelin, Lievens & "
            "Robertson 2007)",
            "below the validity of ACs in meta-analyses: .37 (Gaugler et al. 1987), .28 (Hermelin, Lievens & "
            "Robertson 2007)"),
         "validity_standard"),
    _std("impact_ratio", 0.80, _number(0, 1), "0.80", _t("Standar rasio dampak", "Standard: impact ratio"),
         _t("aturan empat perlima, Uniform Guidelines (1978)", "four-fifths rule, Uniform Guidelines (1978)"),
         "impact_ratio_standard"),
    _std("differential_prediction", 0.05, _number(0, 0.5), "0.05",
         _t("Taraf uji prediksi diferensial", "Level of the differential prediction test"),
         _t("taraf uji yang lazim untuk uji Cleary (1968), urutan bertahap Lautenschlager & Mendoza (1986)",
            "the usual test level for the Cleary (1968) test, step-down order of Lautenschlager & Mendoza (1986)"),
         "differential_prediction_level"),
    _std("consistency", 0.60, _number(0, 1), "0.60", _t("Standar konsistensi kotak talenta (kappa)",
                                                        "Standard: nine-box consistency (kappa)"),
         _t("Landis & Koch (1977): kappa > 0,60 substansial", "Landis & Koch (1977): kappa > .60 substantial"),
         "consistency_standard"),
    _std("jpm_consistency", 0.60, _number(0, 1), "0.60", _t("Standar konsistensi kategori JPM (kappa)",
                                                            "Standard: JPM category consistency (kappa)"),
         _t("Landis & Koch (1977): kappa > 0,60 substansial", "Landis & Koch (1977): kappa > .60 substantial"),
         "jpm_consistency_standard"),
    # cut-offs
    Setting("jpm_scheme", "mapping", _choice(("mapping", "selection")), "selection",
            _t("Skema kategori JPM", "JPM category scheme"),
            _t("pemetaan (Optimal >= 90, Cukup Optimal >= 78), skema yang lazim dalam pemetaan kompetensi ASN",
               "mapping (Optimal >= 90, Cukup Optimal >= 78), the scheme commonly applied in ASN competency "
               "mapping")),
    Setting("jpm_cuts", None, _cuts(0, 100), "[78, 90]", _t("Batas kategori JPM", "JPM category cut-offs"),
            _t("batas skema: pemetaan 78 dan 90, seleksi 68 dan 80",
               "the scheme's cut-offs: mapping 78 and 90, selection 68 and 80")),
    Setting("potential_cuts", (78.0, 90.0), _cuts(0, 100), "[78, 90]",
            _t("Batas potensi (JPM) kotak talenta", "Nine-box potential (JPM) cut-offs"),
            _t("batas kategori JPM pemetaan, agar sumbu potensi sejalan dengan kategori JPM",
               "the JPM mapping cut-offs, so that the potential axis matches the JPM categories")),
    Setting("performance_cuts", (70.0, 85.0), _cuts(0, None), "[70, 85]",
            _t("Batas kinerja kotak talenta", "Nine-box performance cut-offs"),
            _t("tanpa dasar peraturan: tetapkan batas instansi sendiri",
               "no regulation behind it: set your agency's own")),
    Setting("criterion_reliability", 0.52, _number(0, 1), "0.52",
            _t("Reliabilitas kriteria kinerja (ryyi)", "Criterion reliability of performance (ryyi)"),
            _t("Viswesvaran, Ones & Schmidt (1996): reliabilitas antarpenilai penilaian atasan atas kinerja "
               "keseluruhan 0,52",
               "Viswesvaran, Ones & Schmidt (1996): inter-rater reliability of supervisory ratings of overall job "
               "performance .52")),
    Setting("min_group_size", 5, _whole(1, None), "5", _t("Ukuran kelompok terkecil yang ditampilkan",
                                                          "Smallest group shown"),
            _t("sel 1 sampai 4 orang disembunyikan (aturan sel kecil yang lazim dalam perlindungan data statistik); "
               "ukuran minimum analisis (invarians 50, DIF 30) terpisah dan bukan aturan privasi",
               "cells of 1 to 4 persons are hidden (a common small-cell rule of statistical disclosure control); the "
               "analyses' minimum sizes (invariance 50, DIF 30) are separate and not privacy rules")),
    Setting("rating_round", None, _text_or_null, "pre", _t("Putaran penilaian yang dianalisis",
                                                           "Rating round analysed"),
            _t("putaran mandiri (sebelum konsensus), dikenali dari namanya",
               "the independent (pre-consensus) round, recognised by its name")),
    Setting("reference_year", None, _year, "2026", _t("Tahun acuan (usia, masa berlaku hasil)",
                                                      "Reference year (ages, validity of results)"),
            _t("tahun tanggal asesmen terakhir dalam data, atau tahun berjalan bila data tanpa tanggal",
               "the year of the latest assessment date in the data, or the current year when the data have no "
               "date")),
    # display names
    Setting("display_name", None, _text, "Kabupaten Sukamaju", _t("Nama instansi", "Agency name"),
            _t("nama instansi dalam data", "the agency's name in the data"), level="agency", table=False),
    Setting("display_names.competencies", {}, _names, "{integritas: Integritas dan etika}",
            _t("Nama kompetensi", "Competency names"), _t("nama dalam data", "the names in the data"), table=False,
            parameter="competency_names"),
    Setting("display_names.exercises", {}, _names, "{in_basket: In-tray}",
            _t("Nama alat ukur", "Exercise names"), _t("nama dalam data", "the names in the data"), table=False,
            parameter="exercise_names"),
)

BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}
#: defaults by key path
DEFAULTS: dict[str, Any] = {s.key: s.default for s in SETTINGS}
#: keys an ``agencies.<name>`` entry may set
REPORT_KEYS: tuple[str, ...] = tuple(s.key for s in SETTINGS if s.level in ("report", "agency"))
#: standard -> notebook parameter
STANDARD_PARAMETERS: dict[str, str] = {s.key.split(".", 1)[1]: s.name for s in SETTINGS
                                       if s.key.startswith("standards.")}
_TOP_KEYS = tuple(s.key for s in SETTINGS if s.level in ("batch", "report"))


def _tree(keys) -> dict:
    out: dict = {}
    for k in keys:
        node = out
        parts = k.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = BY_KEY[k]
    return out


TOP_TREE = _tree(_TOP_KEYS) | {"agencies": "agencies"}
AGENCY_TREE = _tree(REPORT_KEYS)


# --------------------------------------------------------------------------- reading a file

@dataclass(frozen=True)
class ReportConfig:
    """A validated configuration file: ``values`` (key path -> value) and ``agencies`` (name -> same)."""

    path: str = ""
    values: dict = field(default_factory=dict)
    agencies: dict = field(default_factory=dict)
    lines: dict = field(default_factory=dict)  # key path -> line in the file

    @property
    def name(self) -> str:
        return Path(self.path).name if self.path else ""

    def check_agencies(self, known) -> None:
        """Raise :class:`ConfigError` for an ``agencies`` entry naming no agency of the data."""
        known = [str(a) for a in known]
        for a in self.agencies:
            if a not in known:
                close = difflib.get_close_matches(a, known, n=1)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                raise ConfigError(f"{self._at('agencies.' + a)}: 'agencies' names {a!r}, which is not an agency of "
                                  f"the data.{hint} Fix: use one of the agency names in the data "
                                  f"({', '.join(known[:10])}{', ...' if len(known) > 10 else ''}).")

    def _at(self, key: str) -> str:
        line = self.lines.get(key)
        return f"{self.name or 'config'}" + (f", line {line}" if line else "")


def _node_lines(node, prefix: str, lines: dict, problems: list, odd: list | None = None) -> None:
    """Key path -> line of every mapping key under ``node``; duplicate keys go to ``problems``, keys that YAML
    reads as a boolean or null (unquoted ``yes``, ``no``, ``on``, ``off``, ``null``, ``~``) to ``odd``."""
    import yaml

    if odd is None:
        odd = []

    if not isinstance(node, yaml.MappingNode):
        return
    seen = set()
    for k, v in node.value:
        key = f"{prefix}{k.value}" if isinstance(k, yaml.ScalarNode) else f"{prefix}?"
        if isinstance(k, yaml.ScalarNode) and k.tag in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"):
            odd.append((key, k.value, k.tag.rpartition(":")[2], k.start_mark.line + 1))
        if key in seen:
            problems.append((key, k.start_mark.line + 1))
        seen.add(key)
        lines.setdefault(key, k.start_mark.line + 1)
        _node_lines(v, key + ".", lines, problems, odd)


def parse_config(text: str, name: str = "config") -> ReportConfig:
    """Validate the YAML ``text`` of a configuration file (``name`` is used in messages)."""
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{name} is not valid YAML{where}: {what}. Fix: check the indentation and the 'key: value' "
                          "form of that line (a value holding ':' or '#' needs quotes).") from None
    lines: dict = {}
    dups: list = []
    odd: list = []
    _node_lines(node, "", lines, dups, odd)
    if odd:
        key, raw, tag, line = odd[0]
        what = "a boolean (true/false)" if tag == "bool" else "empty (null)"
        raise ConfigError(
            f"{name}, line {line}: the key {raw!r}{f' ({key!r})' if key != raw else ''} is read by YAML as {what}, not as a name: unquoted "
            "yes, no, on, off, y, n, true, false, null and ~ are not text. Fix: put the key in quotes, e.g. "
            f"'{raw}': or \"{raw}\":.")
    if dups:
        key, line = dups[0]
        raise ConfigError(f"{name}, line {line}: the key {key!r} appears twice. Fix: keep one of them.")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{name}: the file must hold 'key: value' lines (a mapping), not a "
                          f"{type(data).__name__}. Fix: start from the template of 'psikometri init-config'.")

    def at(key):
        line = lines.get(key)
        return f"{name}" + (f", line {line}" if line else "")

    def walk(d: dict, tree: dict, prefix: str, out: dict):
        for k, v in d.items():
            key = f"{prefix}{k}"
            if not isinstance(k, str) or k not in tree:
                valid = [str(x) for x in tree]
                close = difflib.get_close_matches(str(k), valid, n=1, cutoff=0.6)
                hint = f" Did you mean '{prefix}{close[0]}'?" if close else ""
                where = f"under '{prefix[:-1]}'" if prefix else "at the top level"
                raise ConfigError(f"{at(key)}: unknown key '{key}'.{hint} Valid keys {where}: {', '.join(valid)}.")
            spec = tree[k]
            if isinstance(spec, dict):
                if v is None:
                    continue
                if not isinstance(v, dict):
                    raise ConfigError(f"{at(key)}: '{key}' must hold keys ({', '.join(spec)}), not {v!r}. Fix: write "
                                      f"them indented under '{key}:', e.g. '  {next(iter(spec))}: "
                                      f"{_first_example(spec)}'.")
                walk(v, spec, key + ".", out)
            else:
                try:
                    out[spec.key] = spec.check(v, key, spec.example)
                except ValueError as exc:
                    raise ConfigError(f"{at(key)}: {exc}") from None

    values: dict = {}
    agencies: dict = {}
    top = {k: v for k, v in data.items() if k != "agencies"}
    walk(top, TOP_TREE, "", values)
    ag = data.get("agencies")
    if ag is not None:
        if not isinstance(ag, dict):
            raise ConfigError(f"{at('agencies')}: 'agencies' must map agency names to their settings, not {ag!r}. "
                              "Fix: write e.g. 'agencies:' then '  kab_sukamaju:' then '    display_name: Kabupaten "
                              "Sukamaju'.")
        for a, entry in ag.items():
            key = f"agencies.{a}"
            if entry is None:
                agencies[str(a)] = {}
                continue
            if not isinstance(entry, dict):
                raise ConfigError(f"{at(key)}: '{key}' must hold that agency's settings (e.g. display_name, "
                                  f"standards), not {entry!r}.")
            agencies[str(a)] = {}
            walk(entry, AGENCY_TREE, key + ".", agencies[str(a)])
    return ReportConfig(name, values, agencies, lines)


def _first_example(spec: dict) -> str:
    first = next(iter(spec.values()))
    return first.example if isinstance(first, Setting) else "..."


def load_config(path) -> ReportConfig:
    """Read and validate the configuration file ``path`` (see :func:`parse_config`)."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be the path of a YAML configuration file (str or pathlib.Path); got "
                        f"path={path!r}. Write one with 'psikometri init-config agency.yaml' and pass its path.")
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"--config {str(p)!r}: no such file. Fix: give the path of your configuration file, or "
                          f"write one with 'psikometri init-config {p}'.") from None
    except IsADirectoryError:
        raise ConfigError(f"--config {str(p)!r} is a folder. Fix: give the path of a YAML file.") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"--config {str(p)!r} is not UTF-8 text ({exc.reason} at byte {exc.start}). Fix: save it "
                          "as UTF-8 (plain text).") from None
    cfg = parse_config(text, p.name)
    return ReportConfig(str(p), cfg.values, cfg.agencies, cfg.lines)


def check_report_settings(*, standards=None, **kw) -> dict:
    """Check the settings of one report (keyword = notebook parameter name) as a configuration file would.

    Returns key path -> checked value for every report-level setting given (``standards`` may hold some of
    the standards only); raises ``ValueError`` naming the parameter, the value and the fix.
    """
    by_name = {s.name: s for s in SETTINGS if s.level != "batch" or s.key == "lang"}
    out = {}
    for name, v in kw.items():
        s = by_name.get(name)
        if s is None:
            valid = sorted(by_name) + ["standards"]
            close = difflib.get_close_matches(name, valid, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise TypeError(f"unknown report setting {name}={_shown(v)!r}.{hint} The report settings are "
                            f"{', '.join(valid)}.")
        out[s.key] = s.check(v, name, s.example)
    for k, v in dict(standards or {}).items():
        key = f"standards.{k}"
        if key not in BY_KEY:
            close = difflib.get_close_matches(str(k), list(STANDARD_PARAMETERS), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"standards={{{k!r}: ...}} names no standard.{hint} The standards are "
                             f"{', '.join(STANDARD_PARAMETERS)}.")
        out[key] = BY_KEY[key].check(v, key, BY_KEY[key].example)
    return out


# --------------------------------------------------------------------------- precedence

@dataclass(frozen=True)
class Resolved:
    """An effective setting: its value and where it came from."""

    value: Any
    source: str = "default"  # default | config | agency | cli | parameter
    detail: str = ""  # the file name, the agency entry or the command-line option

    def record(self, key: str) -> dict:
        """The entry of ``results.json``: value, source and (for a default) the default's reference."""
        out = {"value": _plain(self.value), "source": self.source}
        if self.detail:
            out["detail"] = self.detail
        if self.source == "default" and key in BY_KEY:
            out["reference"] = BY_KEY[key].source["en"]
        return out


def _plain(v):
    if isinstance(v, tuple):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    return v


def resolve_settings(config: ReportConfig | None = None, agency: str | None = None,
                     cli: dict | None = None) -> dict[str, Resolved]:
    """Effective value and source of every setting for ``agency``: default < file < ``agencies.<agency>`` < ``cli``.

    ``cli`` maps key paths to values given on the command line (``None`` means not given).
    """
    out = {}
    per_agency = (config.agencies.get(str(agency), {}) if (config is not None and agency is not None) else {})
    for s in SETTINGS:
        r = Resolved(s.default)
        if config is not None and s.key in config.values:
            r = Resolved(config.values[s.key], "config", config.name)
        if s.key in per_agency:
            r = Resolved(per_agency[s.key], "agency", config.name)
        if cli and s.key in cli:  # a key present was given (None included: ``--range performance=off``)
            r = Resolved(cli[s.key], "cli", s.cli)
        out[s.key] = r
    return out


def notebook_parameters(settings: dict[str, Resolved]) -> dict:
    """The agency notebook's parameters for ``settings`` (report level), with ``settings_source``."""
    p = {}
    for s in SETTINGS:
        if s.level == "batch":
            continue
        v = settings[s.key].value
        p[s.name] = list(v) if isinstance(v, tuple) else v
    # the sources of the report's own settings (the batch options lang, formats and ranges are the batch's)
    p["settings_source"] = {k: {"source": r.source, "detail": r.detail} for k, r in settings.items()
                            if r.source != "default" and BY_KEY[k].level != "batch"}
    return p


def default_reference_year(data) -> tuple[int, tuple[str, str]]:
    """The default assessment reference year of ``data`` and what it rests on.

    Returns ``(year, (basis, detail))``: the year of the latest ``assessment_date`` (``("date", "2026-08-17")``),
    else of the latest occasion with a date or a year label (``("occasion", "2026")``), else the current year
    (``("today", "")``).  The data come first so that the same data give the same report in any year.
    """
    import pandas as pd

    r = data.ratings
    if "assessment_date" in r.columns:
        d = pd.to_datetime(r["assessment_date"], errors="coerce").max()
        if pd.notna(d):
            return int(d.year), ("date", f"{d:%Y-%m-%d}")
    dates = data.occasion_dates() if hasattr(data, "occasion_dates") else pd.Series(dtype="datetime64[ns]")
    if len(dates) and pd.notna(dates.max()):
        return int(dates.max().year), ("occasion", str(dates.idxmax()))
    return _dt.date.today().year, ("today", "")


# --------------------------------------------------------------------------- display

def format_setting(key: str, value, lang: str = "id") -> str:
    """A setting's value as the report shows it (numbers in the language's format)."""
    from .i18n import format_number, tr

    if value is None:
        return "-"
    if key == "jpm_scheme":
        return tr(f"jpm_scheme_{value}", lang)
    if isinstance(value, (tuple, list)):
        return "; ".join(format_number(float(v), "g", lang) for v in value)
    if key in ("reference_year", "seed"):
        return str(value)
    if isinstance(value, int):
        return format_number(value, ",", lang)
    if isinstance(value, float):
        return format_number(value, ".2f", lang)
    return str(value)


def setting_source(key: str, resolved: Resolved, lang: str = "id", extra: str = "") -> str:
    """Where an effective setting comes from, in words (``extra``: what a default taken from the data rests on,
    said instead of the general rule)."""
    from .i18n import tr

    if resolved.source == "default":
        ref = extra or (BY_KEY[key].source[lang] if key in BY_KEY else "")
        return tr("src_default", lang, ref=ref)
    if resolved.source == "config":
        return tr("src_config", lang, file=resolved.detail)
    if resolved.source == "agency":
        return tr("src_agency", lang, file=resolved.detail)
    if resolved.source == "cli":
        return tr("src_cli", lang, option=resolved.detail)
    return tr("src_parameter", lang)


# --------------------------------------------------------------------------- the template

def _yaml_value(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, tuple):
        return "[" + ", ".join(_yaml_value(x) for x in v) + "]"
    if isinstance(v, float):
        return f"{v:g}" if v != int(v) else f"{v:.1f}"
    if isinstance(v, dict):
        return "{}" if not v else "{" + ", ".join(f"{k}: {_yaml_value(x)}" for k, x in v.items()) + "}"
    return str(v)


_HEAD = """\
# psikometri: berkas konfigurasi laporan validasi / report configuration file
#
# Pakai / use:  psikometri report --data DATA --out reports --config {name}
#
# Urutan prioritas (yang kanan menang) / precedence (the right one wins):
#   bawaan psikometri / psikometri default  <  berkas ini / this file  <  agencies.<instansi>  <  opsi baris perintah /
#   command-line option (--lang, --format, --n-boot, --seed, --range)
#
# Setiap kunci di bawah bernilai bawaannya, dengan sumber nilai bawaan itu. Hapus kunci yang tidak diubah (nilai
# bawaan tetap berlaku), atau ubah nilainya: laporan menyebut berkas ini sebagai sumbernya.
# Every key below holds its default, with the default's source. Delete the keys you do not change (the default
# applies), or change the value: the report names this file as its source.
"""

_SECTIONS = {
    "lang": ("Opsi batch / batch options", ""),
    "standards.reliability": ("Standar penilaian (verdict) pada ringkasan / standards of the summary's verdicts",
                              "standards"),
    "jpm_scheme": ("Kategori JPM dan kotak manajemen talenta / JPM categories and the nine-box grid", ""),
    "criterion_reliability": ("Koreksi, privasi dan data / corrections, privacy and data", ""),
    "display_names.competencies": ("Nama tampilan / display names (nama dalam data: nama yang ditampilkan; data "
                                   "name: shown name; satu nama, atau / one name, or {id: ..., en: ...})",
                                   "display_names"),
}

_HELP = {
    "lang": ("bahasa laporan: id atau en", "report language: id or en"),
    "formats": ("format keluaran: html, ipynb, pdf, xlsx, docx", "output formats: html, ipynb, pdf, xlsx, docx"),
    "n_boot": ("replikasi bootstrap (minimal 20; 1000 atau lebih untuk laporan resmi)",
               "bootstrap replications (at least 20; 1000 or more for a report you publish)"),
    "seed": ("seed bilangan acak (0 sampai 4294967295): hasil dapat diulang",
             "random seed (0 to 4294967295): results can be reproduced"),
    "ranges.performance": ("[min, max], atau off untuk mematikan pemeriksaan", "[min, max], or off to switch the "
                           "check off"),
    "jpm_cuts": ("null = batas skema; atau [batas bawah, batas atas]", "null = the scheme's cut-offs; or [lower, "
                 "upper]"),
    "jpm_scheme": ("mapping (pemetaan) atau selection (seleksi)", "mapping or selection"),
    "rating_round": ("null = putaran mandiri; atau nama putaran dalam data", "null = the independent round; or a "
                     "round name of the data"),
    "reference_year": ("null = dari data; atau tahun, mis. 2026", "null = from the data; or a year, e.g. 2026"),
    "min_group_size": ("kelompok lebih kecil disembunyikan dari tabel demografi dan keadilan",
                       "smaller groups are hidden from demographic and fairness tables"),
}


def config_template(name: str = "agency.yaml") -> str:
    """The commented YAML template of ``psikometri init-config``: every key with its default and source."""
    lines = [_HEAD.format(name=name)]
    open_group = ""
    for s in SETTINGS:
        if s.level == "agency":
            continue
        head = _SECTIONS.get(s.key)
        if head:
            lines.append(f"\n# --- {head[0]}")
        group = s.key.split(".")[0] if "." in s.key else ""
        if group != open_group:
            if group:
                lines.append(f"{group}:")
            open_group = group
        indent = "  " if group else ""
        leaf = s.key.split(".")[-1]
        lines.append(f"{indent}# {s.label['id']} / {s.label['en']}")
        help_ = _HELP.get(s.key)
        if help_:
            lines.append(f"{indent}#   {help_[0]} / {help_[1]}")
        src_id, src_en = s.source["id"], s.source["en"]
        lines.append(f"{indent}#   sumber bawaan: {src_id}")
        lines.append(f"{indent}#   default source: {src_en}")
        lines.append(f"{indent}{leaf}: {_yaml_value(s.default)}")
        if s.key == "display_names.competencies":
            lines.append(f"{indent}# contoh / example:  competencies: {{integritas: Integritas dan etika}}")
        if s.key == "display_names.exercises":
            lines.append(f"{indent}# contoh / example:  exercises: {{in_basket: {{id: In-basket, en: In-tray}}}}")
    lines.append("""
# --- Pengaturan per instansi / per-agency settings
# Nama instansi seperti dalam data; setiap kunci di atas kecuali lang, formats dan ranges boleh diulang di sini
# (ditambah display_name) dan menggantikan nilai di atas untuk instansi itu saja.
# Agency names as in the data; any key above except lang, formats and ranges may be repeated here (and
# display_name) and replaces the value above for that agency only.
agencies: {}
# contoh / example:
# agencies:
#   kab_sukamaju:
#     display_name: Kabupaten Sukamaju
#     standards:
#       reliability: 0.80
#     performance_cuts: [75, 90]
""")
    return "\n".join(lines)


def write_template(path, force: bool = False) -> Path:
    """Write :func:`config_template` to ``path``; refuse to overwrite an existing file unless ``force``."""
    from .runner import atomic_write

    p = Path(path)
    if p.is_dir():
        raise ConfigError(f"{str(p)!r} is a folder. Fix: give a file name, e.g. {str(p / 'agency.yaml')!r}.")
    if p.exists() and not force:
        raise ConfigError(f"{str(p)!r} exists already. Fix: choose another path, or add --force to overwrite it.")
    atomic_write(p, config_template(p.name))
    return p
