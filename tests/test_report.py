"""Batch reports: papermill per agency, failure isolation, Dask, up-to-date skipping, privacy, rendering."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat as nbf
import numpy as np
import pandas as pd
import pytest

from psikometri.report import AgencyContext, SECTION_KEYS, TEXT, report_paths, run_batch, tr
from psikometri.report.i18n import LANGUAGES
from psikometri.simulate import simulate_assessment

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def small_data(tmp_path_factory):
    d = tmp_path_factory.mktemp("data")
    sim = simulate_assessment({"kab_satu": (60, {"administrator": 0.5, "pengawas": 0.5}),
                               "kota_dua": (24, {"jpt_pratama": 1.0})}, seed=42)
    sim.write(d, ratings_format="csv")
    return d, sim


@pytest.fixture(scope="module")
def batch(small_data, tmp_path_factory):
    data, sim = small_data
    out = tmp_path_factory.mktemp("reports")
    code = run_batch(data, out, workers=2, n_boot=60, seed=1, lang="id")
    return out, code, sim


def test_translation_table_complete():
    for key, entry in TEXT.items():
        assert set(entry) == set(LANGUAGES), key
        assert all(entry[lang].strip() for lang in LANGUAGES), key
        # the same placeholders in both languages, except the library's own (English) messages, which the
        # Indonesian text leaves to results.json
        english_only = {"reason", "messages"}
        assert (set(re.findall(r"{(\w+)", entry["id"])) - english_only
                == set(re.findall(r"{(\w+)", entry["en"])) - english_only), key
    assert tr("sec_summary", "en") == "1. Summary"
    with pytest.raises(ValueError, match="lang must be one of"):
        tr("sec_summary", "fr")


def test_notebook_parameters_cell_holds_literals_only():
    nb = nbf.read(ROOT / "notebooks" / "agency_report.ipynb", as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    import ast

    tree = ast.parse(params[0].source)
    for node in tree.body:
        assert isinstance(node, ast.Assign)
        ast.literal_eval(node.value)  # raises if not a literal
    names = {n.targets[0].id for n in tree.body}
    assert {"agency", "data_path", "output_dir", "lang", "n_boot", "seed", "include_identities"} <= names
    # regenerating the notebook from its script gives the committed file
    tmp = subprocess.run([sys.executable, "-c", "import runpy; runpy.run_path('notebooks/_make_agency_report.py', "
                          "run_name='__main__')"], cwd=ROOT, capture_output=True, text=True)
    assert tmp.returncode == 0
    assert subprocess.run(["git", "diff", "--quiet", "notebooks/agency_report.ipynb"], cwd=ROOT).returncode == 0


def test_batch_writes_reports_results_and_index(batch):
    out, code, sim = batch
    assert code == 0
    for ag in ("kab_satu", "kota_dua"):
        p = report_paths(out, ag, "id")
        for k in ("html", "ipynb", "results", "log"):
            assert p[k].exists(), p[k]
        def no_nan(token):
            raise AssertionError(f"results.json holds the non-JSON token {token}")

        res = json.loads(p["results"].read_text(), parse_constant=no_nan)
        assert res["agency"] == ag and set(res["sections"]) == set(SECTION_KEYS)
        for ind in res["indicators"]:  # every summary indicator carries an interval and a four-level verdict
            assert ind["verdict"] in ("adequate", "adequate_uncertain", "inadequate_uncertain", "inadequate",
                                      "not_estimable"), ind
    index = (out / "index.html").read_text()
    assert "kab_satu" in index and "kota_dua" in index and "report_kab_satu_id.html" in index
    page = report_paths(out, "kab_satu", "id")["html"].read_text()
    assert "<title>Laporan Validasi Assessment Center: kab_satu</title>" in page and "size: A4" in page
    assert not list(out.rglob("*.tmp"))


def test_no_candidate_identifier_in_any_output(batch):
    out, _, sim = batch
    ids = set(sim.candidates["candidate"])
    names = set(sim.candidates["name"])
    for f in list(out.rglob("*.html")) + list(out.rglob("*.json")) + list(out.rglob("*.ipynb")):
        text = f.read_text()
        leaked = [i for i in ids if i in text] + [n for n in names if n in text]
        assert not leaked, (f, leaked[:3])


def test_small_groups_are_suppressed(small_data):
    data, sim = small_data
    counts = sim.candidates[sim.candidates["agency"] == "kota_dua"].groupby("gender").size()
    k = int(counts.max())  # the largest group is shown, any smaller one is suppressed
    ctx = AgencyContext.load(data, "kota_dua", min_group_size=k, n_boot=20)
    html = ctx.section("data")._repr_html_()
    assert "disembunyikan" in html
    small = int(counts.min())
    assert f"<td>{small}</td>" not in html  # the small group, and its complement in the same row, are hidden


def test_rerun_skips_up_to_date_and_force_reruns(batch, small_data, capsys):
    out, _, _ = batch
    data, _ = small_data
    before = report_paths(out, "kab_satu", "id")["html"].stat().st_mtime_ns
    assert run_batch(data, out, agencies=["kab_satu"], n_boot=60, seed=1) == 0
    assert "1 up to date" in capsys.readouterr().out
    assert report_paths(out, "kab_satu", "id")["html"].stat().st_mtime_ns == before
    assert run_batch(data, out, agencies=["kab_satu"], n_boot=60, seed=1, force=True) == 0
    assert "1 report(s) written" in capsys.readouterr().out
    # other parameters make a report out of date
    assert run_batch(data, out, agencies=["kab_satu"], n_boot=61, seed=1) == 0
    assert "1 report(s) written" in capsys.readouterr().out


def _failing_notebook(tmp_path):
    nb = nbf.read(ROOT / "notebooks" / "agency_report.ipynb", as_version=4)
    extra = nbf.v4.new_code_cell("if agency == 'kota_dua':\n    raise ValueError('simulated failure')")
    nb.cells.insert(2, extra)
    p = tmp_path / "failing.ipynb"
    nbf.write(nb, p)
    return p


def test_one_failing_agency_does_not_stop_the_others(small_data, tmp_path, capsys):
    data, _ = small_data
    out = tmp_path / "out"
    code = run_batch(data, out, n_boot=30, seed=1, notebook=_failing_notebook(tmp_path))
    assert code == 1
    err = capsys.readouterr().err
    assert "kota_dua: ValueError: simulated failure" in err
    assert re.search(r"in cell \d+ \(execution count \d+\): if agency == .kota_dua.:", err)
    assert report_paths(out, "kab_satu", "id")["html"].exists()
    p = report_paths(out, "kota_dua", "id")
    assert not p["html"].exists() and p["failed"].exists() and "simulated failure" in p["log"].read_text()
    assert "gagal" in (out / "index.html").read_text()


def test_dask_scheduler_path(small_data, tmp_path):
    distributed = pytest.importorskip("distributed")
    data, _ = small_data
    out = tmp_path / "dask"
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, host="127.0.0.1", processes=True,
                                  dashboard_address=None) as cluster:
        code = run_batch(data, out, agencies=["kota_dua"], scheduler=cluster.scheduler_address, n_boot=30,
                         seed=1, lang="en", formats=("html",))
    assert code == 0
    p = report_paths(out, "kota_dua", "en")
    assert p["html"].exists() and not p["ipynb"].exists()
    assert "Assessment Centre Validation Report" in p["html"].read_text()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _can_unshare() -> bool:
    import os

    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount --make-rprivate / && mount -t tmpfs tmpfs /tmp"],
                           capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not _can_unshare(), reason="needs root and unshare -m (CI runs as root)")
def test_dask_worker_without_a_shared_disk_gives_the_same_results(small_data, tmp_path, monkeypatch):
    """A worker in its own mount namespace sees neither the client's scratch folder nor OUT.

    The client keeps its temporary files and outputs under ``tmp_path``; the worker mounts an empty private
    tmpfs over ``tmp_path`` (so it sees none of them, while the Python environment stays visible wherever the
    checkout lives) and keeps its own temporary files there.
    """
    import os
    import tempfile
    import time

    pytest.importorskip("distributed")
    data, _ = small_data
    client_tmp = tmp_path / "client_tmp"
    client_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(client_tmp))
    marker = tmp_path / "client_marker"
    marker.write_text("visible only to the client")
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"))
    sched = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                              "--port", str(port), "--no-dashboard"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=env)
    worker_cmd = (f"mount --make-rprivate / && mount -t tmpfs tmpfs {tmp_path} && test ! -e {marker} && "
                  f"mkdir {tmp_path}/worker_tmp && TMPDIR={tmp_path}/worker_tmp exec "
                  f"{sys.executable} -m distributed.cli.dask_worker tcp://127.0.0.1:{port} --nworkers 1 "
                  "--nthreads 1 --no-dashboard")
    worker = subprocess.Popen(["unshare", "-m", "sh", "-c", worker_cmd], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, env=env)
    try:
        from distributed import Client

        deadline = time.time() + 90
        while True:
            try:
                with Client(f"tcp://127.0.0.1:{port}", timeout=5) as c:
                    if c.scheduler_info()["workers"]:
                        break
            except OSError:
                pass
            assert time.time() < deadline, "the Dask worker did not start"
            assert worker.poll() is None, f"the worker exited: {worker.stderr.read().decode()[-500:]}"
            time.sleep(0.5)
        remote = tmp_path / "remote"
        code = run_batch(data, remote, agencies=["kota_dua"], scheduler=f"tcp://127.0.0.1:{port}", n_boot=30,
                         seed=1, lang="id", formats=("html", "ipynb"))
    finally:
        worker.terminate()
        sched.terminate()
        worker.wait(30)
        sched.wait(30)
    assert code == 0
    local = tmp_path / "local"
    assert run_batch(data, local, agencies=["kota_dua"], n_boot=30, seed=1, lang="id", formats=("html", "ipynb")) == 0
    pr, pl = report_paths(remote, "kota_dua", "id"), report_paths(local, "kota_dua", "id")
    assert pr["results"].read_bytes() == pl["results"].read_bytes()
    assert pr["html"].exists() and pr["ipynb"].exists() and pr["log"].exists()


def test_cli_bad_arguments(small_data, tmp_path):
    data, _ = small_data
    assert run_batch(data, tmp_path, agencies=["nowhere"]) == 2
    with pytest.raises(ValueError, match="--format"):
        run_batch(data, tmp_path, formats=("odt",))


def _chromium():
    for n in ("chromium", "chromium-browser"):
        if shutil.which(n):
            return shutil.which(n)
    return None


@pytest.mark.skipif(_chromium() is None, reason="headless Chromium not installed (CI installs Debian's chromium)")
def test_reports_render_in_headless_chromium(batch, tmp_path):
    out, _, sim = batch
    for ag in ("kab_satu", "kota_dua"):
        p = report_paths(out, ag, "id")
        res = json.loads(p["results"].read_text())
        dom = subprocess.run(
            [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / ag}",
             "--virtual-time-budget=5000", "--dump-dom", p["html"].as_uri()],
            capture_output=True, text=True, timeout=120,
        ).stdout
        assert "</html>" in dom
        for key, s in res["sections"].items():
            m = re.search(rf"<section[^>]*id=\"sec-{key}\"[^>]*>", dom)
            if s["status"] == "absent":  # a section that does not apply (one occasion only) is not drawn
                assert m is None, key
                continue
            assert m, key
            tag = m.group(0)
            assert f'data-tables="{s["tables"]}"' in tag and f'data-figures="{s["figures"]}"' in tag
            body = dom[m.end(): dom.index("</section>", m.end())]
            assert body.count("<table") == s["tables"], key
            assert len(re.findall(r"<img[^>]+src=\"data:image/png;base64,", body)) == s["figures"], key
        assert not any(i in dom for i in sim.candidates["candidate"])


@pytest.mark.skipif(_chromium() is None, reason="headless Chromium not installed (CI installs Debian's chromium)")
def test_pdf_format(small_data, tmp_path):
    data, _ = small_data
    out = tmp_path / "pdf"
    assert run_batch(data, out, agencies=["kota_dua"], n_boot=30, seed=1, lang="en", formats=("pdf",)) == 0
    p = report_paths(out, "kota_dua", "en")
    assert p["pdf"].read_bytes()[:5] == b"%PDF-" and p["pdf"].stat().st_size > 20_000
    # A4 pages (595 x 842 points) and the report's title
    pdf = p["pdf"].read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes and all(abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2 for w, h in boxes), boxes[:3]
    assert not p["html"].exists() and not p["ipynb"].exists()


def _ctx_from(sim, agency, tmp_path, **kw):
    d = tmp_path / "d"
    sim.write(d, ratings_format="csv")
    return AgencyContext.load(d, agency, n_boot=20, **kw)


def test_talent_table_suppresses_small_counts_and_keeps_zeros(tmp_path):
    sim = simulate_assessment({"x": (30, {"administrator": 0.5, "pengawas": 0.5})}, seed=3)
    ctx = _ctx_from(sim, "x", tmp_path, min_group_size=5)
    sec = ctx.section("talent")
    tab = next(obj for kind, cap, obj in sec.blocks if kind == "table" and cap == ctx.t("category"))
    for v in tab.to_numpy().ravel():
        assert isinstance(v, str) or v == 0 or v >= 5, tab


def test_sections_degrade_for_designs_methods_cannot_estimate(tmp_path):
    # one assessor per cell and a position level the standards table does not know
    sim = simulate_assessment({"x": (40, {"kepala_seksi": 1.0})}, seed=4, assessors_per_exercise=1)
    ctx = _ctx_from(sim, "x", tmp_path)
    for key in SECTION_KEYS:
        ctx.section(key)
    assert ctx.section("agreement").status == "no_data"
    assert ctx.section("talent").status == "not_estimable"
    # the library's (English) reason goes to results.json; the Indonesian text says where to find it
    assert "unknown position level" in ctx.section("talent").results["reason"]
    assert "unknown position level" not in " ".join(ctx.section("talent").paragraphs)
    assert "results.json" in ctx.section("talent").paragraphs[-1]
    ctx_en = _ctx_from(sim, "x", tmp_path, lang="en")
    assert "unknown position level" in ctx_en.section("talent").paragraphs[-1]
    g = ctx.section("gtheory")
    assert g.status == "ok" and "assessor" not in "".join(g.results["components"])


def test_round_column_uses_one_round(tmp_path):
    sim = simulate_assessment({"x": 30}, seed=5)
    r = sim.ratings
    post = r.assign(score=np.clip(r["score"] + 0.5, 1, 5), round="post")
    both = pd.concat([r.assign(round="pre"), post], ignore_index=True)
    d = tmp_path / "d"
    sim.write(d, ratings_format="csv")
    both.to_csv(d / "ratings.csv", index=False)
    ctx = AgencyContext.load(d, "x", n_boot=20)
    assert ctx.rating_round == "pre" and len(ctx.data.ratings) == len(r)
    assert ctx.oar.mean() == pytest.approx(r.groupby("candidate")["score"].mean().mean())
    ctx_post = AgencyContext.load(d, "x", n_boot=20, rating_round="post")
    assert ctx_post.oar.mean() > ctx.oar.mean()
    # the change through the consensus discussion is reported from the library's consensus_change
    from psikometri.agreement import consensus_change

    ref = consensus_change(both)
    res = ctx.section("agreement").results
    assert res["consensus_mean_change"] == pytest.approx(float(ref.loc["overall", "mean_change"]), abs=1e-12)
    # a file sorted with the consensus round first still analyses the independent round
    pd.concat([post, r.assign(round="pre")], ignore_index=True).to_csv(d / "ratings.csv", index=False)
    ctx_sorted = AgencyContext.load(d, "x", n_boot=20)
    assert ctx_sorted.rating_round == "pre"
    assert ctx_sorted.oar.mean() == pytest.approx(ctx.oar.mean())
    assert "pre" in ctx_sorted.section("data").paragraphs[1]
    # names that do not say which round is independent need rating_round=
    pd.concat([r.assign(round="A"), post.assign(round="B")], ignore_index=True).to_csv(d / "ratings.csv", index=False)
    with pytest.raises(ValueError, match="rating_round="):
        AgencyContext.load(d, "x", n_boot=20)


def test_agency_names_become_safe_folder_names(tmp_path):
    from psikometri.report.runner import agency_slug

    assert agency_slug("kab_sukamaju") == "kab_sukamaju"  # a safe name is its own folder
    assert re.fullmatch(r"BKPSDM_Kab_X-[0-9a-f]{8}", agency_slug("BKPSDM/Kab X"))  # else readable part + hash
    p = report_paths(tmp_path, "Dinas <b> P&K", "id")
    assert p["dir"].parent == tmp_path and "/" not in p["html"].name and "<" not in str(p["html"])


def test_messages_reaching_a_report_are_scrubbed_of_candidate_ids(small_data):
    data, sim = small_data
    ctx = AgencyContext.load(data, "kab_satu", n_boot=20)
    nip = str(ctx.data.candidates["candidate"].iloc[0])
    assert ctx.scrub(f"more than one score for candidate '{nip}' in row 3") == \
        "more than one score for candidate '[asesi]' in row 3"


def test_complementary_suppression():
    from psikometri.report.sections import suppression_mask

    tab = pd.DataFrame([[14, 4, 9], [20, 30, 0], [6, 7, 8]])
    m = suppression_mask(tab, 5)
    assert m[0, 1]  # primary
    # its row and column each get a second hidden cell, so no total gives the 4 back
    for line in (m[0], m[:, 1]):
        assert line.sum() >= 2
    assert not m[1, 2]  # zeros are shown
    for i in range(3):
        assert m[i].sum() != 1 and m[:, i].sum() != 1
    assert not suppression_mask(pd.DataFrame([[5, 6], [7, 0]]), 5).any()
    # two hidden cells that sum to less than 5 (1 and 2 of a known total) would still bound each to 1-2: a third
    # cell goes too, so the hidden cells of the line sum to 5 or more
    boxes = pd.DataFrame([[0, 0, 0, 0, 0, 1, 0, 7, 2]])
    m = suppression_mask(boxes, 5)[0]
    assert m[5] and m[8] and m[7] and boxes.to_numpy()[0][m].sum() >= 5


def test_small_selected_counts_and_high_performer_counts_are_hidden(tmp_path):
    sim = simulate_assessment({"x": (30, {"jpt_pratama": 1.0})}, seed=9, selection_ratio=0.15)
    ctx = _ctx_from(sim, "x", tmp_path)
    hidden = tr("suppressed", "id")
    checked = 0
    for kind, caption, df in ctx.section("fairness").blocks + ctx.section("validity").blocks:
        if kind != "table":
            continue
        for count, total in (("n_selected", "n"), ("n_high", "n")):
            if count in df.columns:
                for _, row in df.iterrows():
                    if row[count] == hidden:
                        checked += 1
                        continue
                    v, n = float(row[count]), float(row[total])
                    assert not (0 < v < 5) and not (0 < n - v < 5), (caption, row.to_dict())
    assert checked, "the test data should have small selected counts to hide"


def test_agreement_and_gstudy_figures_equal_the_library_and_ignore_row_order(small_data, tmp_path):
    from psikometri.agreement import cell_ratings, icc, krippendorff_alpha
    from psikometri.gtheory import g_study

    data, sim = small_data
    ctx = AgencyContext.load(data, "kab_satu", n_boot=50, seed=3)
    res = ctx.section("agreement").results
    r = sim.ratings[sim.ratings["agency"] == "kab_satu"]
    cells = cell_ratings(r)
    assert res["n_cells"] == cells.attrs["n_cells_used"]
    ref = icc(cells.reset_index(drop=True), missing="reml", clusters=cells.index.get_level_values("candidate"),
              n_boot=50, seed=3)
    assert res["ICC1"] == pytest.approx(float(ref.loc["ICC1", "icc"]), abs=1e-12)
    assert res["ICC1_ci"] == pytest.approx([float(ref.loc["ICC1", "boot_ci_low"]),
                                            float(ref.loc["ICC1", "boot_ci_high"])], abs=1e-12)
    assert res["ICC1_ci_f"] == pytest.approx([float(ref.loc["ICC1", "ci_low"]), float(ref.loc["ICC1", "ci_high"])],
                                             abs=1e-12)
    ka = krippendorff_alpha(cells.reset_index(drop=True), level_of_measurement="interval", n_boot=50, seed=3)
    assert res["krippendorff_alpha"]["value"] == pytest.approx(ka.value, abs=1e-12)
    g = ctx.section("gtheory").results
    gs = g_study(r, score="score", person="candidate", facets=["competency", "exercise", "assessor"],
                 nested={"assessor": "exercise"})
    assert g["n_persons"] == r["candidate"].nunique()  # every rating, no sample
    for k, v in gs.components["variance"].items():
        assert g["components"][k] == pytest.approx(v, rel=1e-6, abs=1e-9)
    # shuffled rows: the same figures
    d2 = tmp_path / "shuffled"
    sim.write(d2, ratings_format="csv")
    sim.ratings.sample(frac=1.0, random_state=11).to_csv(d2 / "ratings.csv", index=False)
    ctx2 = AgencyContext.load(d2, "kab_satu", n_boot=50, seed=3)
    assert ctx2.section("agreement").results == res
    for k, v in g["components"].items():
        assert ctx2.section("gtheory").results["components"][k] == pytest.approx(v, rel=1e-7, abs=1e-10)


def test_gstudy_text_indicator_and_perspectives_agree(small_data):
    from psikometri.gtheory import g_study

    data, sim = small_data
    ctx = AgencyContext.load(data, "kab_satu", n_boot=20)
    sec = ctx.section("gtheory")
    r = sim.ratings[sim.ratings["agency"] == "kab_satu"]
    gs = g_study(r, score="score", person="candidate", facets=["competency", "exercise", "assessor"],
                 nested={"assessor": "exercise"})
    first = gs.perspectives().iloc[0]
    assert sec.results["g_coefficient"] == pytest.approx(float(first["g_coefficient"]), rel=1e-6)
    assert sec.results["phi"] == pytest.approx(float(first["phi"]), rel=1e-6)
    ind = [i for i in sec.indicators if i["key"] == "g_coefficient"][0]
    assert ind["value"] == sec.results["g_coefficient"]
    from psikometri.report.i18n import format_number

    assert format_number(first["g_coefficient"], ".3f", "id") in " ".join(sec.paragraphs)  # 0,899: Indonesian


def test_results_json_is_strict_json():
    from psikometri.report.sections import strict_json

    obj = {"a": float("nan"), "b": [np.float64(np.inf), np.int64(3), np.bool_(True)], "c": {"d": None, "e": "x"}}
    out = strict_json(obj)
    assert out == {"a": None, "b": [None, 3, True], "c": {"d": None, "e": "x"}}
    json.dumps(out, allow_nan=False)


def _visible_text(path):
    t = path.read_text()
    t = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", t, flags=re.S)
    t = re.sub(r"<img[^>]*>", " ", t)
    import html as _html

    return _html.unescape(re.sub(r"<[^>]+>", "\n", t))


#: English words that have no place in an Indonesian report (whole words, case-sensitive where capitalised).
ENGLISH = ["the", "and", "of", "with", "for", "rater", "raters", "score", "mean", "True", "False", "Single",
           "Average", "agreement", "candidates", "assessors", "not", "yes", "no", "fixed", "random", "lenient", "severe",
           "tendency", "standard", "adequate", "uncertain", "warning", "warnings", "variance", "error", "reliability",
           "validity", "missing", "note", "could", "computed", "analysis", "cluster", "low", "high", "is", "are"]


def _scan_indonesian(name, text):
    raw = sorted({w for w in re.findall(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b", text)
                  if w not in ("kab_satu", "kota_dua")})  # agency names are data, not labels
    assert not raw, (name, raw[:20])
    # reference entries (author (year). title...) keep their original English titles
    prose = "\n".join(line for line in text.splitlines() if not re.search(r"\(\d{4}\)\.", line))
    eng = [w for w in ENGLISH if re.search(rf"(?<![\w'.-]){w}(?![\w'-])", prose)]
    assert not eng, (name, eng, [re.findall(rf".{{40}}(?<![\w'.-]){w}(?![\w'-]).{{20}}", prose)[:2] for w in eng])
    # Indonesian number format: decimal commas, no English decimals like 0.860 in running text
    assert not re.search(r"\b0\.\d{2,3}\b", text), (name, re.findall(r".{30}\b0\.\d{2,3}\b.{10}", text)[:3])
    # ... and thousands grouped with points (5.118), except years and the seed
    ungrouped = [m for m in re.findall(r"(?<![\d.,])\d{4,}(?![\d.,])", prose) if not 1900 <= int(m) <= 2099]
    assert not ungrouped, (name, ungrouped[:5])


def test_indonesian_report_and_index_have_no_untranslated_label(batch):
    out, _, _ = batch
    for path in (report_paths(out, "kab_satu", "id")["html"], report_paths(out, "kota_dua", "id")["html"],
                 out / "index.html"):
        _scan_indonesian(path.name, _visible_text(path))


@pytest.mark.skipif(_chromium() is None, reason="headless Chromium not installed (CI installs Debian's chromium)")
def test_indonesian_report_as_chromium_renders_it_has_no_untranslated_label(batch, tmp_path):
    """The same scan on the text Chromium actually lays out (its DOM after rendering, without scripts)."""
    out, _, _ = batch
    for path in (report_paths(out, "kab_satu", "id")["html"], report_paths(out, "kota_dua", "id")["html"],
                 out / "index.html"):
        dom = subprocess.run(
            [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run",
             f"--user-data-dir={tmp_path / path.stem}", "--virtual-time-budget=5000", "--dump-dom", path.as_uri()],
            capture_output=True, text=True, timeout=120,
        ).stdout
        assert "</html>" in dom
        rendered = tmp_path / f"{path.stem}.rendered.html"
        rendered.write_text(dom)
        _scan_indonesian(path.name, _visible_text(rendered))


def test_tiny_cohort_gets_no_individual_talent_result(tmp_path):
    sim = simulate_assessment({"mini": (4, {"jpt_pratama": 1.0})}, seed=9)
    d = tmp_path / "d"
    sim.write(d, ratings_format="csv")
    ctx = AgencyContext.load(d, "mini", n_boot=20)
    sec = ctx.section("talent")
    assert sec.status == "too_few" and sec.n_tables == 0 and sec.n_figures == 0
    assert "jpm" not in json.dumps(sec.results).lower()


def test_talent_section_warns_when_the_standard_puts_jpm_at_its_ceiling(tmp_path):
    sim = simulate_assessment({"x": (30, {"pelaksana": 1.0})}, seed=4)
    d = tmp_path / "d"
    sim.write(d, ratings_format="csv")
    ctx = AgencyContext.load(d, "x", n_boot=20)
    text = " ".join(ctx.section("talent").paragraphs)
    assert "JPM 100" in text and "pelaksana" in text.lower()
    ctx_en = AgencyContext.load(d, "x", n_boot=20, lang="en")
    assert "does not tell these candidates apart" in " ".join(ctx_en.section("talent").paragraphs)


def test_national_meta_analysis_is_corrected_and_lists_what_it_leaves_out():
    from psikometri.report.index import _national
    from psikometri.validity import meta_analysis

    def res(agency, **v):
        return {"agency": agency, "sections": {"validity": {"results": v}}}

    arts = dict(rxxa=0.9, ryyi=0.52, case="IV")
    results = [res("a", observed_r=0.30, n=120, u=0.7, **arts), res("b", observed_r=0.20, n=300, u=0.8, **arts),
               res("c", observed_r=0.25, n=80, u=0.75, **arts), res("d"), res("e", observed_r=0.3, n=50, rxxa=None,
                                                                               ryyi=0.52, u=0.7, case="II")]
    page = _national(results, "en")
    assert "Left out of the meta-analysis: d (too few performance ratings); e (reliability or range restriction" \
        in page
    ma = meta_analysis(pd.DataFrame({"r": [.3, .2, .25], "n": [120, 300, 80], "rxxa": .9, "ryyi": .52,
                                     "u": [.7, .8, .75]}), r="r", n="n", rxxa="rxxa", ryyi="ryyi", u="u", case="IV")
    assert f"{float(ma.corrected['mean_rho'].iloc[0]):.3f}" in page


def test_the_national_forest_plot_is_drawn_once_as_savefig_would_save_it(monkeypatch):
    """The index's forest plot: one drawing, and the PNG savefig(bbox_inches="tight", dpi=100) writes of it."""
    import base64
    import io

    import matplotlib as mpl
    from matplotlib.figure import Figure

    from psikometri.report import sections
    from psikometri.report.index import _national

    arts = dict(rxxa=0.9, ryyi=0.52, case="IV")
    results = [{"agency": a, "sections": {"validity": {"results": dict(observed_r=r, n=n, u=u, **arts)}}}
               for a, r, n, u in (("a", 0.30, 120, 0.7), ("b", 0.20, 300, 0.8), ("c", 0.25, 80, 0.75))]
    made, draws, real = [], [], sections.figure_png
    draw = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, renderer: draws.append(self) or draw(self, renderer))

    def checked(fig, dpi, level):
        before = len(draws)
        png = real(fig, dpi, level)
        assert len(draws) - before == 1 and dpi == 100 and level == sections.FIGURE_PNG_LEVEL
        buf = io.BytesIO()
        # left as it was: savefig finds the same box
        assert mpl.rcParams["text.hinting"] == sections.FIGURE_RC["text.hinting"]  # drawn under the report's rc
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", pil_kwargs={"compress_level": level})
        made.append((png, buf.getvalue()))
        return png

    monkeypatch.setattr(sections, "figure_png", checked)
    page = _national(results, "id")
    assert len(made) == 1 and made[0][0] == made[0][1]
    assert base64.b64encode(made[0][0]).decode() in page


def test_one_index_per_language_in_the_same_folder(small_data, tmp_path):
    data, _ = small_data
    out = tmp_path / "both"
    assert run_batch(data, out, agencies=["kota_dua"], n_boot=20, seed=1, lang="id", formats=("html",)) == 0
    assert run_batch(data, out, agencies=["kota_dua"], n_boot=20, seed=1, lang="en", formats=("html",)) == 0
    idx_id, idx_en = (out / "index.html").read_text(), (out / "index_en.html").read_text()
    assert 'lang="id"' in idx_id and "report_kota_dua_id.html" in idx_id and "_en.html" not in idx_id
    assert 'lang="en"' in idx_en and "report_kota_dua_en.html" in idx_en
    # only the agencies of the current data set are listed, and each link points at a file that exists
    for idx in (idx_id, idx_en):
        for link in re.findall(r"href='([^']+)'", idx):
            assert (out / link).exists(), link


@pytest.mark.slow
def test_report_intervals_contain_the_simulated_truth_at_the_expected_rate(tmp_path):
    """Truth at report level: G components, ICC(1) and operational validity of simulated agencies, over seeds."""
    from psikometri.agreement import cell_ratings

    seeds = range(1, 13)
    # the agency's files hold scores rounded to half points on the 1-5 scale, as agencies record them; rounding
    # adds to the residual, so the truth is checked for the candidate components and the validity
    hits = {"candidate": 0, "candidate:exercise": 0, "validity": 0, "icc": 0}
    for seed in seeds:
        sim = simulate_assessment({"x": (150, {"administrator": 1.0})}, seed=seed, selection_ratio=0.6,
                                  candidates_per_assessor=30)
        d = tmp_path / f"s{seed}"
        sim.write(d, ratings_format="csv")
        ctx = AgencyContext.load(d, "x", n_boot=300, seed=seed)
        g = ctx.section("gtheory").results
        truth = sim.truth["variance_components"]
        for k in ("candidate", "candidate:exercise"):
            lo, hi = g["components_ci"][k]
            hits[k] += lo is not None and lo <= truth[k] <= hi
        v = ctx.section("validity").results["operational"]
        hits["validity"] += v["ci_low"] <= sim.truth["operational_validity"] <= v["ci_high"]
        # ICC(1) of the cells, given these assessors (the cluster bootstrap resamples candidates, not assessors):
        # between cells the true cell values plus the mean leniency of each cell's assessors, within cells the
        # leniency differences, the residual and the rounding error (Sheppard: h^2 / 12)
        cells = cell_ratings(sim.ratings)
        keys = cells.index.to_frame(index=False)
        t = sim.truth
        fixed = (keys["competency"].map(t["competency_effects"]) + keys["exercise"].map(t["exercise_effects"]))
        len_ = cells.attrs["assessors"].apply(lambda c: c.map(t["assessor_leniency"])).to_numpy()
        between = (truth["candidate"] + truth["candidate:competency"] + truth["candidate:exercise"]
                   + np.var(fixed.to_numpy() + len_.mean(axis=1)))
        within = (len_.var(axis=1, ddof=1).mean() + truth["candidate:competency:exercise:assessor"]
                  + t["rounding"] ** 2 / 12)
        lo, hi = ctx.section("agreement").results["ICC1_ci"]
        hits["icc"] += lo <= between / (between + within) <= hi
    rates = {k: h / len(seeds) for k, h in hits.items()}
    # 95% intervals over 12 agencies: a rate under 75% would happen by chance with probability < 0.2%
    assert all(r >= 0.75 for r in rates.values()), rates


def test_cleary_findings_reach_the_summary(small_data):
    data, _ = small_data
    ctx = AgencyContext.load(data, "kab_satu", n_boot=20)
    res = ctx.section("fairness").results
    ps = [v for k, v in res.items() if k.startswith("differential_prediction_") and v is not None]
    assert ps, "the test data should support a Cleary analysis"
    summary = {i["key"]: i for i in ctx.section("summary").results["indicators"]}
    row = summary["differential_prediction"]
    assert row["value"] == min(ps)
    assert row["verdict"] == ("adequate_uncertain" if min(ps) >= 0.05 else "inadequate_uncertain")


def test_warnings_of_a_computation_become_translated_notes_of_its_section(small_data, monkeypatch):
    import warnings

    import psikometri.reliability as rel

    data, _ = small_data
    original = rel.reliability_summary

    def noisy(*args, **kwargs):
        warnings.warn("the optimiser did not converge in 50 iterations", UserWarning)
        warnings.warn("invalid value encountered in divide", RuntimeWarning)
        return original(*args, **kwargs)

    monkeypatch.setattr(rel, "reliability_summary", noisy)
    ctx = AgencyContext.load(data, "kab_satu", n_boot=20)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing escapes the section
        sec = ctx.section("reliability")
    note = sec.paragraphs[-1]
    assert "2 peringatan" in note and "konvergensi estimasi" in note and "numerik" in note
    assert "did not converge" not in note  # the English message stays out of the Indonesian text...
    assert {w["category"] for w in sec.results["warnings"]} == {"UserWarning", "RuntimeWarning"}
    assert any("did not converge" in w["message"] for w in sec.results["warnings"])  # ...and is kept here
    ctx_en = AgencyContext.load(data, "kab_satu", n_boot=20, lang="en")
    assert "did not converge in 50 iterations" in ctx_en.section("reliability").paragraphs[-1]
    # a section without warnings gets no note
    assert "warnings" not in ctx.section("agreement").results


def test_notebook_does_not_silence_warnings():
    nb = nbf.read(ROOT / "notebooks" / "agency_report.ipynb", as_version=4)
    src = "\n".join(c.source for c in nb.cells)
    assert "filterwarnings" not in src and "simplefilter" not in src


def test_a_kept_kernel_gives_the_same_reports_as_a_fresh_one(small_data, tmp_path):
    """Reports written one after another in the kernel a worker keeps equal those of a fresh kernel per report,
    also after a failed report (whose kernel is replaced)."""
    from psikometri.io import load_assessment
    from psikometri.report.runner import _KERNEL, ReportTask, run_task, write_agency_subset

    data, _ = small_data
    ds = load_assessment(data, warn=False)
    out = {}
    for keep in (True, False):
        for a in ["kota_dua", "kab_satu"]:
            sub = write_agency_subset(ds, a, tmp_path / "s" / a)
            t = ReportTask(a, str(data), str(tmp_path / f"o{keep}"), "id", ("html",), "", {"n_boot": 30, "seed": 2},
                           True, data_subset=str(sub), keep_kernel=keep)
            assert run_task(t).status == "ok"
            out[keep, a] = (tmp_path / f"o{keep}" / a / "results.json").read_bytes()
        if keep:
            km = _KERNEL["km"]
            bad = ReportTask("kab_satu", str(data), str(tmp_path / "bad"), "id", ("html",), "",
                             {"n_boot": 30, "seed": 2, "lang": "xx"}, True, data_subset=str(sub))
            assert run_task(bad).status == "failed"
            assert _KERNEL.get("km") is not km  # the kernel of a failed report is not reused
    for a in ["kota_dua", "kab_satu"]:
        assert out[True, a] == out[False, a]


def test_shuffled_rows_give_byte_identical_results_json(tmp_path):
    """Order invariance of the whole report: every file's rows shuffled, the same results.json byte for byte."""
    sim = simulate_assessment({"kab_satu": (60, {"administrator": 0.5, "pengawas": 0.5})}, seed=42)
    sim.write(tmp_path / "a", ratings_format="csv")
    sim.write(tmp_path / "b", ratings_format="csv")
    for i, name in enumerate(("ratings", "candidates", "items")):
        p = tmp_path / "b" / f"{name}.csv"
        df = pd.read_csv(p, dtype=str)
        shuffled = df.sample(frac=1.0, random_state=7 + i)
        assert not shuffled.index.equals(df.index)
        shuffled.to_csv(p, index=False)
    out = []
    for d in ("a", "b"):
        (tmp_path / f"o{d}").mkdir()
        ctx = AgencyContext.load(tmp_path / d, "kab_satu", n_boot=40, seed=3, output_dir=tmp_path / f"o{d}")
        out.append(ctx.write_results().read_bytes())
    assert out[0] == out[1]


def test_table_cells_in_indonesian_format_including_extremes():
    from psikometri.report.sections import _fmt_cell

    assert _fmt_cell(np.float64(0.8604), "id") == "0,860"
    assert _fmt_cell(np.float64(2091.0), "id") == "2.091"
    assert _fmt_cell(np.float64(9.6e99), "id") == "9,60e+99"  # not a hundred-digit number
    assert _fmt_cell(np.float64(np.inf), "id") == "∞" and _fmt_cell(np.float64(np.nan), "id") == "-"
    assert _fmt_cell(np.bool_(True), "id") == "ya"


#: technical symbols that stay as they are in both languages
SYMBOLS = {"n", "p", "r", "z", "d", "g", "F", "R2", "ICC", "ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k", "kappa",
           "phi", "halo", "L", "P", "Optimal", "Cukup Optimal", "Kurang Optimal", "Feldt"}


def _table_labels(df):
    out = [c for c in df.columns] + [n for n in df.index.names if n is not None]
    out += [n for n in df.columns.names if n is not None]
    for v in df.index:
        out += list(v) if isinstance(v, tuple) else [v]
    for c in df.columns:
        out += [x for x in df[c].tolist() if isinstance(x, str)]
    return [x for x in out if isinstance(x, str)]


@pytest.mark.parametrize("agency", ["kab_sukamaju", "pemprov_nusa_makmur_jpt"])  # the second has two occasions
def test_every_table_label_and_figure_text_of_a_sample_report_is_indonesian(agency):
    """Structural scan of what the sections hand to the renderer: each table label (header, index, text cell)
    and each text drawn in a figure, for a sample agency."""
    from psikometri.report.i18n import COLUMNS, column_label

    from psikometri.report.i18n import FACETS

    indonesian = {e["id"] for e in TEXT.values()} | {e["id"] for e in COLUMNS.values()}
    indo_words = {w for t in indonesian | {f["id"] for f in FACETS.values()} for w in re.findall(r"[a-z]+", t.lower())}
    ctx = AgencyContext.load(ROOT / "data_samples", agency, n_boot=20, seed=1)
    data_ids = set()
    for df in (ctx.data.ratings, ctx.data.candidates):
        for c in df.columns:
            if not pd.api.types.is_numeric_dtype(df[c]):
                data_ids |= set(df[c].dropna().astype(str))
    if ctx.data.items is not None:
        data_ids |= set(map(str, ctx.data.items.columns))
    problems = []
    for key in SECTION_KEYS:
        sec = ctx.section(key)
        for kind, caption, obj in sec.blocks:
            if kind != "table":
                continue
            for lab in _table_labels(obj):
                shown = str(column_label(lab, "id"))
                if lab in data_ids and shown in (lab, column_label(lab, "id")):
                    if re.search(r"\b0\.\d", shown):
                        problems.append((key, caption, lab, shown))
                    continue
                untranslated = (shown == lab and re.fullmatch(r"[a-z][a-z ]*", lab) is not None
                                and lab not in SYMBOLS and not set(lab.split()) <= indo_words)
                if untranslated or re.search(r"\b[a-z]+_[a-z_]+\b", shown) or re.search(r"\b0\.\d", shown):
                    problems.append((key, caption, lab, shown))
        for texts in sec.figure_texts:
            for t in texts:
                eng = [w for w in ENGLISH if re.search(rf"(?<![\w'.-]){w}(?![\w'-])", t)]
                if eng or re.search(r"\b[a-z]+_[a-z_]+\b", t) or re.search(r"\d\.\d", t):
                    problems.append((key, "figure", t, eng))
    assert not problems, problems[:20]


def test_a_kernel_that_dies_while_starting_is_started_again(small_data, tmp_path, monkeypatch):
    """A kernel that dies before replying (e.g. its TCP port taken between choice and bind by another process)
    costs one retry, not the agency's report; a notebook that fails is not retried."""
    import papermill

    from psikometri.io import load_assessment
    from psikometri.report.runner import ReportTask, run_task, write_agency_subset

    data, _ = small_data
    sub = write_agency_subset(load_assessment(data, warn=False), "kab_satu", tmp_path / "s")
    real = papermill.execute_notebook
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return real(*args, **kwargs)

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    task = ReportTask("kab_satu", str(data), str(tmp_path / "o"), "id", ("html",), "", {"n_boot": 30, "seed": 2},
                      True, data_subset=str(sub), keep_kernel=False)
    res = run_task(task)
    assert res.status == "ok" and len(calls) == 2
    assert "started again" in (tmp_path / "o" / "kab_satu" / "report_kab_satu_id.log").read_text()

    def broken(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("a cell failed")

    monkeypatch.setattr(papermill, "execute_notebook", broken)
    calls.clear()
    assert run_task(ReportTask("kab_satu", str(data), str(tmp_path / "o2"), "id", ("html",), "",
                               {"n_boot": 30, "seed": 2}, True, data_subset=str(sub),
                               keep_kernel=False)).status == "failed"
    assert len(calls) == 1


def test_tables_written_directly_equal_pandas_to_html(small_data):
    """The report's tables are written without pandas' HTML formatter where they have one level of rows and
    columns: the same string as ``to_html`` of the formatted frame, for every table of two agencies' reports in
    both languages (individual results included) and for edge cases; the rest go through pandas."""
    from psikometri.report import sections as S

    data, _ = small_data
    plain = pandas_only = 0
    for agency in ("kab_satu", "kota_dua"):
        for lang in LANGUAGES:
            ctx = AgencyContext.load(data, agency, lang=lang, n_boot=20, seed=1, include_identities=True)
            for key in SECTION_KEYS:
                for block in ctx.section(key).blocks:
                    if block[0] != "table":
                        continue
                    df = block[2]
                    got = S._plain_table_html(df, lang)
                    if got is None:
                        pandas_only += 1
                        continue
                    plain += 1
                    assert got == S._pandas_table_html(df, lang), (agency, lang, key, block[1])
    assert plain >= 40 and plain > 3 * pandas_only, (plain, pandas_only)
    edge = [
        pd.DataFrame({"a": ["x<y & z>", None], "b": [np.nan, 1.25], "n": [3, 1_500]},
                     index=pd.Index(["r&1", "kerja_sama"], name="kompetensi")),
        pd.DataFrame({"p": [0.0004, 0.5], "flag": [True, False], "s": pd.array(["u", pd.NA], dtype="string")}),
        pd.DataFrame({1: [2, 0], 2: [7, 9]}, index=pd.RangeIndex(2, name="baris")),
        pd.DataFrame({"a": pd.Series([], dtype=float)}),
        pd.DataFrame({"a": [1.0, np.inf, -np.inf, 2e7]}, index=[3, 1, 2, 0]),
    ]
    edge[0].columns.name = "kolom_x"
    for df in edge:
        for lang in LANGUAGES:
            got = S._plain_table_html(df, lang)
            assert got is not None and got == S._pandas_table_html(df, lang), (df, lang)
    multi = pd.DataFrame({("a", "b"): [1.0]})
    assert S._plain_table_html(multi, "id") is None
    assert S._table_html(multi, "id") == S._pandas_table_html(multi, "id")


def test_paired_labels_in_figures_are_localised_part_by_part():
    """MTMM labels "competency | exercise": both parts in the report's language, one-word ids included."""
    from psikometri.report.sections import _local_text

    assert _local_text("integritas | analisis_kasus", "id") == "Integritas | Analisis kasus"
    assert _local_text("integritas | analisis_kasus", "en") == "Integrity | Case analysis"
    assert _local_text("kerjasama | in_basket 0.5", "id") == "Kerja sama | In-basket 0,5"
