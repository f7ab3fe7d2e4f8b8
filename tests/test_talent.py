"""Tests for psikometri.talent: standards, Job Person Match, nine-box grid and placement consistency.

Reference values:
* tests/fixtures/talent/jpm_hand_worked.csv and nine_box_hand_worked.csv: tables worked by hand at every
  category boundary (78, 90, 68, 80 for JPM; the nine-box cuts), box numbering of PermenPANRB 3/2020;
* tests/fixtures/talent/consistency_reference.csv and posterior_reference.csv: written by
  tests/fixtures/talent/make_reference.R with mvtnorm::pmvnorm (bivariate / 4-variate normal rectangle
  probabilities) -- the closed form of decision consistency and accuracy under the normal true-score model;
* scipy.stats.multivariate_normal CDFs as a second, independent closed form;
* tests/naive_talent.py: an explicit numpy simulation (errors drawn, no Rao-Blackwellisation);
* tests/fixtures/talent/scores_reference_*.csv: overall ratings and achieved levels of ratings_small.csv, written
  by tests/fixtures/talent/make_scores_reference.R (aggregate, tapply, weighted.mean, floor(x + 0.5), round).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.stats import multivariate_normal, norm

from psikometri import talent
from psikometri.talent import (
    COMPETENCIES,
    POSITION_LEVELS,
    competency_standard,
    gaps,
    job_person_match,
    jpm_category,
    load_competency_standards,
    nine_box,
    nine_box_actions,
    placement_consistency,
    plot_competency_gaps,
    plot_jpm_distribution,
    plot_nine_box,
)

from ._nojit import run_without_jit
from .naive_talent import BOX as NAIVE_BOX
from .naive_talent import jpm_naive, placement_numpy, posterior

FIX = Path(__file__).parent / "fixtures" / "talent"
ROOT_DATA = Path(__file__).resolve().parents[1] / "data_samples"
CUTS_P = (78.0, 90.0)
CUTS_F = (70.0, 85.0)
MU = np.array([82.0, 78.0])
SDS = np.array([8.0, 9.0])


# ---------------------------------------------------------------------------------------------------------------
# standards
# ---------------------------------------------------------------------------------------------------------------

# Required level by post, domain brief "as commonly applied" (PermenPANRB 38/2017).
EXPECTED_LEVEL = {
    "jpt_utama": 5, "jpt_madya": 5, "jpt_pratama": 4, "administrator": 3, "pengawas": 2, "pelaksana": 1,
    "ahli_utama": 4, "ahli_madya": 3, "ahli_muda": 2, "ahli_pertama": 1,
}


def test_default_standards_table_matches_domain_levels():
    tab = load_competency_standards()
    assert list(tab.columns) == list(COMPETENCIES)
    assert list(tab.index) == list(POSITION_LEVELS)
    for pos, lev in EXPECTED_LEVEL.items():
        assert (tab.loc[pos] == lev).all(), pos
    assert len(COMPETENCIES) == 9 and COMPETENCIES[-1] == "perekat_bangsa"


def test_standards_csv_is_package_data():
    from importlib import resources

    ref = resources.files("psikometri").joinpath("data/competency_standards.csv")
    assert ref.is_file()
    assert "PermenPANRB 38/2017" in ref.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "spelling, pid",
    [("JPT Pratama", "jpt_pratama"), ("jpt pratama", "jpt_pratama"), ("Ahli Muda", "ahli_muda"),
     ("AHLI-MUDA", "ahli_muda"), ("  Administrator ", "administrator"), ("Eselon III", "administrator"),
     ("jpt_utama", "jpt_utama"), ("Ahli Pertama", "ahli_pertama")],
)
def test_competency_standard_accepts_human_spellings(spelling, pid):
    s = competency_standard(spelling)
    assert s.name == pid
    assert list(s.index) == list(COMPETENCIES)
    assert (s == EXPECTED_LEVEL[pid]).all()


def test_unknown_position_level_is_a_clear_error():
    with pytest.raises(ValueError, match=r"unknown position level.*'Kepala Dinas'.*jpt_pratama"):
        competency_standard("Kepala Dinas")
    with pytest.raises(TypeError, match="position_level must be a string"):
        competency_standard(3)


def test_agency_csv_overrides_the_default(tmp_path):
    p = tmp_path / "std.csv"
    p.write_text(
        "# agency table\nposition_level,label,Integritas,Kerjasama,Orientasi pada Hasil\n"
        "JPT Pratama,JPT Pratama,5,4,4\nKepala Sekolah,Kepala Sekolah,3,3,2\n",
        encoding="utf-8",
    )
    tab = load_competency_standards(p)
    assert list(tab.columns) == ["integritas", "kerjasama", "orientasi_pada_hasil"]
    s = competency_standard("kepala sekolah", standards=p)
    assert s.to_dict() == {"integritas": 3, "kerjasama": 3, "orientasi_pada_hasil": 2}
    assert competency_standard("JPT Pratama", standards=tab).to_dict() == {
        "integritas": 5, "kerjasama": 4, "orientasi_pada_hasil": 4}
    with pytest.raises(ValueError, match="unknown position level"):
        competency_standard("pengawas", standards=tab)


def test_agency_yaml_and_dict(tmp_path):
    pytest.importorskip("yaml")
    p = tmp_path / "std.yaml"
    p.write_text("Pengawas:\n  integritas: 3\n  komunikasi: 2\nKepala Seksi:\n  Integritas: 2\n  Komunikasi: 2\n",
                 encoding="utf-8")
    tab = load_competency_standards(p)
    assert tab.to_dict("index") == {"pengawas": {"integritas": 3, "komunikasi": 2},
                                    "kepala_seksi": {"integritas": 2, "komunikasi": 2}}
    p.write_text("Ahli Madya: 4\n", encoding="utf-8")
    tab = load_competency_standards(p)
    assert list(tab.columns) == list(COMPETENCIES) and (tab.loc["ahli_madya"] == 4).all()
    d = load_competency_standards({"Pengawas": {"Integritas": 3, "Komunikasi": 2}})
    assert d.loc["pengawas"].to_dict() == {"integritas": 3, "komunikasi": 2}


def test_yaml_partial_table_reports_missing_level(tmp_path):
    pytest.importorskip("yaml")
    p = tmp_path / "std.yml"
    # pengawas names two competencies, ahli_madya all nine: the table has holes -> a clear error
    p.write_text("Pengawas:\n  integritas: 3\n  komunikasi: 2\nAhli Madya: 4\n", encoding="utf-8")
    with pytest.raises(ValueError, match="row 'Pengawas'.*column 'kerjasama'"):
        load_competency_standards(p)


@pytest.mark.parametrize("bad", [6, 0, 2.5])
def test_standards_levels_out_of_range_are_rejected(bad):
    with pytest.raises(ValueError, match=r"integer levels 1-5.*row 'x', column 'integritas'"):
        load_competency_standards({"x": {"integritas": bad, "kerjasama": 3}})


def test_standards_other_errors(tmp_path):
    with pytest.raises(ValueError, match="twice"):
        load_competency_standards(pd.DataFrame({"Integritas": [3], "integritas": [3]}, index=["a"]))
    with pytest.raises(ValueError, match="does not exist"):
        load_competency_standards(tmp_path / "nope.csv")
    (tmp_path / "t.txt").write_text("x")
    with pytest.raises(ValueError, match="suffix"):
        load_competency_standards(tmp_path / "t.txt")
    with pytest.raises(TypeError, match="source must be"):
        load_competency_standards(42)


# ---------------------------------------------------------------------------------------------------------------
# JPM and categories
# ---------------------------------------------------------------------------------------------------------------


def _hand_jpm():
    df = pd.read_csv(FIX / "jpm_hand_worked.csv", comment="#").set_index("candidate")
    comps = ["integritas", "kerjasama", "komunikasi", "orientasi_pada_hasil", "pelayanan_publik"]
    return df, comps, {c: 5 for c in comps}


def test_jpm_hand_worked_table_at_every_boundary():
    df, comps, req = _hand_jpm()
    ach = df[comps]
    jpm = job_person_match(ach, req)
    # exact equality at the boundaries: 100 * 19.5 / 25 is exactly 78.0 (hand-worked column 'jpm')
    np.testing.assert_allclose(jpm.to_numpy(), df["jpm"].to_numpy(), rtol=0, atol=1e-12)
    for b in ("a1", "a3", "a5", "a7"):
        assert jpm[b] == df.loc[b, "jpm"]
    assert jpm_category(jpm).astype(str).tolist() == df["mapping"].tolist()
    assert jpm_category(jpm, scheme="selection").astype(str).tolist() == df["selection"].tolist()
    assert jpm.name == "jpm" and list(jpm.index) == list(df.index)


def test_jpm_against_naive_loops_random_levels():
    rng = np.random.default_rng(11)
    ach = pd.DataFrame(rng.integers(1, 6, size=(200, 9)), columns=COMPETENCIES)
    for pos in ("jpt_pratama", "pengawas", "ahli_madya"):
        req = competency_standard(pos)
        for cap in (True, False):
            got = job_person_match(ach, pos, cap=cap)
            exp = jpm_naive(ach.to_numpy().tolist(), [req.tolist()] * len(ach), cap=cap)
            np.testing.assert_allclose(got.to_numpy(), exp, rtol=1e-14)


def test_jpm_cap():
    # hand: required (3, 3, 2) sum 8; achieved (5, 2, 2): capped 3+2+2 = 7 -> 87.5 %; raw 9 -> 112.5 %
    ach = pd.DataFrame({"integritas": [5], "kerjasama": [2], "komunikasi": [2]})
    req = {"integritas": 3, "kerjasama": 3, "komunikasi": 2}
    assert job_person_match(ach, req).iloc[0] == 87.5
    assert job_person_match(ach, req, cap=False).iloc[0] == 112.5


def test_jpm_required_forms_agree():
    rng = np.random.default_rng(3)
    ach = pd.DataFrame(rng.integers(1, 6, size=(6, 9)), columns=COMPETENCIES, index=list("abcdef"))
    pos = pd.Series(["JPT Pratama", "pengawas", "Ahli Muda", "ahli_muda", "administrator", "Pelaksana"],
                    index=ach.index)
    by_pos = job_person_match(ach, pos)
    for cand, p in pos.items():
        assert by_pos[cand] == job_person_match(ach.loc[[cand]], p).iloc[0]
    table = load_competency_standards()
    req_df = table.loc[[talent._position_id(p, table.index) for p in pos]].set_axis(ach.index)
    pd.testing.assert_series_equal(job_person_match(ach, req_df), by_pos)
    # the hand value for candidate 'b' (pengawas, all 2 -> cap at 2): 100 * sum(min(a, 2)) / 18
    assert by_pos["b"] == 100.0 * np.minimum(ach.loc["b"].to_numpy(), 2).sum() / 18


def test_jpm_column_names_are_normalised_and_input_untouched():
    ach = pd.DataFrame({"Integritas": [4.0], "Orientasi pada Hasil": [3.0], "catatan": ["x"]})
    before = ach.copy()
    got = job_person_match(ach, {"integritas": 4, "orientasi_pada_hasil": 4})
    assert got.iloc[0] == 100.0 * 7 / 8
    pd.testing.assert_frame_equal(ach, before)


@pytest.mark.parametrize("bad", [0, 6, 5.5, -1])
def test_jpm_levels_out_of_range(bad):
    ach = pd.DataFrame({"integritas": [3, bad], "kerjasama": [3, 3]}, index=["p", "q"])
    with pytest.raises(ValueError, match=r"levels between 1 and 5.*row 'q', column 'integritas'"):
        job_person_match(ach, {"integritas": 3, "kerjasama": 3})


def test_jpm_missing_level_gives_nan_with_warning():
    ach = pd.DataFrame({"integritas": [3, np.nan], "kerjasama": [3, 3]}, index=["p", "q"])
    with pytest.warns(UserWarning, match=r"1 candidate\(s\).*row 'q', column 'integritas'.*NaN"):
        jpm = job_person_match(ach, {"integritas": 3, "kerjasama": 3})
    assert jpm["p"] == 100.0 and np.isnan(jpm["q"])
    g = gaps(ach, {"integritas": 3, "kerjasama": 3})
    assert np.isnan(g.loc["q", "integritas"]) and g.loc["q", "kerjasama"] == 0.0
    req = pd.DataFrame({"integritas": [3, np.nan], "kerjasama": [3, 3]}, index=["p", "q"])
    with pytest.raises(ValueError, match=r"required has a missing level at row 'q', column 'integritas'"):
        job_person_match(ach.fillna(3), req)


def test_jpm_other_errors():
    ach = pd.DataFrame({"integritas": [3]})
    with pytest.raises(ValueError, match=r"no column for the required competencies \['kerjasama'\]"):
        job_person_match(ach, {"integritas": 3, "kerjasama": 3})
    with pytest.raises(ValueError, match=r"required must hold levels between 1 and 5"):
        job_person_match(ach, {"integritas": 7})
    with pytest.raises(ValueError, match="unknown position level"):
        job_person_match(pd.DataFrame([[3] * 9], columns=COMPETENCIES), "eselon 9")
    with pytest.raises(TypeError, match="bare ndarray"):
        job_person_match(np.ones((2, 9)), "pengawas")
    with pytest.raises(TypeError, match="not numeric"):
        job_person_match(pd.DataFrame({"integritas": ["tinggi"]}), {"integritas": 3})


def test_gaps_hand_example():
    ach = pd.DataFrame({"integritas": [4, 2, 3], "kerjasama": [3, 1, 5]}, index=["a", "b", "c"])
    g = gaps(ach, {"integritas": 3, "kerjasama": 3})
    assert g.to_dict("list") == {"integritas": [1.0, -1.0, 0.0], "kerjasama": [0.0, -2.0, 2.0]}
    assert g.mean().to_dict() == {"integritas": 0.0, "kerjasama": 0.0}


def test_jpm_category_custom_cuts_labels_and_errors():
    cat = jpm_category(pd.Series([59.9, 60, 75, np.nan], index=list("wxyz")), cuts=(60, 75),
                       labels=("rendah", "sedang", "tinggi"))
    assert cat.iloc[:3].astype(str).tolist() == ["rendah", "sedang", "tinggi"]
    assert pd.isna(cat.iloc[3]) and list(cat.index) == list("wxyz")
    assert cat.cat.ordered
    # floating-point noise at a cut still goes up
    assert jpm_category([100 * 0.9, 89.99999999999999])[1] == "Optimal"
    assert jpm_category([89.9999])[0] == "Cukup Optimal"
    with pytest.raises(ValueError, match=r"cuts must be strictly increasing.*\(90\.0, 78\.0\)"):
        jpm_category([80], cuts=(90, 78))
    with pytest.raises(ValueError, match="strictly increasing"):
        jpm_category([80], cuts=(78, 78))
    with pytest.raises(ValueError, match="one more entry than cuts"):
        jpm_category([80], cuts=(78, 90), labels=("a", "b"))
    with pytest.raises(ValueError, match="scheme must be one of"):
        jpm_category([80], scheme="promosi")
    with pytest.raises(ValueError, match="between 0 and 100"):
        jpm_category([-1.0])


# ---------------------------------------------------------------------------------------------------------------
# nine-box
# ---------------------------------------------------------------------------------------------------------------


def test_nine_box_hand_worked_boundaries():
    df = pd.read_csv(FIX / "nine_box_hand_worked.csv", comment="#")
    nb = nine_box(df["potential"], df["performance"], potential_cuts=CUTS_P, performance_cuts=CUTS_F)
    assert list(nb.columns) == ["potential_level", "performance_level", "box"]
    for col in nb.columns:
        assert nb[col].tolist() == df[col].tolist(), col
    # the same placements from the levels themselves
    again = nine_box(df["potential_level"], df["performance_level"])
    assert again["box"].tolist() == df["box"].tolist()


def test_nine_box_labels_id_and_en():
    pot = ["rendah", "Menengah", "TINGGI", "low", "medium", "high", "sedang", "2", 3]
    perf = ["di bawah ekspektasi", "Sesuai Ekspektasi", "di atas ekspektasi", "above", "below", "meets",
            "diatas ekspektasi", "di_bawah_ekspektasi", 1.0]
    # hand: (1,1)=1 (2,2)=5 (3,3)=9 (1,3)=4 (2,1)=3 (3,2)=8 (2,3)=7 (2,1)=3 (3,1)=6
    assert nine_box(pot, perf)["box"].tolist() == [1, 5, 9, 4, 3, 8, 7, 3, 6]


def test_nine_box_missing_and_index():
    p = pd.Series([95.0, np.nan], index=["x", "y"])
    f = pd.Series([90.0, 80.0], index=["x", "y"])
    nb = nine_box(p, f, potential_cuts=CUTS_P, performance_cuts=CUTS_F)
    assert list(nb.index) == ["x", "y"]
    assert nb.loc["x", "box"] == 9 and pd.isna(nb.loc["y", "box"]) and nb.loc["y", "performance_level"] == 2


@pytest.mark.parametrize("bad", [0, 4, 2.5, "luar biasa"])
def test_nine_box_levels_out_of_range(bad):
    with pytest.raises(ValueError, match="potential element 1"):
        nine_box([1, bad], [1, 2])


def test_nine_box_errors():
    with pytest.raises(ValueError, match=r"potential_cuts must be strictly increasing"):
        nine_box([80], [80], potential_cuts=(90, 78), performance_cuts=CUTS_F)
    with pytest.raises(ValueError, match=r"performance_cuts must be 2 finite numbers"):
        nine_box([80], [80], potential_cuts=CUTS_P, performance_cuts=(70,))
    with pytest.raises(ValueError, match="same length"):
        nine_box([1, 2], [1])
    with pytest.raises(ValueError, match=r"1 id\(s\) in potential but not in performance: 'a'; 1 id\(s\) in "
                                         r"performance but not in potential: 'b'"):
        nine_box(pd.Series([1], index=["a"]), pd.Series([1], index=["b"]))
    with pytest.raises(TypeError):
        nine_box([True], [1])


def test_nine_box_actions_tables():
    for lang in ("id", "en"):
        tab = nine_box_actions(lang)
        assert list(tab.index) == list(range(1, 10))
        # levels of each box reproduce the numbering
        for b, row in tab.iterrows():
            assert NAIVE_BOX[row.potential_level - 1, row.performance_level - 1] == b
        assert tab["action"].str.len().min() > 10
    assert "Dipromosikan" in nine_box_actions("id").loc[9, "action"]
    assert "succession" in nine_box_actions("en").loc[9, "action"]
    assert "peraturan" in nine_box_actions("id").loc[1, "action"]
    assert nine_box_actions("en").loc[4, "action"] == "Rotation; competency development."
    with pytest.raises(ValueError, match="lang must be one of"):
        nine_box_actions("fr")


# ---------------------------------------------------------------------------------------------------------------
# placement consistency
# ---------------------------------------------------------------------------------------------------------------


def exact_sample(mu, cov, specials=None, side=80):
    """A near-normal cohort (grid of normal quantiles) plus fixed ``specials`` whose sample mean and covariance
    (ddof=1) are exactly ``mu`` and ``cov``."""
    q = norm.ppf((np.arange(side) + 0.5) / side)
    g = np.array(np.meshgrid(q, q)).reshape(2, -1).T
    s = np.zeros((0, 2)) if specials is None else np.atleast_2d(np.asarray(specials, dtype=float))
    m, k = g.shape[0], s.shape[0]
    n = m + k
    mean_g = (n * mu - s.sum(axis=0)) / m
    d = mean_g - mu
    scatter = (n - 1) * cov - (s - mu).T @ (s - mu) - m * np.outer(d, d)
    w = g - g.mean(axis=0)
    body = mean_g + w @ np.linalg.inv(np.linalg.cholesky(w.T @ w)).T @ np.linalg.cholesky(scatter).T
    return np.vstack([body, s])


def _cov(r):
    return np.diag(SDS) @ np.array([[1.0, r], [r, 1.0]]) @ np.diag(SDS)


def _run(x, rho_p, rho_f, n_sim=500, seed=5, **kw):
    return placement_consistency(x[:, 0], x[:, 1], potential_reliability=rho_p, performance_reliability=rho_f,
                                 potential_cuts=CUTS_P, performance_cuts=CUTS_F, n_sim=n_sim, seed=seed, **kw)


def test_exact_sample_helper():
    x = exact_sample(MU, _cov(0.35), specials=[[78, 70]])
    np.testing.assert_allclose(x.mean(axis=0), MU, atol=1e-10)
    np.testing.assert_allclose(np.cov(x.T), _cov(0.35), atol=1e-9)


REF = pd.read_csv(FIX / "consistency_reference.csv")


@pytest.mark.parametrize("scenario", REF["scenario"].unique().tolist())
def test_grid_consistency_matches_mvtnorm_closed_form(scenario):
    ref = REF[REF["scenario"] == scenario].set_index("level")
    r, rho_p, rho_f = ref[["r", "rho_p", "rho_f"]].iloc[0]
    x = exact_sample(MU, _cov(r))
    cons = _run(x, rho_p, rho_f).attrs["consistency"]
    cols = ["agreement", "chance_agreement", "kappa", "accuracy"]
    # mvtnorm::pmvnorm values (make_reference.R); the remaining gap is the 80x80 quantile grid's discreteness
    np.testing.assert_allclose(cons.loc[ref.index, cols].to_numpy(), ref[cols].to_numpy(), rtol=0, atol=4e-3)


def test_grid_consistency_matches_scipy_bivariate_normal():
    # independent closed form with scipy: per axis, P(two parallel measurements with correlation rho fall in
    # the same category); with uncorrelated axes the grid agreement is the product.
    rho_p, rho_f = 0.75, 0.6
    x = exact_sample(MU, _cov(0.0))
    cons = _run(x, rho_p, rho_f).attrs["consistency"]
    agree = {}
    for name, m, sd, rho, cuts in (("potential", MU[0], SDS[0], rho_p, CUTS_P),
                                   ("performance", MU[1], SDS[1], rho_f, CUTS_F)):
        mvn = multivariate_normal(mean=[m, m], cov=sd**2 * np.array([[1, rho], [rho, 1]]))
        e = [m - 60 * sd, *cuts, m + 60 * sd]
        agree[name] = sum(mvn.cdf([e[a + 1]] * 2, lower_limit=[e[a]] * 2) for a in range(3))
        assert abs(cons.loc[name, "agreement"] - agree[name]) < 4e-3
        marg = np.diff(norm.cdf(e, m, sd))
        kappa = (agree[name] - np.sum(marg**2)) / (1 - np.sum(marg**2))
        assert abs(cons.loc[name, "kappa"] - kappa) < 6e-3
    assert abs(cons.loc["nine_box", "agreement"] - agree["potential"] * agree["performance"]) < 4e-3


def test_per_candidate_probabilities_match_closed_forms():
    post = pd.read_csv(FIX / "posterior_reference.csv").set_index("candidate")
    specials = post[["potential", "performance"]].to_numpy()
    x = exact_sample(MU, _cov(0.35), specials=specials, side=30)
    n_sim = 40000
    sp = x[-len(post):]
    res = placement_consistency(sp[:, 0], sp[:, 1], potential_reliability=0.8, performance_reliability=0.7,
                                potential_cuts=CUTS_P, performance_cuts=CUTS_F, n_sim=10, seed=1)
    assert res["box"].tolist() == post["box"].tolist()
    full = _run(x, 0.8, 0.7, n_sim=n_sim, seed=9).iloc[-len(post):]
    pcols = [f"p_box_{k}" for k in range(1, 10)]
    got = full[pcols].to_numpy()
    ref = post[pcols].to_numpy()
    se = np.sqrt(ref * (1 - ref) / n_sim)
    assert np.all(np.abs(got - ref) <= 4.5 * se + 1e-9), np.abs(got - ref).max()
    # p_retest is Rao-Blackwellised: much smaller Monte-Carlo error than a 0/1 indicator
    assert np.all(np.abs(full["p_retest"].to_numpy() - post["p_retest"].to_numpy()) < 0.006)
    np.testing.assert_allclose(full["p_correct"].to_numpy(), got[np.arange(len(post)), post["box"] - 1])
    # scipy closed form for the same candidates, from the posterior of the naive module
    mean, cov, esd = posterior(x, [0.8, 0.7])
    e_p = [-1e4, *CUTS_P, 1e4]
    e_f = [-1e4, *CUTS_F, 1e4]
    for i, cand in enumerate(post.index):
        m = mean[len(x) - len(post) + i]
        for a in range(3):
            for b in range(3):
                k = NAIVE_BOX[a, b]
                p = multivariate_normal(m, cov).cdf([e_p[a + 1], e_f[b + 1]], lower_limit=[e_p[a], e_f[b]])
                assert abs(p - post.loc[cand, f"p_box_{k}"]) < 2e-5


def test_against_naive_numpy_simulation():
    rng = np.random.default_rng(21)
    z = rng.multivariate_normal([0, 0], [[1, 0.3], [0.3, 1]], size=40)
    pot, perf = 84 + 7 * z[:, 0], 76 + 10 * z[:, 1]
    n_sim = 6000
    ours = placement_consistency(pot, perf, potential_reliability=0.85, performance_reliability=0.65,
                                 potential_cuts=CUTS_P, performance_cuts=CUTS_F, n_sim=n_sim, seed=4)
    ref = placement_numpy(pot, perf, [0.85, 0.65], CUTS_P, CUTS_F, n_sim=n_sim, seed=4)
    assert ours["box"].tolist() == ref["box"].tolist()
    got = ours[[f"p_box_{k}" for k in range(1, 10)]].to_numpy()
    se = np.sqrt(2 * np.maximum(ref["p_box"] * (1 - ref["p_box"]), 0.25 / n_sim) / n_sim)
    assert np.all(np.abs(got - ref["p_box"]) < 5 * se)
    assert np.abs(ours["p_retest"].to_numpy() - ref["p_retest"]).max() < 5 * np.sqrt(0.5 / n_sim)
    cons = ours.attrs["consistency"]
    for name, vals in ref["grid"].items():
        for stat in ("agreement", "chance_agreement", "kappa", "accuracy"):
            assert abs(cons.loc[name, stat] - vals[stat]) < 0.01, (name, stat)


def test_consistency_rises_to_one_with_reliability():
    x = exact_sample(MU, _cov(0.3), side=25)
    prev = None
    for rho in (0.4, 0.7, 0.9, 0.99, 1.0):
        res = _run(x, rho, rho, n_sim=400, seed=2)
        cons = res.attrs["consistency"]
        now = (cons.loc["nine_box", "agreement"], cons.loc["nine_box", "kappa"], res["p_correct"].mean())
        if prev is not None:
            assert all(a > b for a, b in zip(now, prev)), (rho, now, prev)
        prev = now
    assert cons.loc[:, ["agreement", "kappa", "accuracy"]].to_numpy() == pytest.approx(1.0, abs=1e-12)
    assert (res["p_correct"] == 1.0).all() and (res["p_retest"] == 1.0).all()


def test_uncorrelated_model_is_univariate_kelley():
    x = exact_sample(MU, _cov(0.4), side=20)
    res = _run(x, 0.8, 0.7, n_sim=50, correlated=False)
    model = res.attrs["model"]
    post_cov = np.array(model["cov_posterior"])
    np.testing.assert_allclose(np.diag(post_cov), [0.8 * 0.2 * 64, 0.7 * 0.3 * 81], rtol=1e-12)
    assert post_cov[0, 1] == 0.0
    # correlated model: posterior variances are smaller (the other measure carries information)
    corr = np.array(_run(x, 0.8, 0.7, n_sim=50).attrs["model"]["cov_posterior"])
    assert np.all(np.diag(corr) < np.diag(post_cov))


def test_reproducible_by_seed_and_thread_count():
    import numba

    rng = np.random.default_rng(8)
    pot, perf = rng.normal(82, 8, 60), rng.normal(78, 9, 60)
    kw = dict(potential_reliability=0.8, performance_reliability=0.7, potential_cuts=CUTS_P,
              performance_cuts=CUTS_F, n_sim=300)
    a = placement_consistency(pot, perf, seed=123, **kw)
    b = placement_consistency(pot, perf, seed=123, **kw)
    pd.testing.assert_frame_equal(a, b)
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        c = placement_consistency(pot, perf, seed=123, **kw)
    finally:
        numba.set_num_threads(old)
    pd.testing.assert_frame_equal(a, c)
    d = placement_consistency(pot, perf, seed=124, **kw)
    assert not np.allclose(a["p_retest"], d["p_retest"])


def test_normal_cdf_table_is_accurate():
    from scipy.special import ndtr

    from psikometri._talent_kernels import _phi, phi_table

    tab_v, tab_d = phi_table()
    z = np.concatenate([np.linspace(-9.0, 9.0, 40001), np.random.default_rng(0).normal(0, 3, 5000),
                        [-8.5, -8.5 + 1 / 64, 0.0, 8.5]])
    got = np.array([_phi(v, tab_v, tab_d) for v in z])
    assert np.abs(got - ndtr(z)).max() < 3e-10


def test_kernel_without_jit_matches_jitted():
    rng = np.random.default_rng(5)
    pot, perf = rng.normal(82, 8, 7).round(2), rng.normal(78, 9, 7).round(2)
    res = placement_consistency(pot, perf, potential_reliability=0.8, performance_reliability=0.6,
                                potential_cuts=CUTS_P, performance_cuts=CUTS_F, n_sim=60, seed=17)
    snippet = f"""
        import json
        from psikometri.talent import placement_consistency
        res = placement_consistency({pot.tolist()}, {perf.tolist()}, potential_reliability=0.8,
                                    performance_reliability=0.6, potential_cuts=(78, 90),
                                    performance_cuts=(70, 85), n_sim=60, seed=17)
        print(json.dumps({{"table": res.to_numpy(dtype=float).tolist(),
                           "cons": res.attrs["consistency"].to_numpy().tolist()}}))
    """
    out = run_without_jit(snippet)
    np.testing.assert_allclose(np.array(out["table"]), res.to_numpy(dtype=float), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(np.array(out["cons"]), res.attrs["consistency"].to_numpy(), rtol=1e-12)


def test_bootstrap_kernel_without_jit_matches_jitted():
    p, f = _boot_case("small")
    p, f = p[:12].round(2), f[:12].round(2)
    cp, cf = np.array(CUTS_P), np.array(CUTS_F)
    assigned = np.column_stack([talent._cut_levels(p, cp), talent._cut_levels(f, cf)]).astype(np.int64) - 1
    x = np.column_stack([p, f])
    jit = talent._placement_replicates(x, assigned, np.array([0.8, 0.6]), True, cp, cf, 6, np.uint64(21), 0.3)
    assert np.isfinite(jit[:, 0, 0]).sum() >= 3  # most resamples fitted (some exceed the correlation limit)
    snippet = f"""
        import json
        import numpy as np
        from psikometri import talent
        x = np.array({x.tolist()})
        cp, cf = np.array({cp.tolist()}), np.array({cf.tolist()})
        assigned = np.array({assigned.tolist()}, dtype=np.int64)
        got = talent._placement_replicates(x, assigned, np.array([0.8, 0.6]), True, cp, cf, 6, np.uint64(21), 0.3)
        print(json.dumps(got.tolist()))
    """
    np.testing.assert_allclose(np.array(run_without_jit(snippet)), jit, rtol=1e-12, atol=1e-14)


def test_placement_output_shape_and_input_untouched():
    s_p = pd.Series([95.0, 80.0, 60.0, 88.0], index=["w", "x", "y", "z"])
    s_f = pd.Series([90.0, 70.0, 72.0, 60.0], index=s_p.index)
    before = (s_p.copy(), s_f.copy())
    res = placement_consistency(s_p, s_f, potential_reliability=0.9, performance_reliability=0.8,
                                potential_cuts=CUTS_P, performance_cuts=CUTS_F, n_sim=200, seed=0,
                                correlated=False)
    pd.testing.assert_series_equal(s_p, before[0])
    pd.testing.assert_series_equal(s_f, before[1])
    assert list(res.index) == ["w", "x", "y", "z"]
    assert res["box"].tolist() == [9, 5, 2, 3]
    assert res.columns.tolist() == (["potential_level", "performance_level", "box"]
                                    + [f"p_box_{k}" for k in range(1, 10)] + ["p_correct", "p_retest"])
    np.testing.assert_allclose(res.filter(like="p_box_").sum(axis=1), 1.0, atol=1e-12)
    assert list(res.attrs["consistency"].index) == ["nine_box", "potential", "performance"]


def test_placement_missing_scores_are_left_out():
    rng = np.random.default_rng(12)
    p = pd.Series(rng.normal(82, 8, 30), index=[f"c{i}" for i in range(30)])
    f = pd.Series(rng.normal(78, 9, 30), index=p.index)
    f.iloc[[4, 17]] = np.nan
    kw = dict(potential_reliability=0.8, performance_reliability=0.7, potential_cuts=CUTS_P,
              performance_cuts=CUTS_F, n_sim=300, seed=6)
    res = placement_consistency(p, f, **kw)
    assert res.loc[["c4", "c17"], "box"].isna().all() and res.loc[["c4", "c17"], "p_correct"].isna().all()
    ok = f.notna()
    sub = placement_consistency(p[ok], f[ok], **kw)
    pd.testing.assert_frame_equal(res[ok.to_numpy()], sub)
    pd.testing.assert_frame_equal(res.attrs["consistency"], sub.attrs["consistency"])
    assert res.attrs["model"]["n_missing"] == 2 and res.attrs["model"]["n_used"] == 28
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = plot_nine_box(res)
    assert sum(int(t.get_text().split("n = ")[1].split(" ")[0]) for t in ax.texts) == 28
    plt.close("all")


def test_placement_errors():
    rng = np.random.default_rng(0)
    p, f = rng.normal(80, 8, 20), rng.normal(75, 9, 20)
    kw = dict(potential_reliability=0.8, performance_reliability=0.7, potential_cuts=CUTS_P,
              performance_cuts=CUTS_F, n_sim=10)
    for bad in (0.0, 1.2, -0.1, np.nan):
        with pytest.raises(ValueError, match="potential_reliability must be a number in"):
            placement_consistency(p, f, **{**kw, "potential_reliability": bad})
    with pytest.raises(ValueError, match="performance_cuts must be strictly increasing"):
        placement_consistency(p, f, **{**kw, "performance_cuts": (85, 70)})
    q = p.copy()
    q[3] = np.inf
    with pytest.raises(ValueError, match="potential_scores holds an infinite value at element 3"):
        placement_consistency(q, f, **kw)
    with pytest.raises(ValueError, match="at least 3 candidates with both scores"):
        placement_consistency(p[:2], f[:2], **kw)
    with pytest.raises(ValueError, match="at least 3 candidates with both scores"):
        placement_consistency(p[:4], [1.0, np.nan, np.nan, 2.0], **kw)
    with pytest.raises(ValueError, match="all equal"):
        placement_consistency(np.full(20, 80.0), f, **kw)
    with pytest.raises(ValueError, match="n_sim must be an integer >= 1"):
        placement_consistency(p, f, **{**kw, "n_sim": 0})
    with pytest.raises(ValueError, match="same length"):
        placement_consistency(p, f[:10], **kw)
    z = rng.normal(size=200)
    p2, f2 = 80 + 8 * z, 75 + 9 * (z + 0.1 * rng.normal(size=200))
    with pytest.raises(ValueError, match="exceeds sqrt"):
        placement_consistency(p2, f2, **{**kw, "potential_reliability": 0.5, "performance_reliability": 0.5})
    # the same data are fine when the true scores are treated as unrelated
    placement_consistency(p2, f2, **{**kw, "potential_reliability": 0.5, "performance_reliability": 0.5,
                                     "correlated": False})


# ---------------------------------------------------------------------------------------------------------------
# plots and import hygiene
# ---------------------------------------------------------------------------------------------------------------


def test_plot_nine_box_counts_and_uncertainty():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    nb = nine_box([95, 95, 80, 60], [90, 90, 70, 72], potential_cuts=CUTS_P, performance_cuts=CUTS_F)
    ax = plot_nine_box(nb)
    texts = [t.get_text() for t in ax.texts]
    assert len(ax.patches) == 9 and len(texts) == 9
    assert "9\nn = 2 (50.0%)" in texts and "1\nn = 0 (0.0%)" in texts
    plt.close("all")
    rng = np.random.default_rng(2)
    res = placement_consistency(rng.normal(82, 8, 50), rng.normal(78, 9, 50), potential_reliability=0.8,
                                performance_reliability=0.7, potential_cuts=CUTS_P, performance_cuts=CUTS_F,
                                n_sim=100, seed=1)
    ax = plot_nine_box(res, lang="en")
    assert any("P(right)" in t.get_text() for t in ax.texts)
    assert ax.get_xlabel() == "Potential"
    with pytest.raises(ValueError, match="uncertainty=True needs"):
        plot_nine_box(nb, uncertainty=True)
    plt.close("all")


def test_plot_gaps_and_jpm_distribution():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(4)
    ach = pd.DataFrame(rng.integers(1, 6, size=(30, 9)), columns=COMPETENCIES)
    ax = plot_competency_gaps(ach, "administrator")
    assert len(ax.patches) == 9
    widths = [p.get_width() for p in ax.patches]
    np.testing.assert_allclose(widths, (ach - 3).mean().to_numpy())
    ax = plot_competency_gaps(ach, "administrator", kind="radar")
    assert ax.name == "polar"
    ax = plot_competency_gaps(gaps(ach, "administrator"))
    np.testing.assert_allclose([p.get_width() for p in ax.patches], widths)
    with pytest.raises(ValueError, match="kind='radar' needs required"):
        plot_competency_gaps(ach, kind="radar")
    levels = rng.choice(["Administrator", "Pengawas", "Ahli Muda"], size=30)
    jpm = job_person_match(ach, pd.Series(levels, index=ach.index))
    ax = plot_jpm_distribution(jpm, levels)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["administrator", "pengawas", "ahli muda"]
    assert sorted(line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == "--") == [78.0, 90.0]
    plt.close("all")


def test_import_is_light():
    code = (
        "import sys, json; import psikometri.talent, psikometri;"
        "print(json.dumps(['matplotlib' in sys.modules, 'psikometri._talent_kernels' in sys.modules,"
        " psikometri.nine_box is psikometri.talent.nine_box]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [False, False, True]


# ---------------------------------------------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------------------------------------------



@settings(max_examples=60, deadline=None)
@given(
    levels=st.lists(st.lists(st.integers(1, 5), min_size=9, max_size=9), min_size=1, max_size=8),
    required=st.lists(st.integers(1, 5), min_size=9, max_size=9),
)
def test_jpm_properties(levels, required):
    ach = pd.DataFrame(levels, columns=COMPETENCIES)
    req = dict(zip(COMPETENCIES, required))
    capped = job_person_match(ach, req)
    raw = job_person_match(ach, req, cap=False)
    assert ((capped > 0) & (capped <= 100) & (capped <= raw + 1e-12)).all()
    full = (ach.to_numpy() >= np.array(required)).all(axis=1)
    assert ((capped == 100) == full).all()
    cats = jpm_category(capped).cat.codes.to_numpy()
    order = np.argsort(capped.to_numpy(), kind="stable")
    assert np.all(np.diff(cats[order]) >= 0)


@settings(max_examples=60, deadline=None)
@given(
    pot=st.lists(st.floats(0, 120, allow_nan=False), min_size=1, max_size=30),
    data=st.data(),
)
def test_nine_box_cuts_match_searchsorted(pot, data):
    perf = data.draw(st.lists(st.floats(0, 120, allow_nan=False), min_size=len(pot), max_size=len(pot)))
    cp = sorted(data.draw(st.lists(st.integers(1, 119), min_size=2, max_size=2, unique=True)))
    cf = sorted(data.draw(st.lists(st.integers(1, 119), min_size=2, max_size=2, unique=True)))
    # values within the documented 1e-9 relative tolerance of a cut go up by design; keep away from them
    assume(all(abs(v - c) > 1e-6 or v == c for v in pot for c in cp))
    assume(all(abs(v - c) > 1e-6 or v == c for v in perf for c in cf))
    nb = nine_box(pot, perf, potential_cuts=cp, performance_cuts=cf)
    lp = np.searchsorted(cp, pot, side="right") + 1
    lf = np.searchsorted(cf, perf, side="right") + 1
    assert nb["potential_level"].tolist() == lp.tolist()
    assert nb["performance_level"].tolist() == lf.tolist()
    assert nb["box"].tolist() == NAIVE_BOX[lp - 1, lf - 1].tolist()


def test_plots_hide_small_counts_and_individuals():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    boxes = pd.Series([1] * 12 + [2] * 2 + [5] * 30 + [9] * 7)
    ax = plot_nine_box(boxes, min_count=5)
    texts = [t.get_text() for t in ax.texts]
    assert "2\ndisembunyikan" in texts
    # one hidden box would be recoverable from the total: the smallest other non-empty box (9, n = 7) is hidden too
    assert "9\ndisembunyikan" in texts
    assert not any("%" in t for t in texts) and not any("n = 2" in t for t in texts)
    plt.close("all")
    # two hidden boxes holding 1 and 2 of a known total would still be bounded to 1-2: a third box goes too
    texts = [t.get_text() for t in plot_nine_box(pd.Series([6] + [9] * 2 + [8] * 7), min_count=5).texts]
    assert {"6\ndisembunyikan", "9\ndisembunyikan", "8\ndisembunyikan"} <= set(texts)
    plt.close("all")
    ax = plot_nine_box(boxes)
    assert any("n = 2 (" in t.get_text() for t in ax.texts)
    plt.close("all")
    jpm = pd.Series(np.linspace(60, 100, 23))
    lvl = pd.Series(["administrator"] * 20 + ["pengawas"] * 3)
    ax = plot_jpm_distribution(jpm, lvl, points=False, min_count=5)
    dots = [ln for ln in ax.lines if ln.get_marker() == "."]
    assert not dots
    assert any("n < 5" in t.get_text() for t in ax.get_yticklabels())
    plt.close("all")
    ax = plot_jpm_distribution(jpm, lvl)
    assert [ln for ln in ax.lines if ln.get_marker() == "."]
    plt.close("all")
    with pytest.raises(ValueError, match="min_count"):
        plot_nine_box(boxes, min_count=-1)


def test_placement_consistency_bootstrap_intervals_match_a_naive_resampling():
    from psikometri._resampling import bootstrap_indices, percentile_interval

    rng = np.random.default_rng(5)
    n = 80
    p = rng.normal(82, 8, n)
    f = 78 + 0.4 * (p - 82) + rng.normal(0, 8, n)
    kw = dict(potential_reliability=0.8, performance_reliability=0.6, potential_cuts=CUTS_P,
              performance_cuts=CUTS_F, n_sim=500, seed=9)
    res = placement_consistency(p, f, n_boot=40, level=0.9, **kw)
    cons = res.attrs["consistency"]
    # the naive version: resample candidates with the same indices, rerun the public function with the
    # replicate's seed and draws, take percentiles
    idx = bootstrap_indices(n, 40, 9)
    from psikometri.talent import _BOOT_DRAWS

    n_sim_boot = max(10, int(np.ceil(_BOOT_DRAWS / n)))
    kap, agr = [], []
    for b in range(40):
        t = placement_consistency(p[idx[b]], f[idx[b]], **{**kw, "n_sim": n_sim_boot, "seed": 9 + 1 + b})
        kap.append(t.attrs["consistency"]["kappa"].to_numpy())
        agr.append(t.attrs["consistency"]["agreement"].to_numpy())
    kap, agr = np.array(kap), np.array(agr)
    for j, row in enumerate(cons.index):
        lo, hi = percentile_interval(agr[:, j], 0.9)
        assert cons.loc[row, "agreement_ci_low"] == pytest.approx(lo, abs=1e-12)
        assert cons.loc[row, "agreement_ci_high"] == pytest.approx(hi, abs=1e-12)
        lo, hi = percentile_interval(kap[:, j], 0.9)
        assert cons.loc[row, "kappa_ci_low"] == pytest.approx(lo, abs=1e-12)
        assert cons.loc[row, "kappa_ci_high"] == pytest.approx(hi, abs=1e-12)
    assert (cons["n_boot_used"] == 40).all()
    # point estimates do not depend on the bootstrap; no bootstrap, no interval columns
    plain = placement_consistency(p, f, **kw).attrs["consistency"]
    pd.testing.assert_frame_equal(plain, cons[plain.columns])
    assert "kappa_ci_low" not in plain
    # uncertainty in the potential reliability widens the interval of the axis it drives
    wide = placement_consistency(p, f, n_boot=40, level=0.9, potential_reliability_ci=(0.6, 0.92), **kw)
    w = wide.attrs["consistency"]
    assert (w.loc["potential", "kappa_ci_high"] - w.loc["potential", "kappa_ci_low"]
            > cons.loc["potential", "kappa_ci_high"] - cons.loc["potential", "kappa_ci_low"])
    assert wide.attrs["model"]["potential_reliability_se_logit"] > 0


def test_placement_consistency_bootstrap_errors():
    rng = np.random.default_rng(0)
    p, f = rng.normal(80, 8, 20), rng.normal(75, 9, 20)
    kw = dict(potential_reliability=0.8, performance_reliability=0.7, potential_cuts=CUTS_P,
              performance_cuts=CUTS_F, n_sim=10)
    for bad in (-1, 2.5, True):
        with pytest.raises(ValueError, match="n_boot must be a non-negative integer"):
            placement_consistency(p, f, n_boot=bad, **kw)
    with pytest.raises(ValueError, match="level must be a number strictly between 0 and 1"):
        placement_consistency(p, f, n_boot=5, level=95, **kw)
    with pytest.raises(ValueError, match=r"0 < low <= potential_reliability \(0.8\) <= high < 1"):
        placement_consistency(p, f, n_boot=5, potential_reliability_ci=(0.85, 0.9), **kw)
    with pytest.raises(ValueError, match="must be a \\(low, high\\) pair"):
        placement_consistency(p, f, n_boot=5, potential_reliability_ci=0.1, **kw)
    with pytest.raises(TypeError, match="must hold two numbers"):
        placement_consistency(p, f, n_boot=5, potential_reliability_ci=("a", "b"), **kw)


def test_placement_bootstrap_warns_when_many_resamples_cannot_be_fitted():
    rng = np.random.default_rng(15)
    z = rng.normal(size=60)
    p = 82 + 8 * z
    f = 78 + 9 * (0.9 * z + 0.45 * rng.normal(size=60))  # r about 0.9: near the limit of reliabilities .85 x .85
    kw = dict(potential_reliability=0.9, performance_reliability=0.85, potential_cuts=CUTS_P,
              performance_cuts=CUTS_F, n_sim=200, seed=1)
    with pytest.warns(UserWarning, match="bootstrap resamples could not be fitted"):
        res = placement_consistency(p, f, n_boot=200, **kw)
    assert (res.attrs["consistency"]["n_boot_used"] < 180).all()



def _boot_case(name):
    """Scores for the bootstrap-kernel comparisons: (potential, performance)."""
    rng = np.random.default_rng({"normal": 1, "small": 2, "near_limit": 3, "ties": 4, "rounded": 5}[name])
    if name == "ties":  # few candidates and tied scores: many resamples have a constant column
        return (np.array([80.0, 80, 80, 80, 85, 80, 80, 92]), np.array([75.0, 75, 75, 75, 75, 75, 80, 75]))
    if name == "near_limit":  # r about 0.9 with reliabilities .9 and .85: many resamples exceed the limit
        z = rng.normal(size=60)
        return 82 + 8 * z, 78 + 9 * (0.9 * z + 0.45 * rng.normal(size=60))
    if name == "rounded":  # integer scores, some on the cuts
        return np.round(rng.normal(82, 8, 30)), np.round(rng.normal(78, 9, 30))
    n = 120 if name == "normal" else 25
    z = rng.normal(size=n)
    return 82 + 8 * z, 78 + 9 * (0.4 * z + 0.9 * rng.normal(size=n))


@pytest.mark.parametrize("name, rel, correlated, seed, rel_se", [
    ("normal", (0.8, 0.7), True, 7, 0.0),
    ("normal", (0.8, 0.7), False, 8, 0.0),
    ("normal", (0.8, 0.7), True, 9, 0.4),
    ("normal", (0.6, 0.95), False, 10, 0.4),
    ("small", (0.9, 0.6), True, 11, 0.0),
    ("small", (1.0, 0.7), False, 12, 0.0),
    ("near_limit", (0.9, 0.85), True, 13, 0.0),
    ("near_limit", (0.9, 0.85), True, 14, 0.5),
    ("ties", (0.8, 0.7), True, 15, 0.0),
    ("ties", (0.8, 0.7), False, 16, 0.3),
    ("rounded", (0.85, 0.65), True, 17, 0.2),
])
def test_placement_bootstrap_kernel_matches_the_python_loop(name, rel, correlated, seed, rel_se):
    """The one-kernel bootstrap gives the replicates of the per-resample loop (numpy posterior + kernel)."""
    from .naive_talent import placement_replicates_loop

    p, f = _boot_case(name)
    x = np.column_stack([p, f])
    cp, cf = np.array(CUTS_P), np.array(CUTS_F)
    assigned = np.column_stack([talent._cut_levels(p, cp), talent._cut_levels(f, cf)]).astype(np.int64) - 1
    rel = np.array(rel)
    n_boot = 150
    ref = placement_replicates_loop(x, assigned, rel, correlated, cp, cf, n_boot, np.uint64(seed), rel_se)
    got = talent._placement_replicates(x, assigned, rel, correlated, cp, cf, n_boot, np.uint64(seed), rel_se)
    assert got.shape == (n_boot, 3, 2)
    # the same resamples are skipped (constant column, correlation beyond the reliabilities) ...
    np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
    skipped = int(np.isnan(ref[:, 0, 0]).sum())
    if name in ("ties", "near_limit"):
        assert skipped > 10
    elif name == "normal":
        assert skipped == 0
    # ... and the others agree to rounding: the two compute the 2x2 moments in a different order (numpy's
    # np.cov goes through BLAS); kappa = (P_A - P_C) / (1 - P_C) magnifies it where P_C is near 1 (ties)
    ok = ~np.isnan(ref)
    np.testing.assert_allclose(got[..., 0][ok[..., 0]], ref[..., 0][ok[..., 0]], rtol=0, atol=1e-12)
    np.testing.assert_allclose(got[..., 1][ok[..., 1]], ref[..., 1][ok[..., 1]], rtol=0, atol=1e-11)


def test_placement_bootstrap_kernel_does_not_depend_on_threads_or_n_boot():
    from psikometri._threads import numba_threads

    p, f = _boot_case("small")
    x = np.column_stack([p, f])
    cp, cf = np.array(CUTS_P), np.array(CUTS_F)
    assigned = np.column_stack([talent._cut_levels(p, cp), talent._cut_levels(f, cf)]).astype(np.int64) - 1
    args = (x, assigned, np.array([0.8, 0.7]), True, cp, cf)
    with numba_threads(1):
        one = talent._placement_replicates(*args, 64, np.uint64(3), 0.3)
    many = talent._placement_replicates(*args, 64, np.uint64(3), 0.3)  # all of numba's threads
    np.testing.assert_array_equal(one, many)
    # replicate b is the same whatever n_boot: its resample, its seed and its reliability draw (the b-th
    # normal of the generator) do not depend on how many follow
    np.testing.assert_array_equal(talent._placement_replicates(*args, 20, np.uint64(3), 0.3), one[:20])
    assert not np.array_equal(talent._placement_replicates(*args, 20, np.uint64(4), 0.3), one[:20])


def test_phi_interpolation_is_the_branching_form_bit_for_bit():
    from psikometri._talent_kernels import _phi, phi_table

    from .naive_talent import phi_branches

    tab_v, tab_d = phi_table()
    assert tab_v[-1] == 1.0  # Phi(8.5) = 1 - 9.5e-18 is 1 in double precision: the kernels' upper tail uses it
    nodes = -8.5 + np.arange(tab_v.size) / 64
    z = np.concatenate([np.linspace(-9.0, 9.0, 20001), nodes, np.nextafter(nodes, np.inf),
                        np.nextafter(nodes, -np.inf), np.random.default_rng(1).normal(0, 3, 5000),
                        [np.inf, -np.inf, 0.0, -0.0]])
    got = np.array([_phi(v, tab_v, tab_d) for v in z])
    ref = np.array([phi_branches(v, tab_v, tab_d) for v in z])
    np.testing.assert_array_equal(got, ref)
    assert not np.signbit(got).any()


def _kernel_case(name, rel, correlated):
    p, f = _boot_case(name)
    x = np.ascontiguousarray(np.column_stack([p, f]), dtype=np.float64)
    cp, cf = np.array(CUTS_P), np.array(CUTS_F)
    assigned = np.ascontiguousarray(
        np.column_stack([talent._cut_levels(p, cp), talent._cut_levels(f, cf)]).astype(np.int64) - 1)
    return x, assigned, cp, cf, np.array(rel), correlated


@pytest.mark.parametrize("name, rel, correlated, n_sim", [
    ("small", (0.8, 0.7), True, 150),  # two full blocks of draws and a part
    ("rounded", (1.0, 0.7), False, 64),  # error-free potential (a step at each cut), scores on the cuts
    ("normal", (0.6, 1.0), True, 1),
    ("normal", (0.9, 0.85), False, 129),
])
def test_placement_kernel_is_the_one_loop_form_bit_for_bit(name, rel, correlated, n_sim):
    """The blocked simulation returns the numbers of the plain draw-by-draw loop exactly."""
    from psikometri._talent_kernels import phi_table, placement_kernel

    from .naive_talent import placement_one_loop

    x, assigned, cp, cf, rel, correlated = _kernel_case(name, rel, correlated)
    mean, cov, err_sd, *_ = talent._posterior(x, rel, correlated)
    args = (np.ascontiguousarray(mean), talent._chol2(cov), np.ascontiguousarray(err_sd), cp, cf, assigned, n_sim,
            np.uint64(31))
    n = x.shape[0]
    got = [np.empty((n, 9)), np.empty(n), np.empty((n, 3)), np.empty((n, 3)), np.empty((n, 15))]
    placement_kernel(*args, *phi_table(), *got)
    ref = placement_one_loop(*args, *phi_table())
    for g, r in zip(got, ref):
        np.testing.assert_array_equal(g, r)


@pytest.mark.parametrize("name, rel, correlated, seed, rel_se", [
    ("normal", (0.8, 0.7), True, 7, 0.0),
    ("normal", (0.8, 0.7), False, 9, 0.4),
    ("small", (1.0, 0.7), False, 12, 0.0),  # error-free potential
    ("near_limit", (0.9, 0.85), True, 14, 0.5),  # many resamples refused
    ("ties", (0.8, 0.7), True, 15, 0.0),
    ("rounded", (0.85, 1.0), True, 17, 0.2),  # error-free performance
])
def test_placement_bootstrap_kernel_is_the_one_loop_form_bit_for_bit(name, rel, correlated, seed, rel_se):
    """Every replicate (and every refused one, NaN) equals the draw-by-draw form of the bootstrap kernel."""
    from psikometri._talent_kernels import phi_table

    from .naive_talent import placement_boot_one_loop

    x, assigned, cp, cf, rel, correlated = _kernel_case(name, rel, correlated)
    n_boot = 60
    got = talent._placement_replicates(x, assigned, rel, correlated, cp, cf, n_boot, np.uint64(seed), rel_se)
    ref = placement_boot_one_loop(x, assigned, talent._boot_reliabilities(rel, n_boot, np.uint64(seed), rel_se),
                                  float(rel[1]), correlated, cp, cf, talent._boot_draws(x.shape[0]), np.uint64(seed),
                                  *phi_table())
    assert np.isfinite(ref[:, 0, 0]).sum() >= 10
    np.testing.assert_array_equal(got, ref)


def test_pairwise_sum_is_numpys():
    from psikometri._talent_kernels import _pairwise_sum

    rng = np.random.default_rng(0)
    for n in (0, 1, 7, 8, 9, 127, 128, 129, 136, 255, 1000, 2091, 40_000):
        a = rng.uniform(0, 1, (n, 3))
        for j in range(3):
            col = a[:, j]  # a strided column, summed by numpy's pairwise reduction
            assert _pairwise_sum(np.ascontiguousarray(col)) == np.add.reduce(col)

# ----------------------------------------------------------------------------- JPM variants


def _jpm_case():
    ach = pd.DataFrame({"integritas": [5.0, 2.0, 4.0], "kerjasama": [3.0, 4.0, 4.0], "komunikasi": [2.0, 4.0, 5.0]},
                       index=["a", "b", "c"])
    req = {"integritas": 4, "kerjasama": 3, "komunikasi": 2}
    return ach, req


def test_jpm_variants_by_hand():
    ach, req = _jpm_case()
    # a: 5 3 2 vs 4 3 2 -> capped 4+3+2 = 9/9; raw 10/9; ratios 1.25, 1, 1
    # b: 2 4 4 -> capped 2+3+2 = 7/9; raw 10/9; ratios .5, 4/3, 2
    # c: 4 4 5 -> capped 9/9; raw 13/9; ratios 1, 4/3, 2.5
    np.testing.assert_allclose(job_person_match(ach, req), [100, 700 / 9, 100])
    np.testing.assert_allclose(job_person_match(ach, req, cap="total"), [100, 100, 100])
    np.testing.assert_allclose(job_person_match(ach, req, cap=None), [1000 / 9, 1000 / 9, 1300 / 9])
    np.testing.assert_allclose(job_person_match(ach, req, method="mean_of_ratios"),
                               [100, 100 * (0.5 + 1 + 1) / 3, 100])
    np.testing.assert_allclose(job_person_match(ach, req, method="mean_of_ratios", cap=None),
                               [100 * 3.25 / 3, 100 * (0.5 + 4 / 3 + 2) / 3, 100 * (1 + 4 / 3 + 2.5) / 3])
    w = {"integritas": 0.6, "kerjasama": 0.2, "komunikasi": 0.2}
    np.testing.assert_allclose(job_person_match(ach, req, weights=w),
                               [100, 100 * (0.6 * 2 + 0.2 * 3 + 0.2 * 2) / (0.6 * 4 + 0.2 * 3 + 0.2 * 2), 100])
    np.testing.assert_allclose(job_person_match(ach, req, weights=w, method="mean_of_ratios"),
                               [100, 100 * (0.6 * 0.5 + 0.2 + 0.2), 100])
    # the old boolean spelling still works
    pd.testing.assert_series_equal(job_person_match(ach, req, cap=True), job_person_match(ach, req))
    pd.testing.assert_series_equal(job_person_match(ach, req, cap=False), job_person_match(ach, req, cap=None))


@pytest.mark.parametrize("kwargs, exc, msg", [
    ({"cap": "sum"}, ValueError, "cap must be 'competency', 'total' or None"),
    ({"method": "mean"}, ValueError, "method must be 'ratio_of_sums' or 'mean_of_ratios'"),
    ({"weights": {"integritas": 1, "kerjasama": 1}}, ValueError, r"no weight for the required competencies \['komunikasi'\]"),
    ({"weights": {"integritas": -1, "kerjasama": 1, "komunikasi": 1}}, ValueError, "non-negative"),
    ({"weights": {"integritas": 0, "kerjasama": 0, "komunikasi": 0}}, ValueError, "not all zero"),
    ({"weights": [1, 2, 3]}, TypeError, "weights must be a dict or Series"),
])
def test_jpm_variant_errors(kwargs, exc, msg):
    ach, req = _jpm_case()
    with pytest.raises(exc, match=msg):
        job_person_match(ach, req, **kwargs)


# ----------------------------------------------------------------------------- candidate ids: alignment


def _cohort(n=40, seed=31):
    """Ids in sorted order, achieved levels, a post per candidate, potential and performance scores."""
    rng = np.random.default_rng(seed)
    ids = pd.Index([f"1980{i:04d}" for i in range(n)], name="candidate")
    ach = pd.DataFrame(rng.integers(1, 6, size=(n, 9)).astype(float), index=ids, columns=COMPETENCIES)
    post = pd.Series(rng.choice(["Administrator", "Pengawas", "Ahli Muda"], size=n), index=ids)
    pot = pd.Series(rng.normal(82, 8, n), index=ids)
    perf = pd.Series(78 + 0.3 * (pot.to_numpy() - 82) + rng.normal(0, 8, n), index=ids)
    return ids, ach, post, pot, perf


def _shuffled(obj, seed):
    return obj.iloc[np.random.default_rng(seed).permutation(len(obj))]


def test_jpm_and_gaps_align_a_per_candidate_standard_by_id():
    ids, ach, post, _, _ = _cohort()
    req_df = load_competency_standards().loc[[talent._position_id(p, POSITION_LEVELS) for p in post]].set_axis(ids)
    for required in (post, req_df):
        jpm = job_person_match(ach, required)
        g = gaps(ach, required)
        # the standard in another order: the same numbers, in the order of achieved
        pd.testing.assert_series_equal(job_person_match(ach, _shuffled(required, 1)), jpm)
        pd.testing.assert_frame_equal(gaps(ach, _shuffled(required, 1)), g)
        # both shuffled: the output follows achieved's order and equals the original after reindexing
        ach_s = _shuffled(ach, 2)
        got = job_person_match(ach_s, _shuffled(required, 3))
        assert list(got.index) == list(ach_s.index)
        pd.testing.assert_series_equal(got.loc[ids], jpm)
        pd.testing.assert_frame_equal(gaps(ach_s, _shuffled(required, 3)).loc[ids], g)
    # and the match is by id: the first candidate's JPM is that of its own post
    c = ids[0]
    assert jpm[c] == job_person_match(ach.loc[[c]], post[c]).iloc[0]


def test_jpm_mismatched_ids_name_them_and_the_fix():
    ids, ach, post, _, _ = _cohort()
    extra = pd.concat([post, pd.Series(["Pengawas"] * 7, index=[f"x{i}" for i in range(7)])])
    with pytest.raises(ValueError) as err:
        job_person_match(ach.drop(index=ids[3]), extra)
    msg = str(err.value)
    assert "achieved and required must hold the same candidates, matched by id (the index), never by position" in msg
    # eight ids in required only, listed in sorted order, the first five shown
    assert f"8 id(s) in required but not in achieved: '{ids[3]}', 'x0', 'x1', 'x2', 'x3' and 3 more" in msg
    assert "ids = achieved.index.intersection(required.index)" in msg and "required.loc[ids]" in msg
    with pytest.raises(ValueError, match=r"1 id\(s\) in achieved but not in required: '19800005'"):
        gaps(ach, load_competency_standards().loc[["pengawas"] * 39].set_axis(ids.drop(ids[5])))
    # ids that differ only in type get a hint
    num = ach.set_axis(range(len(ach)))
    with pytest.raises(ValueError, match=r"differ only in type.*astype\(str\)"):
        job_person_match(num, post.set_axis([str(i) for i in range(len(post))]))


@pytest.mark.parametrize("which", ["achieved", "required"])
def test_jpm_duplicate_ids_are_named(which):
    ids, ach, post, _, _ = _cohort()
    dup = list(ids)
    dup[4] = dup[9] = ids[1]
    if which == "achieved":
        ach = ach.set_axis(dup)
    else:
        post = post.set_axis(dup)
    with pytest.raises(ValueError, match=rf"{which} has 1 candidate id\(s\) on more than one row: '{ids[1]}'.*"
                                         r"each must appear once"):
        job_person_match(ach, post)
    if which == "achieved":  # one standard for all: a repeated candidate is still an error
        with pytest.raises(ValueError, match="achieved has 1 candidate id"):
            job_person_match(ach, "pengawas")


def test_jpm_category_shuffled_and_duplicates():
    _, ach, post, _, _ = _cohort()
    jpm = job_person_match(ach, post)
    cat = jpm_category(jpm)
    pd.testing.assert_series_equal(jpm_category(_shuffled(jpm, 4)).loc[jpm.index], cat)
    with pytest.raises(ValueError, match=r"jpm has 2 candidate id\(s\) on more than one row"):
        jpm_category(jpm.set_axis(["a", "a", "b", "b"] + list(jpm.index[4:])))


def test_nine_box_aligns_by_id():
    ids, _, _, pot, perf = _cohort()
    kw = dict(potential_cuts=CUTS_P, performance_cuts=CUTS_F)
    nb = nine_box(pot, perf, **kw)
    # performance in reverse order: the same boxes (before, "different indexes")
    pd.testing.assert_frame_equal(nine_box(pot, perf.iloc[::-1], **kw), nb)
    got = nine_box(_shuffled(pot, 5), _shuffled(perf, 6), **kw)
    assert list(got.index) == list(_shuffled(pot, 5).index)
    pd.testing.assert_frame_equal(got.loc[ids], nb)
    # the box of each candidate is that of its own two scores
    c = ids[7]
    assert nb.loc[c, "box"] == nine_box([pot[c]], [perf[c]], **kw)["box"].iloc[0]
    with pytest.raises(ValueError, match=r"potential and performance must hold the same candidates.*1 id\(s\) in "
                                         r"potential but not in performance: '19800000'"):
        nine_box(pot, perf.iloc[1:], **kw)
    with pytest.raises(ValueError, match=r"performance has 1 candidate id\(s\) on more than one row: '19800001'"):
        nine_box(pot, perf.set_axis([ids[1]] + list(ids[1:])), **kw)


def test_placement_consistency_is_the_same_for_shuffled_rows():
    ids, _, _, pot, perf = _cohort(n=60)
    perf = perf.copy()
    perf.iloc[[3, 11]] = np.nan
    kw = dict(potential_reliability=0.8, performance_reliability=0.6, potential_cuts=CUTS_P,
              performance_cuts=CUTS_F, n_sim=300, seed=3, n_boot=20)
    res = placement_consistency(pot, perf, **kw)
    for a, b in ((5, 6), (7, 7), (8, 9)):
        pot_s = _shuffled(pot, a)
        got = placement_consistency(pot_s, _shuffled(perf, b), **kw)
        assert list(got.index) == list(pot_s.index)
        # bit for bit: each candidate's simulation stream follows the sorted ids, not the row order
        pd.testing.assert_frame_equal(got.loc[ids], res, check_exact=True)
        pd.testing.assert_frame_equal(got.attrs["consistency"], res.attrs["consistency"], check_exact=True)
        assert got.attrs["model"] == res.attrs["model"]
    with pytest.raises(ValueError, match=r"potential_scores and performance_scores must hold the same candidates.*"
                                         r"2 id\(s\) in performance_scores but not in potential_scores: 'p1', 'p2'"):
        placement_consistency(pot, pd.concat([perf, pd.Series([70.0, 80.0], index=["p1", "p2"])]), **kw)
    with pytest.raises(ValueError, match=r"potential_scores has 1 candidate id\(s\) on more than one row"):
        placement_consistency(pot.set_axis([ids[2]] + list(ids[1:])), perf.to_numpy(), **kw)


def test_plots_do_not_depend_on_the_row_order():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ids, ach, post, pot, perf = _cohort(n=60)
    pc = placement_consistency(pot, perf, potential_reliability=0.8, performance_reliability=0.6,
                               potential_cuts=CUTS_P, performance_cuts=CUTS_F, n_sim=200, seed=1)
    texts = [t.get_text() for t in plot_nine_box(pc).texts]
    assert texts == [t.get_text() for t in plot_nine_box(_shuffled(pc, 2)).texts]
    with pytest.raises(ValueError, match=r"data has 1 candidate id\(s\) on more than one row"):
        plot_nine_box(pc.set_axis([ids[0]] + list(ids[:-1])))

    widths = [p.get_width() for p in plot_competency_gaps(ach, post).patches]
    assert widths == [p.get_width() for p in plot_competency_gaps(_shuffled(ach, 3), _shuffled(post, 4)).patches]
    assert widths == [p.get_width() for p in plot_competency_gaps(_shuffled(gaps(ach, post), 5)).patches]
    with pytest.raises(ValueError, match=r"1 id\(s\) in achieved but not in required"):
        plot_competency_gaps(ach, post.iloc[1:])

    jpm = job_person_match(ach, post)

    def drawn(ax):
        return ([t.get_text() for t in ax.get_yticklabels()],
                [(ln.get_xdata().tolist(), ln.get_ydata().tolist()) for ln in ax.lines if ln.get_marker() == "."])

    ref = drawn(plot_jpm_distribution(jpm, post))
    assert ref == drawn(plot_jpm_distribution(_shuffled(jpm, 6), _shuffled(post, 7)))
    # the match is by id: each candidate's dot is in the box of its own post
    labels, dots = ref
    for lab, (xs, _) in zip(labels, dots):
        want = sorted(jpm[[talent._position_id(p, POSITION_LEVELS) == lab.replace(" ", "_") for p in post]])
        assert sorted(xs) == want
    with pytest.raises(ValueError, match=r"jpm and position_level must hold the same candidates"):
        plot_jpm_distribution(jpm, post.iloc[:-1])
    plt.close("all")


# ----------------------------------------------------------------------------- overall rating, achieved levels


def _small_ratings():
    return pd.read_csv(FIX / "ratings_small.csv", comment="#")


def _r_reference():
    cand = pd.read_csv(FIX / "scores_reference_candidates.csv", skipinitialspace=True).set_index("candidate")
    lev = pd.read_csv(FIX / "scores_reference_levels.csv", skipinitialspace=True)
    return cand, lev


def test_overall_rating_matches_r():
    from psikometri.talent import overall_rating

    r = _small_ratings()
    before = r.copy()
    # R: aggregate(score ~ candidate, ratings, mean); apply(..., weighted.mean) (make_scores_reference.R)
    cand, _ = _r_reference()
    oar = overall_rating(r)
    assert oar.name == "oar" and oar.index.name == "candidate" and list(oar.index) == list(cand.index)
    np.testing.assert_allclose(oar.to_numpy(), cand["oar"].to_numpy(), rtol=0, atol=1e-14)
    with pytest.warns(UserWarning, match=r"1 candidate\(s\) lack a rating at some competency \(first: 'c04' has "
                                         r"none at 'komunikasi'\)"):
        by = overall_rating(r, by="competency")
    np.testing.assert_allclose(by.to_numpy(), cand["oar_by"].to_numpy(), rtol=0, atol=1e-14)
    with pytest.warns(UserWarning):
        w = overall_rating(r, by="competency", weights={"integritas": 3, "kerjasama": 1, "komunikasi": 2})
    np.testing.assert_allclose(w.to_numpy(), cand["oar_weighted"].to_numpy(), rtol=0, atol=1e-14)
    w0 = overall_rating(r, by="competency", weights=pd.Series({"integritas": 1, "kerjasama": 1, "komunikasi": 0}))
    np.testing.assert_allclose(w0.to_numpy(), cand["oar_no_komunikasi"].to_numpy(), rtol=0, atol=1e-14)
    pd.testing.assert_frame_equal(r, before)


def test_achieved_levels_match_r():
    from psikometri.talent import achieved_levels

    r = _small_ratings()
    _, lev = _r_reference()
    # R: pmin(pmax(floor(mean + 0.5), 1), 5) and round(mean) (half to even) of tapply means
    for rounding, col in (("half_up", "half_up"), ("half_even", "half_even"), (None, "mean")):
        got = achieved_levels(r, rounding=rounding)
        assert got.index.name == "candidate" and got.columns.name == "competency"
        long = got.stack(future_stack=True).rename("v").reset_index()
        np.testing.assert_allclose(long["v"].to_numpy(), lev[col].to_numpy(dtype=float), rtol=0, atol=1e-14)


def test_scores_do_not_depend_on_the_row_order_and_categoricals_keep_their_order():
    from psikometri.talent import achieved_levels, overall_rating

    rng = np.random.default_rng(8)
    n = 3000
    r = pd.DataFrame({"candidate": rng.choice([f"c{i:03d}" for i in range(150)], n),
                      "competency": rng.choice(list(COMPETENCIES), n),
                      "score": rng.choice([1.1, 2.3, 2.7, 3.3, 3.7, 4.9], n)})
    oar, lev = overall_rating(r), achieved_levels(r)
    for seed in range(3):
        sh = r.sample(frac=1.0, random_state=seed)
        assert overall_rating(sh).equals(oar) and achieved_levels(sh).equals(lev)  # bit for bit
    # the documented means (pandas), to rounding error
    np.testing.assert_allclose(oar.to_numpy(), r.groupby("candidate")["score"].mean().to_numpy(), rtol=1e-15)
    cat = r.astype({"candidate": pd.CategoricalDtype([f"c{i:03d}" for i in range(150)][::-1])})
    assert list(overall_rating(cat).index) == list(oar.index[::-1])  # the order of the categories
    assert overall_rating(cat).index.dtype == oar.index.dtype  # ids, not categories


def test_achieved_levels_halves_and_noise():
    from psikometri.talent import achieved_levels

    r = pd.DataFrame({"candidate": ["a", "a", "b", "b", "c", "c", "d"],
                      "competency": "integritas",
                      "score": [2.0, 3.0, 3.0 - 2e-10, 4.0, 3.4, 3.5, 5.0]})
    # a: 2.5 -> 3 (half up) / 2 (half even); b: 3.4999999999 counts as 3.5 (relative 1e-9) -> 4 / 4;
    # c: 3.45 -> 3; d: 5 -> 5
    up = achieved_levels(r)["integritas"]
    even = achieved_levels(r, rounding="half_even")["integritas"]
    assert up.tolist() == [3.0, 4.0, 3.0, 5.0]
    assert even.tolist() == [2.0, 4.0, 3.0, 5.0]
    # levels on a 0.5 - 4.5 scale are kept within it
    assert achieved_levels(r.assign(score=[4.5, 4.5, 1, 1, 1, 1, 1]), scale=(0.5, 4.5)).loc["a", "integritas"] == 4.5


def test_overall_rating_and_achieved_levels_errors():
    from psikometri.talent import achieved_levels, overall_rating

    r = _small_ratings()
    with pytest.raises(ValueError, match="weights need by="):
        overall_rating(r, weights={"integritas": 1})
    with pytest.raises(ValueError, match=r"no weight for the competency level\(s\) \['komunikasi'\]"):
        overall_rating(r, by="competency", weights={"integritas": 1, "kerjasama": 1})
    with pytest.raises(ValueError, match=r"weights names \['perekat_bangsa'\], not found in ratings column "
                                         r"'competency'"):
        overall_rating(r, by="competency", weights={"integritas": 1, "kerjasama": 1, "komunikasi": 1,
                                                    "perekat_bangsa": 1})
    with pytest.raises(ValueError, match="non-negative numbers, not all zero"):
        overall_rating(r, by="competency", weights={"integritas": -1, "kerjasama": 1, "komunikasi": 1})
    with pytest.raises(TypeError, match="weights must be a dict or Series"):
        overall_rating(r, by="competency", weights=[1, 2, 3])
    with pytest.raises(ValueError, match=r"ratings has no column\(s\) \['nilai'\]"):
        overall_rating(r, score="nilai")
    with pytest.raises(TypeError, match="person must be a column name"):
        overall_rating(r, person=["candidate"])
    with pytest.raises(TypeError, match="pandas DataFrame"):
        overall_rating(r.to_dict())
    bad = r.astype({"score": object})
    bad.loc[5, "score"] = "tinggi"
    with pytest.raises(TypeError, match=r"ratings column 'score' \(score\) is not numeric: row 5 holds 'tinggi'"):
        overall_rating(bad)
    bad = r.copy()
    bad.loc[7, "score"] = np.inf
    with pytest.raises(ValueError, match="infinite value at row 7"):
        achieved_levels(bad)
    bad = r.copy()
    bad.loc[3, "candidate"] = None
    with pytest.raises(ValueError, match=r"ratings column 'candidate' \(person\) is empty at row 3"):
        overall_rating(bad)
    for col in ("round", "occasion"):
        with pytest.raises(ValueError, match=rf"ratings hold 2 .* in column '{col}' \('a', 'b'\).*counted once per "
                                             rf"{col}. Keep one {col}"):
            overall_rating(r.assign(**{col: ["a", "b"] * 16}))
        overall_rating(r.assign(**{col: "a"}))  # one round or occasion: fine
    bad = r.copy()
    bad.loc[2, "score"] = 6
    with pytest.raises(ValueError, match=r"holds 6.0 at row 2, outside the scale 1-5.*scale=\(min, max\)"):
        achieved_levels(bad)
    assert achieved_levels(bad, scale=(1, 7)).loc["c01", "kerjasama"] == 5.0  # (6 + 3) / 2 = 4.5 -> 5
    with pytest.raises(ValueError, match="rounding must be 'half_up', 'half_even' or None"):
        achieved_levels(r, rounding="up")
    with pytest.raises(ValueError, match="scale must be a"):
        achieved_levels(r, scale=(5, 1))
    with pytest.raises(ValueError, match="the columns must all differ"):
        achieved_levels(r, competency="candidate")


def test_assessment_data_scores_use_one_round_and_one_occasion():
    import psikometri as pk
    from psikometri.io import AssessmentData
    from psikometri.talent import achieved_levels, overall_rating

    r = _small_ratings()
    cands = pd.DataFrame({"candidate": sorted(set(r["candidate"]))})
    two = pd.concat([r.assign(round="pre"), r.assign(round="konsensus", score=5.0)], ignore_index=True)
    data = AssessmentData(two, cands)
    # the independent round by default (as the report), another on request
    pd.testing.assert_series_equal(data.overall_rating(), overall_rating(r))
    pd.testing.assert_frame_equal(data.achieved_levels(), achieved_levels(r))
    assert (data.overall_rating(rating_round="konsensus") == 5.0).all()
    with pytest.warns(UserWarning):
        pd.testing.assert_series_equal(data.overall_rating(by="competency"), overall_rating(r, by="competency"))
    with pytest.raises(ValueError, match="rating_round='final' is not in the data"):
        data.overall_rating(rating_round="final")
    with pytest.raises(ValueError, match="no 'round' column"):
        AssessmentData(r, cands).overall_rating(rating_round="pre")
    # the data's rating scale
    wide = AssessmentData(r.assign(score=r["score"] + 1), cands, scale=(1.0, 7.0))
    assert wide.achieved_levels().loc["c02", "kerjasama"] == 6.0
    # several occasions: take one
    sample = pk.load_assessment(ROOT_DATA, warn=False).for_agency("pemprov_nusa_makmur_jpt")
    with pytest.raises(ValueError, match=r"2 occasions \['2021', '2026'\].*data.for_occasion\('2026'\)."
                                         r"overall_rating\(\)"):
        sample.overall_rating()
    latest = sample.for_occasion("2026")
    pd.testing.assert_series_equal(latest.overall_rating(), overall_rating(latest.ratings))


def test_jpm_accepts_a_categorical_column_of_position_levels():
    ids, ach, post, _, _ = _cohort()
    pd.testing.assert_series_equal(job_person_match(ach, post.astype("category")), job_person_match(ach, post))


# ----------------------------------------------------------------------------- review fixes

_R = pd.DataFrame({"candidate": ["a", "a", "a", "b", "b", "b"],
                   "competency": ["integritas", "kerjasama", "integritas", "integritas", "kerjasama", "kerjasama"],
                   "score": [3, 4, 4, 2, 3, 3.5]})


@pytest.mark.parametrize("fn", [talent.achieved_levels, talent.overall_rating])
def test_ratings_errors_dup_columns_bool_empty_mixed_ids(fn):
    with pytest.raises(ValueError, match=r"ratings has duplicated column names \['score'\]; give every column"):
        fn(pd.concat([_R, _R[["score"]]], axis=1))
    with pytest.raises(TypeError, match=r"holds True/False \(True at row 0\)"):
        fn(_R.assign(score=[True] * 6))
    with pytest.raises(TypeError, match=r"holds True/False \(False at row 1\)"):
        fn(_R.assign(score=pd.Series([3, False, 4, 2, 3, 3], dtype=object)))
    with pytest.raises(ValueError, match="ratings has no rows"):
        fn(_R.iloc[:0])
    with pytest.raises(ValueError, match=r"'score' \(score\) is missing on all 6 rows"):
        fn(_R.assign(score=np.nan))
    with pytest.raises(ValueError, match=r"'candidate' \(person\) holds values that differ only in type: .*astype"):
        fn(_R.assign(candidate=[1, 1, 1, "1", "1", "1"]))


@pytest.mark.parametrize("scale", [(False, 5), ("1", "5"), (1, True)])
def test_achieved_levels_scale_must_be_numbers(scale):
    with pytest.raises(ValueError, match=r"scale must be a \(min, max\) pair of finite numbers"):
        talent.achieved_levels(_R, scale=scale)
    assert talent.achieved_levels(_R, scale=np.array([1, 5])).equals(talent.achieved_levels(_R))


def test_overall_rating_weights_types():
    r = _R.assign(competency=[1, 2, 1, 1, 2, 2])
    with pytest.raises(ValueError, match=r"weights key '1' is a str, but the levels of ratings column 'competency' "
                                         r"are int"):
        talent.overall_rating(r, by="competency", weights={"1": 3, 2: 1})
    with pytest.raises(TypeError, match=r"weights\['integritas'\] is True, not a number"):
        talent.overall_rating(_R, by="competency", weights={"integritas": True, "kerjasama": 1})
    with pytest.raises(ValueError, match=r"got \{'integritas': nan, 'kerjasama': 1.0\}"):
        talent.overall_rating(_R, by="competency", weights={"integritas": np.nan, "kerjasama": 1})
    # numeric keys of another numeric type are fine; the weighted mean by hand: a (3.5*3 + 4)/4, b (2*3 + 3.25)/4
    got = talent.overall_rating(r, by="competency", weights={1.0: 3, np.int64(2): 1})
    np.testing.assert_allclose(got.to_numpy(), [(3.5 * 3 + 4) / 4, (2 * 3 + 3.25) / 4])


def test_job_person_match_standard_with_levels_as_text():
    ach = pd.DataFrame({"integritas": [3, 4, 2], "kerjasama": [3, 3, 4]}, index=[1, 2, 3])
    want = job_person_match(ach, pd.Series({"integritas": 3, "kerjasama": 4}))
    got = job_person_match(ach, pd.Series({"integritas": 3, "kerjasama": "4"}))
    pd.testing.assert_series_equal(got, want)
    # by hand (capped at the standard): (3+3)/7, (3+3)/7, (2+4)/7
    np.testing.assert_allclose(got.to_numpy(), [600 / 7, 600 / 7, 600 / 7])


def test_the_default_standards_table_is_read_once_and_handed_out_as_copies():
    from psikometri.talent import load_competency_standards

    a = load_competency_standards()
    a.loc["jpt_pratama", "integritas"] = 1
    b = load_competency_standards()
    assert int(b.loc["jpt_pratama", "integritas"]) == 4 and b is not a
