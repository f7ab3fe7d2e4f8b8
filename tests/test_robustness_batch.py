"""Fault injection for ``psikometri report``: one test per batch fault, named after the defect.

Most tests run a stub notebook (parameters cell + ``results.json``) instead of the full report, so that a fault
costs seconds; the tests that need the real report content (figures, exported HTML) run one tiny agency.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat as nbf
import pandas as pd
import pytest

from psikometri.report import report_paths, run_batch
from psikometri.report import runner
from psikometri.report.runner import BatchError, agency_slug
from psikometri.simulate import simulate_assessment

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"


def _env(**extra) -> dict:
    return dict(os.environ, PYTHONPATH=str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""), **extra)


def _cli(*args, env=None, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "psikometri.cli", "report", *map(str, args)],
                          capture_output=True, text=True, env=env or _env(), timeout=timeout)


def _stub_notebook(path: Path, body: str = "") -> Path:
    """A notebook with the report's parameters that writes a minimal ``results.json`` (after ``body``)."""
    params = ('agency = "x"\ndata_path = "."\noutput_dir = "."\nlang = "id"\nn_boot = 20\nseed = 1\n')
    write = ("import json, os\n"
             "from psikometri.io import load_assessment\n"
             "n = len(load_assessment(data_path, warn=False).candidates)\n"
             "with open(os.path.join(output_dir, 'results.json'), 'w') as fh:\n"
             "    json.dump({'agency': agency, 'n_candidates': n, 'indicators': [], 'sections': {}}, fh)\n")
    nb = nbf.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbf.v4.new_code_cell(params, metadata={"tags": ["parameters"]})]
    if body:
        nb.cells.append(nbf.v4.new_code_cell(body))
    nb.cells.append(nbf.v4.new_code_cell(write))
    nbf.write(nb, path)
    return path


def _sim_data(directory: Path, agencies, seed=7) -> Path:
    sim = simulate_assessment({a: 12 for a in agencies}, seed=seed)
    sim.write(directory, ratings_format="csv")
    return directory


@pytest.fixture(scope="module")
def stub(tmp_path_factory):
    return _stub_notebook(tmp_path_factory.mktemp("nb") / "stub.ipynb")


@pytest.fixture(scope="module")
def two_agencies(tmp_path_factory):
    return _sim_data(tmp_path_factory.mktemp("data2"), ["kab_satu", "kota_dua"])


# --------------------------------------------------------------------------- 1. per-agency validation


def test_invalid_rows_of_one_agency_do_not_block_the_others(two_agencies, stub, tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(two_agencies, data)
    r = pd.read_csv(data / "ratings.csv", dtype=str, keep_default_na=False)
    bad = int(r.index[r["agency"] == "kota_dua"][3])
    r.loc[bad, "score"] = "9"  # outside the 1-5 scale
    r.to_csv(data / "ratings.csv", index=False)
    out = tmp_path / "out"
    code = run_batch(data, out, n_boot=20, seed=1, notebook=stub)
    cap = capsys.readouterr()
    assert code == 1
    assert "1 report(s) written" in cap.out and "1 failed" in cap.out
    assert re.search(rf"kota_dua: invalid data \(1 problem\): ratings.csv, row {bad + 2}, column 'score'", cap.err)
    assert report_paths(out, "kab_satu", "id")["html"].exists()
    p = report_paths(out, "kota_dua", "id")
    assert not p["html"].exists() and f"row {bad + 2}" in p["log"].read_text()
    index = (out / "index.html").read_text()
    assert "kab_satu" in index and "gagal" in index and f"row {bad + 2}" in index
    # the report of the valid agency holds its own rows only
    assert json.loads(report_paths(out, "kab_satu", "id")["results"].read_text())["n_candidates"] == 12
    # a problem that belongs to no agency (a missing column) still stops everything, with the loader's message
    r.drop(columns="score").to_csv(data / "ratings.csv", index=False)
    assert run_batch(data, tmp_path / "out2", n_boot=20, seed=1, notebook=stub) == 2
    assert "required column(s) ['score'] not found" in capsys.readouterr().err


def test_invalid_rows_in_the_index_hide_candidate_ids(two_agencies, stub, tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(two_agencies, data)
    c = pd.read_csv(data / "candidates.csv", dtype=str, keep_default_na=False)
    i = int(c.index[c["agency"] == "kota_dua"][0])
    c.loc[i, "gender"] = "X"
    c.loc[i + 1, "candidate"] = c.loc[i, "candidate"]  # a duplicate id: the message names the id
    c.to_csv(data / "candidates.csv", index=False)
    out = tmp_path / "out"
    assert run_batch(data, out, agencies=["kota_dua", "kab_satu"], n_boot=20, seed=1, notebook=stub) == 1
    err = capsys.readouterr().err
    assert "kota_dua: invalid data" in err and "appear more than once" in err
    nip = c.loc[i, "candidate"]
    for f in [out / "index.html", out / "batch_id.json", report_paths(out, "kota_dua", "id")["log"]]:
        assert nip not in f.read_text(), f
    assert nip not in err


# --------------------------------------------------------------------------- 2. clear one-line errors


@pytest.mark.parametrize("args, words", [
    (["--workers", "0"], ["--workers", "'0'", "at least 1"]),
    (["--n-boot", "-5"], ["--n-boot", "'-5'", "at least"]),
    (["--n-boot", "0"], ["--n-boot", "'0'", "at least"]),
    (["--seed", "-1"], ["--seed", "'-1'", "from 0 to"]),
    (["--format", "odt"], ["--format", "'odt'", "html, ipynb, pdf, xlsx, docx"]),
    (["--format", ","], ["--format", "none given"]),
])
def test_bad_options_give_a_one_line_error_naming_option_value_and_fix(args, words, tmp_path):
    res = _cli("--data", tmp_path / "nodata", "--out", tmp_path / "out", *args)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    last = res.stderr.strip().splitlines()[-1]
    assert last.startswith("psikometri report: error:")
    for w in words:
        assert w in last, (w, last)
    assert not (tmp_path / "out").exists()


def test_run_batch_checks_its_arguments_before_writing(two_agencies, tmp_path):
    for kw, word in (({"workers": 0}, "--workers"), ({"n_boot": 0}, "--n-boot"), ({"n_boot": -5}, "--n-boot"),
                     ({"seed": -1}, "--seed"), ({"formats": ("odt",)}, "--format"), ({"lang": "fr"}, "--lang"),
                     ({"workers": 1.5}, "--workers")):
        with pytest.raises(BatchError, match=re.escape(word)):
            run_batch(two_agencies, tmp_path / "out", **kw)
    assert not (tmp_path / "out").exists()


def test_out_pointing_at_a_file_is_a_clear_error(two_agencies, tmp_path):
    f = tmp_path / "a_file"
    f.write_text("x")
    res = _cli("--data", two_agencies, "--out", f)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "--out" in res.stderr and "is a file, not a folder" in res.stderr


def test_unreachable_scheduler_is_a_clear_error(two_agencies, tmp_path):
    pytest.importorskip("distributed")
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    res = _cli("--data", two_agencies, "--out", tmp_path / "out", "--scheduler", f"tcp://127.0.0.1:{port}",
               timeout=180)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert f"--scheduler 'tcp://127.0.0.1:{port}': cannot reach the Dask scheduler" in res.stderr
    assert "leave out --scheduler" in res.stderr


def _read_only_runner():
    """How to give the CLI a read-only ``--out``: 'chmod' (not root), 'unshare' (root), or None."""
    if os.geteuid() != 0:
        return "chmod"
    if shutil.which("unshare"):
        probe = subprocess.run(["unshare", "-m", "sh", "-c",
                                "mount --make-rprivate / && mount -t tmpfs -o ro tmpfs /mnt"], capture_output=True)
        if probe.returncode == 0:
            return "unshare"
    return None


@pytest.mark.skipif(_read_only_runner() is None, reason="root without unshare -m: no way to make a folder read-only")
def test_read_only_out_is_a_clear_error(two_agencies, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    cmd = [sys.executable, "-m", "psikometri.cli", "report", "--data", str(two_agencies)]
    results = []
    if _read_only_runner() == "chmod":
        (ro / "out").mkdir()
        os.chmod(ro / "out", 0o555)
        os.chmod(ro, 0o555)
        try:
            for out in (ro / "out", ro / "new"):
                results.append(subprocess.run(cmd + ["--out", str(out)], capture_output=True, text=True, env=_env()))
        finally:
            os.chmod(ro, 0o755)
            os.chmod(ro / "out", 0o755)
    else:
        for out in (ro / "out", ro / "new"):
            script = (f"mount --make-rprivate / && mount -t tmpfs tmpfs {ro} && mkdir {ro}/out && "
                      f"mount -o remount,ro {ro} && exec " + " ".join(map(str, cmd + ["--out", str(out)])))
            results.append(subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True,
                                          env=_env()))
    existing, new = results
    for res in results:
        assert res.returncode == 2 and "Traceback" not in res.stderr, res.stderr
        assert res.stderr.strip().splitlines()[-1].startswith("psikometri report: error: --out")
    assert "is not writable" in existing.stderr and "choose a folder you can write to" in existing.stderr
    assert "cannot create the folder" in new.stderr


def test_full_disk_during_the_batch_fails_each_agency_but_runs_them_all(two_agencies, stub, tmp_path, monkeypatch,
                                                                       capsys):
    out = tmp_path / "out"
    real = runner.atomic_write
    attempts = []

    def full_disk(path, data):
        if Path(path).resolve().is_relative_to(out.resolve()):
            attempts.append(Path(path).name)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, data)

    monkeypatch.setattr(runner, "atomic_write", full_disk)
    code = run_batch(two_agencies, out, n_boot=20, seed=1, notebook=stub, workers=1)
    cap = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in cap.err
    for ag in ("kab_satu", "kota_dua"):  # the handler's own failed log write did not stop the second agency
        assert re.search(rf"{ag}: OSError: \[Errno {errno.ENOSPC}\] No space left on device", cap.err), cap.err
    assert any(a.endswith(".log") for a in attempts)
    assert "0 report(s) written, 0 up to date, 2 failed" in cap.out
    assert "could not be written" in cap.err  # the summary and index, said in one line
    assert not list(out.rglob(".staging-*"))


def test_long_and_reserved_agency_names_get_their_own_folders(stub, tmp_path, capsys):
    long_name = "Dinas " + "Pendidikan dan Kebudayaan " * 12
    long_name = long_name[:300]
    names = [long_name, "index.html", "batch_id.json"]
    data = _sim_data(tmp_path / "data", names)
    out = tmp_path / "out"
    assert run_batch(data, out, n_boot=20, seed=1, notebook=stub) == 0, capsys.readouterr().err
    for a in names:
        p = report_paths(out, a, "id")
        assert p["dir"].is_dir() and len(p["html"].name.encode()) < 200
        assert json.loads(p["results"].read_text())["agency"] == a
    assert (out / "index.html").is_file() and (out / "batch_id.json").is_file()


# --------------------------------------------------------------------------- 3. folder names


def test_agencies_differing_in_punctuation_or_script_do_not_share_a_folder(stub, tmp_path, capsys):
    names = ["instansi/a", "instansi_a", "instansi a", "مدينة", "مدينة أ"]
    slugs = [agency_slug(a) for a in names]
    assert len(set(slugs)) == len(names)
    assert agency_slug("instansi_a") == "instansi_a" and agency_slug("kab_sukamaju") == "kab_sukamaju"
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+", s) for s in slugs)
    # stable: the same name gives the same folder whatever other agencies are present
    assert agency_slug("instansi/a") == "instansi_a-" + __import__("hashlib").sha256(b"instansi/a").hexdigest()[:8]
    data = _sim_data(tmp_path / "data", names)
    out = tmp_path / "out"
    assert run_batch(data, out, n_boot=20, seed=1, notebook=stub) == 0, capsys.readouterr().err
    for a in names:
        assert json.loads(report_paths(out, a, "id")["results"].read_text())["agency"] == a
    assert len([d for d in out.iterdir() if d.is_dir()]) == len(names)


# --------------------------------------------------------------------------- 4. mathtext


def test_dollar_signs_in_exercise_and_competency_names_are_drawn_literally(tmp_path):
    import matplotlib.pyplot as plt

    from psikometri.report import SECTION_KEYS, AgencyContext

    sim = simulate_assessment({"x": 40}, seed=11)
    d = tmp_path / "d"
    sim.write(d, ratings_format="csv")
    plain = AgencyContext.load(d, "x", n_boot=20, lang="en")
    r = pd.read_csv(d / "ratings.csv", dtype=str, keep_default_na=False)
    ex = sorted(r["exercise"].unique())
    comp = sorted(r["competency"].unique())
    # "$50%$" and "$x_$" are invalid mathtext: drawn as mathtext, they stop the figure
    names = {"exercise": {ex[0]: "Diskusi $50%$", ex[1]: "$x^2$ role play"},
             "competency": {comp[0]: "Integritas $x_$", comp[1]: "Biaya $5"}}
    for col, mapping in names.items():
        r[col] = r[col].replace(mapping)
    r.to_csv(d / "ratings.csv", index=False)
    plt.close("all")
    ctx = AgencyContext.load(d, "x", n_boot=20, lang="en")
    for key in SECTION_KEYS:
        if key == "talent":  # renamed competencies are not in the JPM standards table: not estimable, rightly
            continue
        assert ctx.section(key).status == plain.section(key).status, (key, ctx.section(key).paragraphs[-1:])
        assert plt.get_fignums() == [], key
    drawn = [t for s in ctx._cache.values() for texts in s.figure_texts for t in texts]
    shown = [n for m in names.values() for n in m.values() if any(n in t for t in drawn)]
    assert shown, drawn  # the names reach the figures, as written
    assert not any("\\$" in t for t in drawn)
    # the text objects themselves are escaped: matplotlib draws "$" literally
    import matplotlib

    from psikometri.report.sections import localise_figure

    fig, ax = plt.subplots()
    ax.bar(["Diskusi $50%$", "b"], [1, 2])
    ax.set_title("Integritas $x_$")
    try:
        assert "Integritas $x_$" in localise_figure(fig, "en")
        assert all(not t.get_text() or t._preprocess_math(t.get_text())[1] is False
                   for t in fig.findobj(matplotlib.text.Text))
    finally:
        plt.close(fig)


def _figures():
    import matplotlib.pyplot as plt
    import numpy as np

    fig1, ax = plt.subplots(figsize=(6, 3))
    ax.bar(["in_basket", "diskusi_kelompok", "Diskusi $50%$"], [1.25, 2.5, 0.75], label="skor_rata")
    ax.set_title("Integritas 0.5 $x_$")
    ax.set_ylabel("mean_change")
    ax.legend()
    fig2, ax = plt.subplots(figsize=(5, 3))
    ax.plot(np.linspace(0, 1.5, 7), np.linspace(-0.25, 2.0, 7) ** 2, marker="o")
    ax.axhline(0.8, ls="--")
    ax.text(0.2, 1.5, "g_coefficient 0.80")
    fig3, ax = plt.subplots(figsize=(5, 5))
    im = ax.imshow(np.linspace(-1, 1, 36).reshape(6, 6), vmin=-1, vmax=1)
    ax.set_xticks(range(6), [f"kompetensi_{i} | alat_{i}" for i in range(6)], rotation=90)
    fig3.colorbar(im, ax=ax, label="korelasi")
    return [fig1, fig2, fig3]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_figures_saved_without_a_draw_of_their_own_equal_the_drawn_ones(lang):
    """A report figure is localised without drawing and drawn once by savefig: the same PNG, byte for byte, and
    the same texts as localising with a drawing first."""
    import io

    import matplotlib.pyplot as plt

    import matplotlib as mpl

    from psikometri.report.sections import FIGURE_PNG_LEVEL, FIGURE_RC, Section, localise_figure

    sec = Section("data", "t", lang=lang)
    for fig in _figures():
        sec.add_figure("c", fig)
    want_png, want_texts = [], []
    for fig in _figures():
        with mpl.rc_context(FIGURE_RC):
            want_texts.append(localise_figure(fig, lang))
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=110, bbox_inches="tight",
                        pil_kwargs={"compress_level": FIGURE_PNG_LEVEL})
        plt.close(fig)
        want_png.append(buf.getvalue())
    assert [b[2] for b in sec.blocks] == want_png
    assert sec.figure_texts == want_texts
    assert any("Diskusi $50%$" in t for t in want_texts[0]) and plt.get_fignums() == []
    if lang == "id":  # decimal commas, ids as words, in the texts read back after saving
        assert "Integritas 0,5 $x_$" in sec.figure_texts[0] and "koefisien G 0,80" in sec.figure_texts[1]
        assert "Kompetensi 0 | Alat 0" in sec.figure_texts[2] and "-0,25" in sec.figure_texts[2]


def _report_like_figures():
    """Figures of the kinds a report draws: a bar chart with long Indonesian labels (turned, reaching past the
    figure's bottom edge), a heat map with a colour bar and a scatter with reference lines and a legend."""
    import matplotlib.pyplot as plt
    import numpy as np

    rng = np.random.default_rng(5)
    bar, ax = plt.subplots(figsize=(6.5, 3.2))
    names = ["kerja_sama", "Orientasi pada Hasil", "Pengambilan Keputusan", "Perekat Bangsa",
             "Pengembangan Diri dan Orang Lain", "Mengelola Perubahan"]
    ax.bar(names, rng.uniform(1, 5, len(names)), color="#4c72b0")
    ax.tick_params(axis="x", rotation=60)
    ax.set_ylabel("rata_rata 0.5")
    ax.set_title("Sebaran nilai per kompetensi (skala 1-5)")
    heat, ax = plt.subplots(figsize=(5, 4.3))
    im = ax.imshow(rng.uniform(-1, 1, (8, 8)), cmap="RdBu_r", vmin=-1, vmax=1)
    labels = [f"kompetensi_{i} | wawancara_kompetensi" for i in range(8)]
    ax.set_xticks(range(8), labels, rotation=90, fontsize=7)
    ax.set_yticks(range(8), labels, fontsize=7)
    heat.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="korelasi")
    ax.set_title("MTMM: kompetensi x alat ukur")
    scatter, ax = plt.subplots(figsize=(5, 4.5))
    ax.scatter(rng.normal(3, 0.5, 120), rng.normal(3, 0.5, 120), s=12, alpha=0.6, label="asesi")
    ax.axhline(3.25, color="grey", ls="--", lw=0.8)
    ax.axvline(2.75, color="grey", ls="--", lw=0.8)
    ax.set_xlabel("potensi")
    ax.set_ylabel("kinerja")
    ax.legend(loc="lower right")
    return {"bar": bar, "heat": heat, "scatter": scatter}


def _one_figure(kind, lang="id"):
    import matplotlib.pyplot as plt

    from psikometri.report.sections import localise_figure

    figs = _report_like_figures()
    for k, f in figs.items():
        if k != kind:
            plt.close(f)
    localise_figure(figs[kind], lang, draw=False)
    return figs[kind]


def _count_draws(fig) -> list:
    """The renderers ``fig`` is drawn with from now on (one entry per drawing)."""
    calls, draw = [], fig.draw

    def counted(renderer):
        calls.append(renderer)
        return draw(renderer)

    fig.draw = counted
    return calls


def _savefig(fig, dpi=110, level=None) -> bytes:
    """savefig's tight PNG; ``level``: the zlib level passed to Pillow (None: savefig's own default)."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight",
                **({} if level is None else {"pil_kwargs": {"compress_level": level}}))
    return buf.getvalue()


@pytest.mark.parametrize("kind,dpi,level", [("bar", 110, 6), ("heat", 110, 6), ("scatter", 110, 6), ("bar", 100, 6),
                                            ("heat", 110, 1), ("scatter", 110, 1)])
def test_a_figure_png_is_savefigs_tight_png_from_one_drawing(kind, dpi, level):
    """figure_png draws a figure once and writes the PNG that savefig(bbox_inches="tight") writes after two
    drawings: the same size and pixels, and the same bytes (PNG metadata and dpi included); the figure is left
    as it was."""
    import io

    import matplotlib.pyplot as plt
    import numpy as np
    from PIL import Image

    from psikometri.report.sections import figure_png

    ref, fig = _one_figure(kind), _one_figure(kind)
    try:
        ref_draws = _count_draws(ref)
        want = _savefig(ref, dpi, None if level == 6 else level)  # 6: savefig's default, given or not
        assert len(ref_draws) == 2  # savefig: one drawing to find the box, one to paint it
        canvas, fig_dpi, size = fig.canvas, fig.dpi, tuple(fig.get_size_inches())
        draws = _count_draws(fig)
        got = figure_png(fig, dpi, level)
        assert len(draws) == 1
        a, b = (Image.open(io.BytesIO(png)) for png in (want, got))
        assert a.size == b.size and a.mode == b.mode == "RGBA"
        assert a.info.get("dpi") == b.info.get("dpi") and a.info.get("Software") == b.info.get("Software")
        diff = np.abs(np.asarray(a, dtype=int) - np.asarray(b, dtype=int))
        assert diff.max() == 0, (diff.max(), np.mean(diff.max(axis=2) > 0))
        assert got == want
        if kind != "scatter":  # turned labels reach past the figure's bottom edge: the PNG shows them whole
            assert ref.get_tightbbox().y0 < 0 and a.size[1] > fig.get_size_inches()[1] * dpi * 0.9
        assert fig.canvas is canvas and fig.dpi == fig_dpi and tuple(fig.get_size_inches()) == size
        assert figure_png(fig, dpi, level) == want  # nothing of the crop stays on the figure
        if level != 6:  # the level changes the bytes, never the pixels
            assert figure_png(fig, dpi, 6) == _savefig(ref, dpi) != want
    finally:
        plt.close(ref)
        plt.close(fig)


def test_a_report_figure_is_drawn_once():
    from psikometri.report.i18n import column_label
    from psikometri.report.sections import Section

    sec = Section("talent", "t", lang="id")
    figs = _report_like_figures()
    draws = {k: _count_draws(f) for k, f in figs.items()}
    for f in figs.values():
        sec.add_figure("c", f)
    assert {k: len(d) for k, d in draws.items()} == {k: 1 for k in figs}
    # the texts as that one drawing left them: tick labels made by the localising formatters
    assert sec.n_figures == 3 and column_label("kerja_sama", "id") in sec.figure_texts[0]
    assert "kerja_sama" not in sec.figure_texts[0] and "0,5" in " ".join(sec.figure_texts[0])


def _titled_while_drawn():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2.5))
    ax.plot([0, 1], [0, 1])
    ax.set_title("a")
    long = "Judul panjang yang dibuat saat gambar digambar, melewati tepi sumbu"
    fig.canvas.mpl_connect("draw_event", lambda event: ax.set_title(long))
    return fig


def _expanded_legend():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], label="garis_a")
    ax.plot([1, 0], label="garis_b")
    ax.legend(mode="expand", ncols=2, loc="upper left", bbox_to_anchor=(0, 1.02, 1.6, 0.2))
    return fig


def _constrained():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 3), layout="constrained")
    ax.set_ylabel("kinerja")
    return fig


@pytest.mark.parametrize("make,draws", [(_titled_while_drawn, 3), (_expanded_legend, 2), (_constrained, 2)])
def test_a_figure_laid_out_while_drawn_is_saved_as_savefig_saves_it(make, draws):
    """Where the box measured before the drawing is not savefig's (a draw event lengthens the title past the
    axes; a legend spread past its axes takes its width when drawn; a layout engine), the PNG is savefig's:
    after figure_png's own drawing, or at once."""
    import matplotlib.pyplot as plt

    from psikometri.report.sections import figure_png

    ref, fig = make(), make()
    try:
        want = _savefig(ref)
        drawn = _count_draws(fig)
        assert figure_png(fig) == want
        assert len(drawn) == draws
    finally:
        plt.close(ref)
        plt.close(fig)


def test_every_figure_of_a_report_is_drawn_once_and_equals_savefigs(tmp_path, monkeypatch):
    """Each figure a report adds is drawn once, and its PNG has the bytes savefig(bbox_inches="tight") gives the
    same figure (localised the same way, saved again when a text changed while drawing)."""
    import pickle

    import matplotlib as mpl
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    from psikometri.report import AgencyContext, sections

    sim = simulate_assessment({"x": (60, {"administrator": 0.5, "pengawas": 0.5})}, seed=12)
    sim.write(tmp_path / "d", ratings_format="csv")
    ctx = AgencyContext.load(tmp_path / "d", "x", n_boot=20)
    draws = []
    draw = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, renderer: draws.append(self) or draw(self, renderer))
    add, seen = sections.Section.add_figure, []

    def add_figure(self, caption, fig):
        blob, before = pickle.dumps(fig), len(draws)
        add(self, caption, fig)
        got = self.blocks[-1][2]
        seen.append(len(draws) - before)
        ref = pickle.loads(blob)
        try:
            sections.localise_figure(ref, self.lang, draw=False)
            with mpl.rc_context(sections.FIGURE_RC):
                want = _savefig(ref, level=sections.FIGURE_PNG_LEVEL)
                if sections._localise_texts(ref, self.lang):
                    want = _savefig(ref, level=sections.FIGURE_PNG_LEVEL)
        finally:
            plt.close(ref)
        assert got == want, (self.key, caption)

    monkeypatch.setattr(sections.Section, "add_figure", add_figure)
    for key in sections.SECTION_KEYS:
        ctx.section(key)
    assert len(seen) >= 6 and seen == [1] * len(seen), seen


def test_a_section_stores_a_short_text_repr_in_the_notebook():
    """The notebook keeps a section's text/plain output beside its HTML: a line, not its tables and PNG bytes."""
    from psikometri.report.sections import Section

    sec = Section("data", "Data", lang="en")
    sec.add_table("t", pd.DataFrame({"a": range(500)}))
    import matplotlib.pyplot as plt

    first, *others = _figures()
    for fig in others:
        plt.close(fig)
    sec.add_figure("c", first)
    assert repr(sec) == "Section(key='data', title='Data', status='ok', tables=1, figures=1)"


def test_a_failing_figure_leaves_no_pyplot_state(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    from psikometri.report import AgencyContext, sections

    sim = simulate_assessment({"x": 40}, seed=11)
    sim.write(tmp_path / "d", ratings_format="csv")
    ctx = AgencyContext.load(tmp_path / "d", "x", n_boot=20)
    plt.close("all")

    def broken(fig, lang, **kw):
        raise RuntimeError("cannot draw")

    monkeypatch.setattr(sections, "localise_figure", broken)
    failed = []
    for key in sections.SECTION_KEYS:
        try:
            ctx.section(key)
        except RuntimeError as exc:
            assert "cannot draw" in str(exc)
            failed.append(key)
        assert plt.get_fignums() == [], key
    assert len(failed) >= 3, failed


# --------------------------------------------------------------------------- 5. kill, partial files, scratch


def _descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        try:
            kids = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        for k in map(int, kids):
            if k not in found:
                found.add(k)
                todo.append(k)
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_sigkill_of_the_runner_leaves_no_worker_and_the_next_run_cleans_up(tmp_path, monkeypatch, capsys):
    data = _sim_data(tmp_path / "data", ["a1", "a2", "a3", "a4"])
    slow = _stub_notebook(tmp_path / "slow.ipynb", "import time\ntime.sleep(4)")
    out = tmp_path / "out"
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    script = ("import sys; from psikometri.report import run_batch; "
              f"sys.exit(run_batch({str(data)!r}, {str(out)!r}, workers=2, n_boot=20, seed=1, "
              f"notebook={str(slow)!r}))")
    proc = subprocess.Popen([sys.executable, "-c", script], env=_env(TMPDIR=str(tmp)), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while not list(out.glob("*/.staging-*/*.ipynb")) and time.time() < deadline:  # the notebooks run
            time.sleep(0.2)
        assert list(out.glob("*/.staging-*")), "the workers did not start"
        kids = _descendants(proc.pid)
        assert len(kids) >= 2
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        time.sleep(5)
        survivors = [k for k in kids if _alive(k)]
        assert not survivors, [Path(f"/proc/{k}/cmdline").read_text() for k in survivors]
    finally:
        if proc.poll() is None:
            proc.kill()
    # the kill left partial outputs and candidate-level scratch data
    assert list(out.glob("*/.staging-*"))
    stale_scratch = list(tmp.glob(f"psikometri-batch-{proc.pid}-*"))
    assert stale_scratch and list(stale_scratch[0].rglob("candidates.parquet"))
    # an older version's leftovers: a report next to a deleted results.json, a partial notebook
    p = report_paths(out, "a4", "id")
    p["dir"].mkdir(parents=True, exist_ok=True)
    p["html"].write_text("<html>old</html>")
    (p["dir"] / f".{p['ipynb'].name}.abc123.ipynb").write_text("{}")
    monkeypatch.setattr("tempfile.tempdir", str(tmp))
    quick = _stub_notebook(tmp_path / "quick.ipynb")
    assert run_batch(data, out, agencies=["a1"], n_boot=20, seed=1, notebook=quick) == 0
    capsys.readouterr()
    assert not list(out.glob("*/.staging-*")) and not list(out.glob("*/.report_*.ipynb.*"))
    assert not p["html"].exists()
    assert report_paths(out, "a1", "id")["stamp"].exists()  # stamps are not partial files
    assert run_batch(data, out, agencies=["a1"], n_boot=20, seed=1, notebook=quick) == 0
    assert "1 up to date" in capsys.readouterr().out
    assert not any(tmp.glob("psikometri-batch-*"))


def test_transient_kernel_death_under_force_keeps_the_previous_report(two_agencies, tmp_path, capsys):
    marker = tmp_path / "die"
    nb = _stub_notebook(tmp_path / "nb.ipynb", f"import os\nif os.path.exists({str(marker)!r}):\n    os._exit(1)")
    out = tmp_path / "out"
    assert run_batch(two_agencies, out, agencies=["kab_satu"], n_boot=20, seed=1, notebook=nb) == 0
    p = report_paths(out, "kab_satu", "id")
    before = {k: p[k].read_bytes() for k in ("html", "ipynb", "results")}
    marker.write_text("x")
    assert run_batch(two_agencies, out, agencies=["kab_satu"], n_boot=20, seed=1, notebook=nb, force=True) == 1
    assert "kab_satu" in capsys.readouterr().err
    assert {k: p[k].read_bytes() for k in ("html", "ipynb", "results")} == before
    assert "previous report" in p["log"].read_text()
    assert not list(out.glob("*/.staging-*"))
    # the notebook as far as it ran is kept for debugging (the kept kernel's notebook is written once at the end,
    # so a kernel death writes it on the way out)
    failed = nbf.read(p["failed"], as_version=4)
    assert "os._exit(1)" in failed.cells[-2].source and failed.cells[0].execution_count is not None
    # the data changed: the previous report no longer describes them and goes
    changed = tmp_path / "changed"
    shutil.copytree(two_agencies, changed)
    r = pd.read_csv(changed / "ratings.csv", dtype=str, keep_default_na=False)
    r.drop(index=r.index[r["agency"] == "kab_satu"][-1]).to_csv(changed / "ratings.csv", index=False)
    assert run_batch(changed, out, agencies=["kab_satu"], n_boot=20, seed=1, notebook=nb) == 1
    assert not p["html"].exists() and not p["results"].exists()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_and_errors_remove_the_candidate_scratch_data(two_agencies, tmp_path, monkeypatch, capsys):
    slow = _stub_notebook(tmp_path / "slow.ipynb", "import time\ntime.sleep(30)")
    out = tmp_path / "out"
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    script = ("import sys; from psikometri.report import run_batch; "
              f"sys.exit(run_batch({str(two_agencies)!r}, {str(out)!r}, n_boot=20, seed=1, notebook={str(slow)!r}))")
    proc = subprocess.Popen([sys.executable, "-c", script], env=_env(TMPDIR=str(tmp)), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not list(out.glob("*/.staging-*/*.ipynb")) and time.time() < deadline:
        time.sleep(0.2)
    assert list(tmp.glob("psikometri-batch-*"))
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(60) == 128 + signal.SIGTERM
    assert not list(tmp.glob("psikometri-batch-*"))
    # an exception while the batch runs (here: the index cannot be built) removes it as well
    monkeypatch.setattr("tempfile.tempdir", str(tmp))

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "write_agency_subset", boom)
    with pytest.raises(KeyboardInterrupt):
        run_batch(two_agencies, tmp_path / "out2", n_boot=20, seed=1, notebook=slow)
    assert not list(tmp.glob("psikometri-batch-*"))


# --------------------------------------------------------------------------- 6. lock


def test_a_second_batch_into_the_same_out_is_refused(two_agencies, stub, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c",
                               "import fcntl, sys, time; f = open(sys.argv[1], 'a+'); "
                               "fcntl.flock(f, fcntl.LOCK_EX); f.write('pid 4242, started today'); f.flush(); "
                               "print('locked', flush=True); time.sleep(60)", str(out / runner.LOCK_NAME)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        res = _cli("--data", two_agencies, "--out", out, "--n-boot", "20")
        assert res.returncode == 3 and "Traceback" not in res.stderr
        assert "is in use by another psikometri report run (pid 4242" in res.stderr
        assert "wait until it has finished" in res.stderr
        with pytest.raises(BatchError, match="in use by another") as exc:
            run_batch(two_agencies, out, n_boot=20, seed=1, notebook=stub)
        assert exc.value.code == 3
    finally:
        holder.kill()
        holder.wait()
    assert not (out / "index.html").exists()
    assert run_batch(two_agencies, out, agencies=["kab_satu"], n_boot=20, seed=1, notebook=stub) == 0


# --------------------------------------------------------------------------- 7. self-contained HTML


def test_the_html_exporter_kept_by_a_worker_gives_what_a_fresh_one_gives(tmp_path):
    """The exporter is made once per thread and reused: each export equals one by a newly made exporter."""
    import base64

    notebooks = []
    for i in range(2):
        nb = nbf.v4.new_notebook()
        cell = nbf.v4.new_code_cell("x")
        png = base64.b64encode(b"\x89PNG fake %d" % i).decode()
        cell.outputs = [nbf.v4.new_output("display_data", data={"text/html": f"<p>tabel {i} &amp; 0,5</p>"}),
                        nbf.v4.new_output("display_data", data={"image/png": png, "text/plain": "fig"})]
        nb.cells = [cell, nbf.v4.new_markdown_cell(f"# judul {i}")]
        path = tmp_path / f"nb{i}.ipynb"
        nbf.write(nb, path)
        notebooks.append(path)
    kept = [runner._html_from_notebook(p, f"Laporan {i}", "id") for i, p in enumerate(notebooks)]
    assert runner._html_exporter() is runner._html_exporter()
    for i, p in enumerate(notebooks):
        runner._EXPORTERS.html = None  # a fresh exporter for this export
        assert runner._html_from_notebook(p, f"Laporan {i}", "id") == kept[i]
        assert f"tabel {i}" in kept[i] and "<title>Laporan" in kept[i]
    assert kept[0] != kept[1]


def _stock_exporter():
    import jinja2
    from nbconvert import HTMLExporter

    return HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                        extra_loaders=[jinja2.DictLoader({"psikometri_report.html.j2":
                                                          runner._SELF_CONTAINED_TEMPLATE})],
                        template_file="psikometri_report.html.j2", embed_images=True)


def test_the_report_page_parses_to_the_page_nbconvert_prints(tmp_path):
    """Skipping nbconvert's BeautifulSoup pass loses nothing: the page, parsed, prints as nbconvert's own page
    (images without ``alt`` get nbconvert's text, output areas ``tabindex``; tags that have them keep theirs)."""
    import base64

    from bs4 import BeautifulSoup

    nb = nbf.v4.new_notebook()
    png = base64.b64encode(b"\x89PNG fake").decode()
    cells = []
    for i, html_out in enumerate([
            "<p>tabel &amp; 0,5 &lt;b&gt;</p><img src='data:image/png;base64,AAAA'>",
            "<img alt='ada' src='data:image/png;base64,AAAA'/><div class='x jp-OutputArea-output'>d</div>",
            "<div class=\"jp-OutputArea-output-not\" tabindex='1'>e</div><div tabindex=2 class='jp-OutputArea-output'>"
            "f</div><br><IMG SRC='data:image/png;base64,AAAA' >"]):
        cell = nbf.v4.new_code_cell(f"x{i}")
        cell.outputs = [nbf.v4.new_output("display_data", data={"text/html": html_out}),
                        nbf.v4.new_output("display_data", data={"image/png": png, "text/plain": "fig"}),
                        nbf.v4.new_output("stream", name="stdout", text="baris <1> & 2\n")]
        cells.append(cell)
    nb.cells = cells + [nbf.v4.new_markdown_cell("# judul\n\n![gambar](data:image/png;base64,AAAA)")]
    ours, _ = runner._html_exporter().from_notebook_node(nb, resources={"metadata": {"name": "t"}})
    stock, _ = _stock_exporter().from_notebook_node(nb, resources={"metadata": {"name": "t"}})
    assert str(BeautifulSoup(ours, features="html.parser")) == stock
    assert ours.count('tabindex="0"') == stock.count('tabindex="0"') >= 4
    assert "No description has been provided" in ours


def test_a_written_report_page_parses_to_the_page_nbconvert_prints(two_agencies, tmp_path):
    """The same on the notebook of a report as the batch writes it."""
    import nbformat
    from bs4 import BeautifulSoup

    assert run_batch(two_agencies, tmp_path / "o", agencies=["kab_satu"], formats=("ipynb",), n_boot=20, workers=1,
                     index=False) == 0
    (path,) = (tmp_path / "o").rglob("*.ipynb")
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("widgets", None)
    ours, _ = runner._html_exporter().from_notebook_node(nb, resources={"metadata": {"name": "t"}})
    stock, _ = _stock_exporter().from_notebook_node(nb, resources={"metadata": {"name": "t"}})
    assert str(BeautifulSoup(ours, features="html.parser")) == stock


def test_the_kept_kernel_keeps_no_output_history():
    """A worker's kernel writes hundreds of reports: their displayed sections must not pile up in ``Out``."""
    from nbclient.util import run_sync

    km = runner._kept_kernel("python3", 0)
    kc = km.client()
    kc.start_channels()
    try:
        run_sync(kc.wait_for_ready)(timeout=60)
        for code in ("object()", "x = [1]; x", "assert len(Out) == 0 and get_ipython().displayhook.cache_size == 0"):
            reply = run_sync(kc.execute_interactive)(code, timeout=60, output_hook=lambda msg: None)
            assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        kc.stop_channels()
        runner._shutdown_kept_kernel()


def test_the_kept_kernel_is_frozen_out_of_the_garbage_collector_after_its_first_report(two_agencies, stub,
                                                                                        tmp_path, monkeypatch):
    """After its first report the kept kernel's objects are frozen (gc.freeze), once; later reports are unchanged."""
    from nbclient.util import run_sync

    runner._shutdown_kept_kernel()

    def frozen_count(what="gc.get_freeze_count()"):
        kc = runner._KERNEL["km"].client()
        kc.start_channels()
        try:
            run_sync(kc.wait_for_ready)(timeout=60)
            got = []
            run_sync(kc.execute_interactive)(f"import gc; print({what})", timeout=60,
                                             output_hook=lambda m: got.append(m["content"].get("text", "")))
            return "".join(got).strip() if what != "gc.get_freeze_count()" else int("".join(got).strip())
        finally:
            kc.stop_channels()

    out = tmp_path / "out"
    # a Dask nanny's malloc setting is not handed to the kernel; the rest of the environment is
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    monkeypatch.setenv("PSIKOMETRI_TEST_MARKER", "x")
    assert run_batch(two_agencies, out, agencies=["kab_satu"], n_boot=20, seed=1, notebook=stub) == 0
    assert frozen_count("sorted(k for k in __import__('os').environ if k in ('MALLOC_TRIM_THRESHOLD_', "
                        "'PSIKOMETRI_TEST_MARKER'))") == "['PSIKOMETRI_TEST_MARKER']"
    first = frozen_count()
    assert first > 10_000 and runner._KERNEL["frozen"]
    assert frozen_count("gc.get_threshold()") == "(20000, 10, 10)"
    results = (out / "kab_satu" / "results.json").read_bytes()
    assert run_batch(two_agencies, out, agencies=["kab_satu"], n_boot=20, seed=1, notebook=stub, force=True) == 0
    assert frozen_count() <= first  # once per kernel (a second freeze would add the new objects)
    assert (out / "kab_satu" / "results.json").read_bytes() == results
    runner._shutdown_kept_kernel()


def test_the_library_digest_reads_a_file_again_only_when_it_changed(tmp_path):
    files = []
    for i in range(3):
        f = tmp_path / f"m{i}.py"
        f.write_text(f"x = {i}\n")
        files.append(f)
    first = runner._library_digest(files)
    assert runner._library_digest(files) == first
    runner._FILE_DIGESTS.clear()
    assert runner._library_digest(files) == first  # the same digest from the files read afresh
    st = files[1].stat()
    files[1].write_text("x = 9\n")  # same size: the modification time tells
    os.utime(files[1], ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    changed = runner._library_digest(files)
    assert changed != first
    runner._FILE_DIGESTS.clear()
    assert runner._library_digest(files) == changed


def test_reports_load_nothing_from_a_cdn(tmp_path):
    from psikometri.report.runner import external_resources

    data = _sim_data(tmp_path / "data", ["kab_kecil"])
    out = tmp_path / "out"
    assert run_batch(data, out, n_boot=20, seed=1, lang="en", formats=("html",)) == 0
    page = report_paths(out, "kab_kecil", "en")["html"].read_text()
    assert "<section" in page and "data:image/png;base64," in page
    assert external_resources(page) == []
    tags = re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", page, flags=re.I)
    assert not [t for t in tags if re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", t, flags=re.I)], tags
    assert not re.search(r"cdnjs|cdn\.jsdelivr|unpkg\.com|require\.min\.js|MathJax\.js", page, flags=re.I)
    assert not re.search(r"@import\s+url\(\s*[\"']?https?:", page)
    assert external_resources('<script src="https://x/y.js"></script><link href="//f/x.css">') != []


# --------------------------------------------------------------------------- plausibility ranges in the batch


def test_report_range_option_validates_and_reaches_the_notebook(two_agencies, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(two_agencies, data)
    c = pd.read_csv(data / "candidates.csv", dtype=str, keep_default_na=False)
    i = int(c.index[c["agency"] == "kota_dua"][0])
    c.loc[i, "performance"] = "130"  # above the SKP default range 0-120
    c.to_csv(data / "candidates.csv", index=False)
    nb = tmp_path / "ranges.ipynb"
    params = 'agency = "x"\ndata_path = "."\noutput_dir = "."\nlang = "id"\nn_boot = 20\nseed = 1\nranges = None\n'
    write = ("import json, os\n"
             "from psikometri.io import load_assessment\n"
             "d = load_assessment(data_path, warn=False, ranges=ranges)\n"
             "with open(os.path.join(output_dir, 'results.json'), 'w') as fh:\n"
             "    json.dump({'agency': agency, 'n_candidates': len(d.candidates), 'max_performance': "
             "float(d.candidates['performance'].max()), 'indicators': [], 'sections': {}}, fh)\n")
    book = nbf.v4.new_notebook()
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    book.cells = [nbf.v4.new_code_cell(params, metadata={"tags": ["parameters"]}), nbf.v4.new_code_cell(write)]
    nbf.write(book, nb)
    # default ranges: the agency with the value is reported as invalid, naming the column and the option
    out = tmp_path / "out"
    assert run_batch(data, out, n_boot=20, seed=1, notebook=nb) == 1
    assert "performance" in report_paths(out, "kota_dua", "id")["log"].read_text()
    # a wider range: both agencies run, and the notebook reads its subset with the same range
    out = tmp_path / "out_wide"
    assert run_batch(data, out, n_boot=20, seed=1, notebook=nb, ranges={"performance": (0, 150)}) == 0
    res = json.loads(report_paths(out, "kota_dua", "id")["results"].read_text())
    assert res["max_performance"] == 130.0
    # a malformed range on the command line is one line naming the option
    proc = _cli("--data", data, "--out", tmp_path / "o3", "--range", "performance=zero:150")
    assert proc.returncode == 2 and "--range" in proc.stderr and "Traceback" not in proc.stderr
    proc = _cli("--data", data, "--out", tmp_path / "o4", "--range", "nonsense=0:1")
    assert proc.returncode == 2 and "--range" in proc.stderr and "Traceback" not in proc.stderr
