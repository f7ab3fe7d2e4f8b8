"""The agency configuration file of ``psikometri report --config``: template, precedence, validation, a report run."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from psikometri.cli import build_parser, main
from psikometri.report import AgencyContext, report_paths, run_batch
from psikometri.report.config import (DEFAULTS, SETTINGS, ConfigError, config_template, load_config,
                                      notebook_parameters, parse_config, resolve_settings, write_template)
from psikometri.report.runner import BatchError
from psikometri.simulate import simulate_assessment

ROOT = Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------------------------------- the template

def test_template_loads_back_as_the_defaults(tmp_path):
    cfg = parse_config(config_template(), "agency.yaml")
    top = {s.key for s in SETTINGS if s.level != "agency"}
    assert set(cfg.values) == top  # every key is written
    assert {k: cfg.values[k] for k in top} == {k: DEFAULTS[k] for k in top}
    assert cfg.agencies == {}
    # written to a file and read back: the same; and the effective settings equal the defaults
    path = write_template(tmp_path / "agency.yaml")
    again = load_config(path)
    assert again.values == cfg.values
    eff = resolve_settings(again, "kab_sukamaju")
    assert all(eff[k].value == DEFAULTS[k] for k in top)
    assert all(eff[k].source == "config" and eff[k].detail == "agency.yaml" for k in top)
    text = path.read_text()
    # every key with its default's source, in both languages
    assert text.count("#   sumber bawaan:") == text.count("#   default source:") == len(top)
    assert "Viswesvaran, Ones & Schmidt (1996)" in text and "Uniform Guidelines (1978)" in text


def test_init_config_refuses_to_overwrite_without_force(tmp_path, capsys):
    path = tmp_path / "agency.yaml"
    assert main(["init-config", str(path)]) == 0
    first = path.read_text()
    path.write_text("standards:\n  reliability: 0.9\n")
    assert main(["init-config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "exists already" in err and "add --force to overwrite it" in err
    assert path.read_text() == "standards:\n  reliability: 0.9\n"  # untouched
    assert main(["init-config", str(path), "--force"]) == 0
    assert path.read_text() == first


# ----------------------------------------------------------------------------------------- precedence

CONFIG = """\
n_boot: 200
seed: 11
standards:
  reliability: 0.75
  icc: 0.72
criterion_reliability: 0.60
agencies:
  kab_satu:
    display_name: Kabupaten Satu
    standards:
      reliability: 0.80
    seed: 12
    performance_cuts: [72, 88]
"""


def test_precedence_default_file_agency_cli():
    cfg = parse_config(CONFIG, "agency.yaml")
    other = resolve_settings(cfg, "kota_dua")
    one = resolve_settings(cfg, "kab_satu")
    cli = resolve_settings(cfg, "kab_satu", {"seed": 13, "n_boot": 300})
    # default
    assert other["standards.g_coefficient"].value == 0.80 and other["standards.g_coefficient"].source == "default"
    assert other["performance_cuts"].value == (70.0, 85.0) and other["display_name"].value is None
    # the file's top level
    assert other["standards.reliability"].value == 0.75 and other["standards.reliability"].source == "config"
    assert other["criterion_reliability"].value == 0.60 and other["seed"].value == 11
    # the agency's entry beats the top level, for that agency only
    assert one["standards.reliability"].value == 0.80 and one["standards.reliability"].source == "agency"
    assert one["standards.icc"].value == 0.72 and one["standards.icc"].source == "config"
    assert one["performance_cuts"].value == (72.0, 88.0) and one["display_name"].value == "Kabupaten Satu"
    assert one["seed"].value == 12
    # a command-line option beats both
    assert cli["seed"].value == 13 and cli["seed"].source == "cli" and cli["seed"].detail == "--seed"
    assert cli["n_boot"].value == 300
    # and without a file the option beats the default
    assert resolve_settings(None, "x", {"seed": 5})["seed"].source == "cli"
    # the notebook parameters carry the values and the sources
    p = notebook_parameters(one)
    assert p["reliability_standard"] == 0.80 and p["performance_cuts"] == [72.0, 88.0]
    assert p["settings_source"]["standards.reliability"] == {"source": "agency", "detail": "agency.yaml"}
    assert "standards.g_coefficient" not in p["settings_source"]


def test_range_off_on_the_command_line_beats_the_file():
    cfg = parse_config("ranges:\n  performance: [0, 150]\n", "a.yaml")
    assert resolve_settings(cfg)["ranges.performance"].value == (0.0, 150.0)
    off = resolve_settings(cfg, None, {"ranges.performance": None})["ranges.performance"]
    assert off.value is None and off.source == "cli"
    assert parse_config("ranges:\n  cognitive: off\n", "a.yaml").values["ranges.cognitive"] is None


# ----------------------------------------------------------------------------------------- validation

@pytest.mark.parametrize("text, pattern", [
    # unknown keys: named, with the closest valid key and the line
    ("n_boot: 100\nstandard:\n  reliability: 0.8\n",
     r"a\.yaml, line 2: unknown key 'standard'\. Did you mean 'standards'\?"),
    ("standards:\n  relability: 0.8\n",
     r"a\.yaml, line 2: unknown key 'standards\.relability'\. Did you mean 'standards\.reliability'\? Valid keys "
     r"under 'standards': reliability, icc"),
    ("agencies:\n  kab_satu:\n    lang: en\n",
     r"line 3: unknown key 'agencies\.kab_satu\.lang'\..*Valid keys under 'agencies\.kab_satu'"),
    ("agencies:\n  kab_satu:\n    display_nama: Kabupaten\n",
     r"line 3: unknown key 'agencies\.kab_satu\.display_nama'\. Did you mean 'agencies\.kab_satu\.display_name'\?"),
    # wrong type or range: key path, value, fix
    ("standards:\n  reliability: 1.7\n",
     r"a\.yaml, line 2: standards\.reliability = 1\.7 is not valid: a number above 0 and at most 1 is needed\. "
     r"Fix: write e\.g\. 'reliability: 0\.80' under 'standards:'"),
    ("standards:\n  icc: high\n", r"line 2: standards\.icc = 'high' is not valid: a number"),
    ("min_group_size: 2.5\n", r"line 1: min_group_size = 2\.5 is not valid: a whole number of at least 1"),
    ("n_boot: yes\n", r"n_boot = True is not valid: a whole number of at least 20"),
    ("seed: -1\n", r"seed = -1 is not valid: a whole number from 0 to 4294967295"),
    ("performance_cuts: [85, 70]\n", r"performance_cuts = \[85, 70\] is not valid: two increasing numbers"),
    ("jpm_cuts: [78, 120]\n", r"jpm_cuts = \[78, 120\] is not valid: .*at most 100"),
    ("jpm_scheme: seleksi\n", r"jpm_scheme = 'seleksi' is not valid: one of mapping, selection is needed"),
    ("reference_year: 26\n", r"reference_year = 26 is not valid: a year from 1900 to 2100"),
    ("formats: [html, odt]\n", r"formats = \['html', 'odt'\] is not valid"),
    ("lang: fr\n", r"lang = 'fr' is not valid: one of id, en"),
    ("ranges:\n  performance: [150, 0]\n", r"ranges\.performance = \[150, 0\] is not valid: a pair \[min, max\]"),
    ("display_names:\n  competencies:\n    integritas: 3\n",
     r"display_names\.competencies\.integritas = 3 is not valid"),
    ("standards: 0.8\n", r"line 1: 'standards' must hold keys \(reliability, icc"),
    ("agencies: [kab_satu]\n", r"'agencies' must map agency names to their settings"),
    # duplicate keys and YAML syntax errors: the line
    ("seed: 1\nseed: 2\n", r"a\.yaml, line 2: the key 'seed' appears twice"),
    ("standards:\n  reliability: 0.8\n icc: 0.7\n", r"a\.yaml is not valid YAML \(line 3, column 2\)"),
    ("seed: [1, 2\n", r"a\.yaml is not valid YAML \(line 2"),
    ("- seed\n- 1\n", r"the file must hold 'key: value' lines \(a mapping\), not a list"),
])
def test_each_validation_error_names_the_line_key_value_and_fix(text, pattern):
    with pytest.raises(ConfigError, match=pattern):
        parse_config(text, "a.yaml")


def test_an_empty_file_is_all_defaults():
    assert parse_config("", "a.yaml").values == {} and parse_config("# only comments\n", "a.yaml").agencies == {}


def test_file_errors_and_unknown_agencies(tmp_path):
    with pytest.raises(ConfigError, match=r"--config '.*nowhere\.yaml': no such file\. Fix: .*init-config"):
        load_config(tmp_path / "nowhere.yaml")
    cfg = parse_config("agencies:\n  kab_sukamju:\n    display_name: X\n", "agency.yaml")
    with pytest.raises(ConfigError, match=r"agency\.yaml, line 2: 'agencies' names 'kab_sukamju', which is not an "
                                          r"agency of the data\. Did you mean 'kab_sukamaju'\?"):
        cfg.check_agencies(["kab_sukamaju", "kota_bahari"])
    bad = tmp_path / "bad.yaml"
    bad.write_text("standards:\n  validity: 2\n")
    with pytest.raises(BatchError, match=r"bad\.yaml, line 2: standards\.validity = 2"):
        run_batch(ROOT / "data_samples", tmp_path / "out", config=bad)


def test_report_parameters_are_checked_like_the_file():
    from psikometri.report.config import check_report_settings

    with pytest.raises(ValueError, match=r"standards=\{'relability': \.\.\.\} names no standard\. Did you mean "
                                         r"'reliability'\?"):
        check_report_settings(standards={"relability": 0.8})
    with pytest.raises(ValueError, match=r"criterion_reliability = 1\.5 is not valid"):
        check_report_settings(criterion_reliability=1.5)


# ----------------------------------------------------------------------------------------- command line

def _actions(parser):
    for a in parser._actions:
        if isinstance(a, argparse._SubParsersAction):
            for name, sub in a.choices.items():
                for _, x in _actions(sub):
                    yield (name, x)
        yield ("", a)


def test_every_cli_option_has_help():
    parser = build_parser()
    missing = [(cmd, a.dest) for cmd, a in _actions(parser) if not a.help or a.help == argparse.SUPPRESS]
    assert not missing
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert set(subs) == {"validate", "report", "init-config"}


def test_report_help_gives_an_example_for_each_option(capsys):
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    out = capsys.readouterr().out
    for opt in ("--data", "--out", "--config", "--agency", "--workers", "--scheduler", "--lang", "--format",
                "--n-boot", "--seed", "--range"):
        block = out.split(f"  {opt}", 1)[1].split("\n  -", 1)[0]
        assert "e.g." in block, opt
    assert "precedence" in out and "init-config" in out


def test_validate_reads_the_ranges_of_a_config(tmp_path, capsys):
    cfg = tmp_path / "agency.yaml"
    cfg.write_text("ranges:\n  performance: [0, 10]\n")
    # the sample's performance ratings are on a 0-100 scale: a 0-10 range makes them implausible
    assert main(["validate", str(ROOT / "data_samples"), "--config", str(cfg)]) == 1
    assert "performance" in capsys.readouterr().err
    assert main(["validate", str(ROOT / "data_samples"), "--config", str(cfg), "--range", "performance=off"]) == 0
    cfg.write_text("ranges:\n  performance: 10\n")
    assert main(["validate", str(ROOT / "data_samples"), "--config", str(cfg)]) == 2


# ----------------------------------------------------------------------------------------- in the report

def test_reference_year_default_from_the_data_and_its_effects():
    jpt = "pemprov_nusa_makmur_jpt"  # two occasions: 2021-08-17 and 2026-08-17
    ctx = AgencyContext.load(ROOT / "data_samples", jpt, n_boot=20, seed=1)
    assert ctx.reference_year == 2026 and ctx.reference_basis == ("date", "2026-08-17")
    assert ctx._expired_occasions() == (["2021"], False)
    later = AgencyContext.load(ROOT / "data_samples", jpt, n_boot=20, seed=1, reference_year=2030)
    # by 1 January 2030 the 2026-08-17 results are more than three years old too (Peraturan BKN 26/2019)
    assert later._expired_occasions() == (["2021", "2026"], True)
    assert any("tahun acuan 2030" in p for p in later.section("data").paragraphs)
    rec = later.settings_record()["reference_year"]
    assert rec["value"] == 2030 and rec["source"] == "parameter"
    # ages at the reference year
    born = later.cand["birth_year"].astype(float)
    expected = pd.cut(2030 - born, [0, 40, 50, 200], right=False, labels=["< 40", "40-49", ">= 50"])
    assert later._groups()["age_group"].astype(str).tolist() == expected.astype(str).tolist()
    # data without a date: the current year
    import datetime

    from psikometri.report.config import default_reference_year

    sim = simulate_assessment({"kota_dua": (24, {"jpt_pratama": 1.0})}, seed=3)
    assert "assessment_date" not in sim.ratings.columns  # the simulator's single occasion has no date
    assert default_reference_year(sim) == (datetime.date.today().year, ("today", ""))


def test_display_names_reach_tables_figures_and_header():
    ctx = AgencyContext.load(ROOT / "data_samples", "kab_sukamaju", n_boot=20, seed=1,
                             display_name="Kabupaten Sukamaju",
                             exercise_names={"in_basket": {"id": "Kotak masuk", "en": "In-tray"}},
                             competency_names={"integritas": "Integritas dan etika"})
    assert "Kabupaten Sukamaju" in ctx.header().data
    data = ctx.section("data")
    assert any("Kotak masuk" in t for texts in data.figure_texts for t in texts)
    assert "Kotak masuk" in ctx.section("agreement")._repr_html_()
    from psikometri.report.i18n import column_label

    assert column_label("in_basket", "id") == "In-basket"  # outside the report: the usual label
    assert ctx.results()["display_name"] == "Kabupaten Sukamaju"


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    d = tmp_path_factory.mktemp("data")
    sim = simulate_assessment({"kota_dua": (24, {"jpt_pratama": 1.0})}, seed=42)
    sim.write(d, ratings_format="csv")
    return d


def _visible(path):
    from tests.test_report import _visible_text

    return _visible_text(path)


def test_report_shows_the_changed_standard_and_cut_off_with_their_source(small, tmp_path, capsys):
    from tests.test_report import _scan_indonesian

    cfg = tmp_path / "agency.yaml"
    cfg.write_text("standards:\n  icc: 0.85\nagencies:\n  kota_dua:\n    display_name: Kota Dua Sejahtera\n"
                   "    performance_cuts: [72, 88]\n")
    out = tmp_path / "out"
    assert run_batch(small, out, n_boot=20, seed=1, config=cfg) == 0
    p = report_paths(out, "kota_dua", "id")
    res = json.loads(p["results"].read_text())
    s = res["settings"]
    assert s["standards.icc"] == {"value": 0.85, "source": "config", "detail": "agency.yaml"}
    assert s["performance_cuts"] == {"value": [72.0, 88.0], "source": "agency", "detail": "agency.yaml"}
    assert s["n_boot"] == {"value": 20, "source": "cli", "detail": "--n-boot"}
    assert s["criterion_reliability"]["source"] == "default" and s["criterion_reliability"]["value"] == 0.52
    assert "Viswesvaran, Ones & Schmidt (1996)" in s["criterion_reliability"]["reference"]
    assert res["display_name"] == "Kota Dua Sejahtera"
    # the verdict uses the file's standard
    assert [i["standard"] for i in res["indicators"] if i["key"] == "icc"] == [0.85]
    text = _visible(p["html"])
    rows = re.sub(r"\n\s*\n+", "\n", text)
    assert "Standar kesepakatan asesor ICC(1)\n0,85\nditetapkan instansi dalam berkas konfigurasi agency.yaml" in rows
    assert ("Batas kinerja kotak talenta\n72; 88\nditetapkan untuk instansi ini dalam berkas konfigurasi "
            "agency.yaml") in rows
    assert ("Reliabilitas kriteria kinerja (ryyi)\n0,52\nbawaan psikometri: Viswesvaran, Ones & Schmidt (1996)"
            in rows)
    assert "Laporan Validasi Assessment Center: Kota Dua Sejahtera" in p["html"].read_text()
    assert "Kota Dua Sejahtera" in (out / "index.html").read_text()
    _scan_indonesian(p["html"].name, text)  # the new table is Indonesian too
    # the up-to-date check: the same file skips, a changed setting re-runs
    capsys.readouterr()
    assert run_batch(small, out, n_boot=20, seed=1, config=cfg) == 0
    assert "1 up to date" in capsys.readouterr().out
    cfg.write_text(cfg.read_text().replace("0.85", "0.9"))
    assert run_batch(small, out, n_boot=20, seed=1, config=cfg) == 0
    assert "1 report(s) written" in capsys.readouterr().out
    assert json.loads(p["results"].read_text())["settings"]["standards.icc"]["value"] == 0.9


def test_english_report_names_the_source_in_english(small, tmp_path):
    cfg = tmp_path / "kab.yaml"
    cfg.write_text("lang: en\nstandards:\n  impact_ratio: 0.75\n")
    out = tmp_path / "out"
    assert run_batch(small, out, n_boot=20, seed=1, config=cfg) == 0
    rows = re.sub(r"\n\s*\n+", "\n", _visible(report_paths(out, "kota_dua", "en")["html"]))
    assert "Standard: impact ratio\n0.75\nset by the agency in the configuration file kab.yaml" in rows
    assert "Standard: test reliability (omega)\n0.70\npsikometri default: Nunnally & Bernstein (1994)" in rows


def test_readme_config_example_is_valid():
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    assert blocks
    for block in blocks:
        cfg = parse_config(block, "README.md")
        assert cfg.values or cfg.agencies
    assert "psikometri init-config" in text and "### Agency configuration file" in text


def test_one_set_of_defaults_in_the_context_the_notebook_and_the_file():
    import ast
    import inspect

    import nbformat as nbf

    from psikometri.report.sections import DEFAULT_STANDARDS

    assert DEFAULT_STANDARDS == {k.split(".", 1)[1]: v for k, v in DEFAULTS.items() if k.startswith("standards.")}
    params = notebook_parameters(resolve_settings())
    sig = inspect.signature(AgencyContext.__init__).parameters
    for name, value in params.items():
        if name in sig:
            default = sig[name].default
            assert (list(default) if isinstance(default, tuple) else default) == (value if value != {} else None), name
    nb = nbf.read(ROOT / "notebooks" / "agency_report.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    literal = {n.targets[0].id: ast.literal_eval(n.value) for n in ast.parse(cell.source).body}
    for name, value in params.items():
        assert name in literal, name  # the runner sets no parameter the notebook lacks
        got = literal[name]
        assert (list(got) if isinstance(got, tuple) else got) == value, name


# ----------------------------------------------------------------------------------------- review fixes

@pytest.mark.parametrize("text, raw, what", [
    ("agencies:\n  yes:\n    display_name: X\n", "yes", r"a boolean \(true/false\)"),
    ("agencies:\n  no:\n    display_name: X\n", "no", r"a boolean \(true/false\)"),
    ("agencies:\n  on:\n    display_name: X\n", "on", r"a boolean \(true/false\)"),
    ("display_names:\n  competencies: {1: Satu, null: x}\n", "null", r"empty \(null\)"),
    ("~: 3\n", "~", r"empty \(null\)"),
])
def test_keys_yaml_reads_as_booleans_or_null_must_be_quoted(text, raw, what):
    with pytest.raises(ConfigError, match=rf"the key '{re.escape(raw)}'.* is read by YAML as {what}, not as a name.*"
                                          r"Fix: put the key in quotes"):
        parse_config(text, "a.yaml")


def test_quoted_agency_key_is_an_agency():
    assert parse_config("agencies:\n  'yes':\n    display_name: X\n", "a.yaml").agencies == {
        "yes": {"display_name": "X"}}


def test_load_config_path_type_and_report_settings_names():
    from psikometri.report.config import check_report_settings

    with pytest.raises(TypeError, match=r"path must be the path of a YAML configuration file .* got path=None"):
        load_config(None)
    with pytest.raises(TypeError, match=r"unknown report setting potental_cuts=\[90, 78\]\. Did you mean "
                                         r"'potential_cuts'\? The report settings are .*performance_cuts"):
        check_report_settings(potental_cuts=[90, 78])
    import numpy as np
    with pytest.raises(ValueError, match=r"potential_cuts = \[90\.0, 78\] is not valid"):
        check_report_settings(potential_cuts=[np.float64(90.0), np.int64(78)])


def test_init_config_on_a_folder_says_folder(tmp_path, capsys):
    assert main(["init-config", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "is a folder" in err and "exists already" not in err
