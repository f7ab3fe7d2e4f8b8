r"""Simulated assessment-centre data with known ground truth.

:func:`simulate_assessment` generates multi-agency AC data from stated true
parameters, so that every estimator in psikometri can be checked for recovery.

Model
-----
For candidate :math:`p` of position level :math:`\ell(p)`, competency
:math:`d`, exercise :math:`e` and assessor :math:`a` (nested in exercise), the
latent rating is

.. math::

    y_{pdea} = \mu_{\ell(p)} + \pi_p + \delta_d + \varepsilon_e + (\pi\delta)_{pd}
               + (\pi\varepsilon)_{pe} + \alpha_{a:e} + r_{pdea}

with independent normal effects of variances ``var_candidate`` (:math:`\pi_p`,
the general level of the candidate), ``var_competency`` (:math:`\delta_d`),
``var_exercise`` (:math:`\varepsilon_e`), ``var_candidate_competency``
(:math:`(\pi\delta)_{pd}`: candidate-specific competency profile),
``var_candidate_exercise`` (:math:`(\pi\varepsilon)_{pe}`: exercise effects,
which dominate dimension effects as in Lance 2008 and Putka & Hoffman 2013),
``var_assessor`` (:math:`\alpha`, leniency/severity) and ``var_residual``.
The observed score rounds :math:`y` to ``rounding`` (0.5 by default) and clips
it to the 1-5 scale; ``rounding=None`` keeps the latent value (for recovery
tests of variance components).

The candidate's true competency on :math:`d` is :math:`\pi_p + (\pi\delta)_{pd}`,
so true competencies correlate :math:`\sigma^2_\pi / (\sigma^2_\pi + \sigma^2_{\pi\delta})`.

Psychological test (items): a cognitive trait :math:`\theta_p = r_{g}\, z(\pi_p)
+ \sqrt{1 - r_g^2}\, u_p` is measured by ``n_items`` five-point items whose latent
responses have standardized loadings ``item_loadings``.

Criterion: true performance :math:`T_y = \rho\, z(\pi_p) + \sqrt{1-\rho^2}\, v_p`
(``true_validity`` :math:`\rho`), observed with reliability
``criterion_reliability`` on an SKP-like 0-100 scale.  Selection is indirect
(on the observed overall assessment rating plus noise, ``selection_ratio`` per
agency); performance is observed for the selected only (range restriction).
``truth["operational_validity"]`` is the correlation of the observed overall
rating with true performance over the whole applicant pool, the quantity that a
Case IV range-restriction correction targets.

Examples
--------
>>> from psikometri.simulate import simulate_assessment
>>> sim = simulate_assessment({"kab_contoh": 40}, seed=1)
>>> sorted(sim.ratings.columns)
['agency', 'assessor', 'candidate', 'competency', 'exercise', 'score']
>>> sim.truth["variance_components"]["candidate:exercise"]
0.2
"""

from __future__ import annotations

import argparse
import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .talent import COMPETENCIES

__all__ = [
    "COMPETENCY_IDS",
    "EXERCISE_DESIGN",
    "SAMPLE_AGENCIES",
    "SimulatedAssessment",
    "simulate_assessment",
    "add_previous_occasion",
    "make_sample_data",
]

#: The nine competencies of PermenPANRB 38/2017 (eight managerial, one socio-cultural): see psikometri.talent.
COMPETENCY_IDS: tuple[str, ...] = COMPETENCIES

#: Default AC design: which competencies each exercise elicits (every competency in >= 2 exercises).
EXERCISE_DESIGN: dict[str, tuple[str, ...]] = {
    "in_basket": ("orientasi_pada_hasil", "pengambilan_keputusan", "mengelola_perubahan", "pelayanan_publik"),
    "diskusi_kelompok": ("kerjasama", "komunikasi", "perekat_bangsa", "pengambilan_keputusan"),
    "bermain_peran": ("komunikasi", "pelayanan_publik", "pengembangan_diri_dan_orang_lain", "integritas"),
    "analisis_kasus": ("pengambilan_keputusan", "orientasi_pada_hasil", "integritas", "mengelola_perubahan"),
    "wawancara_kompetensi": (
        "integritas", "kerjasama", "pengembangan_diri_dan_orang_lain", "mengelola_perubahan", "perekat_bangsa",
        "komunikasi",
    ),
}

#: The committed sample: agency id -> (number of candidates, position levels and their shares).
SAMPLE_AGENCIES: dict[str, tuple[int, dict[str, float]]] = {
    "pemprov_nusa_makmur_jpt": (30, {"jpt_pratama": 1.0}),
    "kab_sukamaju": (120, {"administrator": 0.4, "pengawas": 0.6}),
    "kota_bahari": (240, {"administrator": 0.3, "pengawas": 0.5, "ahli_muda": 0.2}),
    "kementerian_contoh": (420, {"administrator": 0.3, "ahli_madya": 0.3, "ahli_muda": 0.4}),
    "badan_riset_contoh": (600, {"ahli_madya": 0.3, "ahli_muda": 0.4, "ahli_pertama": 0.3}),
    "pemprov_nusa_makmur": (2091, {"administrator": 0.25, "pengawas": 0.45, "ahli_muda": 0.15, "pelaksana": 0.15}),
}

#: Mean latent rating by position level (around the level's usual required standard).
LEVEL_MEANS = {
    "jpt_utama": 4.9, "jpt_madya": 4.7, "jpt_pratama": 3.9, "administrator": 2.9, "pengawas": 2.1,
    "pelaksana": 1.6, "ahli_utama": 3.9, "ahli_madya": 2.9, "ahli_muda": 2.1, "ahli_pertama": 1.6,
}

_FIRST = ("Agus", "Budi", "Citra", "Dewi", "Eko", "Fitri", "Gita", "Hadi", "Indah", "Joko", "Kartika", "Lestari",
          "Made", "Nur", "Putu", "Rina", "Siti", "Teguh", "Wayan", "Yusuf", "Ayu", "Bambang", "Dian", "Hendra")
_LAST = ("Santoso", "Wijaya", "Pratama", "Siregar", "Nasution", "Hasibuan", "Saputra", "Kusuma", "Lubis",
         "Rahmawati", "Hidayat", "Setiawan", "Simanjuntak", "Wibowo", "Permana", "Sitompul", "Manurung", "Tanjung")


@dataclass(frozen=True)
class SimulatedAssessment:
    """Output of :func:`simulate_assessment`: the three tables and the truth behind them."""

    ratings: pd.DataFrame
    candidates: pd.DataFrame
    items: pd.DataFrame
    truth: dict = field(repr=False)

    def overview(self) -> pd.DataFrame:
        """Per agency: candidates, ratings, assessors, exercises and competencies (tidy, one row per agency)."""
        r = self.ratings
        g = r.groupby("agency", observed=True, sort=True)
        out = pd.DataFrame({
            "candidates": g["candidate"].nunique(),
            "ratings": g.size(),
            "assessors": g["assessor"].nunique(),
            "exercises": g["exercise"].nunique(),
            "competencies": g["competency"].nunique(),
        })
        out.index = out.index.astype(str)
        out.index.name = "agency"
        return out

    def _truths(self) -> list[tuple[str, str]]:
        t = self.truth
        rows = [(k, f"{float(t[k]):.3f}") for k in ("true_validity", "operational_validity", "criterion_reliability",
                                                    "selection_ratio", "gender_gap") if k in t]
        if "seed" in t:
            rows.append(("seed", str(t["seed"])))
        return rows

    def _components(self) -> pd.DataFrame:
        vc = self.truth.get("variance_components", {})
        return pd.DataFrame({"variance": pd.Series(vc, dtype=float)}).rename_axis("component")

    def summary(self) -> str:
        """Text summary: the data per agency, the true variance components and validities."""
        r = self.ratings
        lines = [f"simulated assessment: {r['agency'].nunique()} agencies, {r['candidate'].nunique()} candidates, "
                 f"{len(r)} ratings, {self.items.shape[1] - 1} test items", "", self.overview().to_string(), "",
                 "true variance components", self._components().to_string(float_format=lambda v: f"{v:.4f}"), ""]
        lines += [f"{k:<22s}: {v}" for k, v in self._truths()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        r = self.ratings
        seed = self.truth.get("seed")
        return (f"SimulatedAssessment({r['agency'].nunique()} agencies, {r['candidate'].nunique()} candidates, "
                f"{r['assessor'].nunique()} assessors, {len(r)} ratings, {self.items.shape[1] - 1} items"
                + (f", seed={seed}" if seed is not None else "") + ")")

    def _repr_html_(self) -> str:
        truths = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
                         for k, v in self._truths())
        return (f"<div class='psikometri-result'><b>{html.escape(repr(self))}</b>"
                f"{self.overview().to_html()}<div><i>true variance components</i></div>"
                f"{self._components().to_html(float_format=lambda v: f'{v:.4f}')}"
                f"<table>{truths}</table></div>")

    def write(self, out_dir, *, ratings_format: str = "parquet") -> list[Path]:
        """Write ``ratings.<fmt>``, ``candidates.csv``, ``items.csv`` and ``truth.json`` to ``out_dir``."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        if ratings_format == "parquet":
            p = out / "ratings.parquet"
            self.ratings.to_parquet(p, index=False)
        elif ratings_format == "csv":
            p = out / "ratings.csv"
            self.ratings.to_csv(p, index=False)
        else:
            raise ValueError(f"ratings_format must be 'parquet' or 'csv'; got {ratings_format!r}.")
        paths.append(p)
        for name, df in (("candidates", self.candidates), ("items", self.items)):
            p = out / f"{name}.csv"
            df.to_csv(p, index=False, float_format="%.6g")
            paths.append(p)
        p = out / "truth.json"
        p.write_text(json.dumps(_jsonable_truth(self.truth), indent=2, sort_keys=True) + "\n")
        paths.append(p)
        return paths


def _jsonable_truth(truth: dict) -> dict:
    out = {}
    for k, v in truth.items():
        if isinstance(v, (pd.DataFrame, pd.Series)):
            continue
        if isinstance(v, np.ndarray):
            v = v.tolist()
        out[k] = v
    return out


def _check_var(name, v):
    if not (isinstance(v, (int, float)) and np.isfinite(v) and v >= 0):
        raise ValueError(f"{name} must be a finite variance >= 0; got {name}={v!r}.")
    return float(v)


def simulate_assessment(
    agencies: dict | None = None,
    *,
    design: dict[str, tuple[str, ...]] | str | None = None,
    assessors_per_exercise: int = 2,
    candidates_per_assessor: int = 25,
    assignment: str = "random",
    var_candidate: float = 0.20,
    var_competency: float = 0.02,
    var_exercise: float = 0.03,
    var_candidate_competency: float = 0.03,
    var_candidate_exercise: float = 0.20,
    var_assessor: float = 0.04,
    var_residual: float = 0.15,
    missing_rate: float = 0.03,
    rounding: float | None = 0.5,
    n_items: int = 12,
    item_loadings: float | list[float] = 0.6,
    cognitive_g_correlation: float = 0.4,
    true_validity: float = 0.40,
    criterion_reliability: float = 0.70,
    selection_ratio: float = 0.35,
    selection_noise: float = 0.5,
    female_share: float = 0.45,
    gender_gap: float = 0.0,
    seed: int | None = None,
) -> SimulatedAssessment:
    """Simulate multi-agency assessment-centre data with known truth.

    Parameters
    ----------
    agencies : dict, optional
        ``{agency_id: n_candidates}`` or ``{agency_id: (n_candidates, {position_level: share})}``.
        Default: :data:`SAMPLE_AGENCIES` (six agencies, 30 to 2,091 candidates).
    design : dict or "crossed", optional
        ``{exercise: competencies}``; ``"crossed"`` rates all nine competencies in
        every exercise.  Default :data:`EXERCISE_DESIGN`.
    assessors_per_exercise : int
        Assessors rating each candidate in each exercise (drawn at random from
        the exercise's pool: ill-structured assignment, assessors nested in
        exercises).
    candidates_per_assessor : int
        Sets the pool size per exercise: ``max(assessors_per_exercise + 1,
        round(n * assessors_per_exercise / candidates_per_assessor))``.
    assignment : {"random", "sessions"}
        ``"random"``: each candidate's assessors in each exercise are drawn at
        random from the exercise's pool, so any two assessors may share
        candidates.  ``"sessions"``: the cohort is assessed in sessions (assessment
        days), each with its own fixed panel of ``assessors_per_exercise``
        assessors per exercise; the exercise's pool is split into ``pool //
        assessors_per_exercise`` such panels and the candidates into as many
        sessions of near-equal size (in random order), so an assessor rates only
        the candidates of the session(s) of its panel.
    var_* : float
        True variance components (see the module docstring).
    missing_rate : float
        Share of candidate x competency x exercise cells left unrated.
    rounding : float or None
        Round observed scores to this step and clip to 1-5; ``None`` keeps latent values.
    n_items, item_loadings, cognitive_g_correlation
        The psychological test (five-point items).
    true_validity : float
        Correlation of the candidate's general level with true performance.
    criterion_reliability : float
        Reliability of the observed performance rating.
    selection_ratio, selection_noise
        Share selected per agency on (standardized overall rating + noise of this SD).
    female_share, gender_gap
        Share of women; true mean difference (women - men) in SD units added to
        the AC ratings only (a bias, for fairness tests).  0 by default.
    seed : int, optional
        Seed of ``numpy.random.default_rng``: same seed, same data.

    Returns
    -------
    SimulatedAssessment
        ``ratings``, ``candidates``, ``items`` and ``truth`` (a dict with the
        variance components keyed as ``g_study`` labels them, the item loadings,
        the true and operational validity, ...).
    """
    rng = np.random.default_rng(seed)
    if agencies is None:
        agencies = SAMPLE_AGENCIES
    if not isinstance(agencies, dict) or not agencies:
        raise TypeError(f"agencies must be a non-empty dict {{agency_id: n_candidates}}; got {agencies!r}.")
    vc = {
        "candidate": _check_var("var_candidate", var_candidate),
        "competency": _check_var("var_competency", var_competency),
        "exercise": _check_var("var_exercise", var_exercise),
        "candidate:competency": _check_var("var_candidate_competency", var_candidate_competency),
        "candidate:exercise": _check_var("var_candidate_exercise", var_candidate_exercise),
        "assessor:exercise": _check_var("var_assessor", var_assessor),
        "candidate:competency:exercise:assessor": _check_var("var_residual", var_residual),
    }
    if design is None:
        design = EXERCISE_DESIGN
    elif design == "crossed":
        design = {ex: COMPETENCY_IDS for ex in EXERCISE_DESIGN}
    if not isinstance(design, dict) or not design:
        raise ValueError(f"design must be a dict {{exercise: competencies}} or 'crossed'; got {design!r}.")
    if not (0 <= missing_rate < 1):
        raise ValueError(f"missing_rate must be in [0, 1); got missing_rate={missing_rate!r}.")
    if not (0 < selection_ratio <= 1):
        raise ValueError(f"selection_ratio must be in (0, 1]; got selection_ratio={selection_ratio!r}.")
    if not (0 < criterion_reliability <= 1):
        raise ValueError(f"criterion_reliability must be in (0, 1]; got {criterion_reliability!r}.")
    if not (-1 < true_validity < 1):
        raise ValueError(f"true_validity must be in (-1, 1); got {true_validity!r}.")
    if assignment not in ("random", "sessions"):
        raise ValueError(f"assignment must be 'random' or 'sessions'; got assignment={assignment!r}.")
    if assessors_per_exercise < 1:
        raise ValueError(f"assessors_per_exercise must be >= 1; got {assessors_per_exercise!r}.")
    loadings = np.broadcast_to(np.asarray(item_loadings, dtype=float), (n_items,)).copy()
    if np.any((loadings <= -1) | (loadings >= 1)):
        raise ValueError(f"item_loadings must lie in (-1, 1); got {item_loadings!r}.")

    exercises = list(design)
    competencies = sorted({c for cs in design.values() for c in cs}, key=lambda c: (
        COMPETENCY_IDS.index(c) if c in COMPETENCY_IDS else len(COMPETENCY_IDS), c))
    comp_eff = dict(zip(competencies, rng.normal(0, np.sqrt(vc["competency"]), len(competencies))))
    ex_eff = dict(zip(exercises, rng.normal(0, np.sqrt(vc["exercise"]), len(exercises))))
    cells = [(d, e) for e in exercises for d in design[e]]
    cell_d = np.array([competencies.index(d) for d, _ in cells])
    cell_e = np.array([exercises.index(e) for _, e in cells])
    cell_fixed = np.array([comp_eff[d] + ex_eff[e] for d, e in cells])

    rating_frames, cand_frames, item_frames, true_frames = [], [], [], []
    leniency = {}
    serial = 0
    used_ids: set[str] = set()
    for agency, spec in agencies.items():
        if isinstance(spec, tuple):
            n, levels = spec
        else:
            n, levels = spec, {"administrator": 0.4, "pengawas": 0.6}
        n = int(n)
        if n < 2:
            raise ValueError(f"agency {agency!r} needs at least 2 candidates; got {n}.")
        lv_names = list(levels)
        lv_p = np.asarray([levels[k] for k in lv_names], dtype=float)
        lv = rng.choice(lv_names, size=n, p=lv_p / lv_p.sum())
        female = rng.random(n) < female_share
        jpt = np.char.startswith(lv.astype(str), "jpt")
        birth = np.where(jpt, rng.integers(1966, 1981, n), rng.integers(1968, 1999, n))
        ids = []
        for i in range(n):
            serial += 1
            month = rng.integers(1, 13)
            day = rng.integers(1, 29)
            tmt = birth[i] + rng.integers(23, 30)
            stem = f"{birth[i]:04d}{month:02d}{day:02d}{tmt:04d}{rng.integers(1, 13):02d}{2 if female[i] else 1}"
            nip = f"{stem}{serial % 1000:03d}"
            while nip in used_ids:  # a national cohort can repeat a birth date, TMT and serial: next serial
                serial += 1
                nip = f"{stem}{serial % 1000:03d}"
            used_ids.add(nip)
            ids.append(nip)
        names = [f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" for _ in range(n)]

        general = rng.normal(0, np.sqrt(vc["candidate"]), n)
        pd_eff = rng.normal(0, np.sqrt(vc["candidate:competency"]), (n, len(competencies)))
        pe_eff = rng.normal(0, np.sqrt(vc["candidate:exercise"]), (n, len(exercises)))
        mu = np.array([LEVEL_MEANS.get(x, 3.0) for x in lv]) + gender_gap * np.sqrt(
            vc["candidate"]) * female
        pool = max(assessors_per_exercise + 1, int(round(n * assessors_per_exercise / candidates_per_assessor)))
        ass_ids = {e: [f"{agency}-{e[:3].upper()}{k + 1:02d}" for k in range(pool)] for e in exercises}
        ass_eff = {e: rng.normal(0, np.sqrt(vc["assessor:exercise"]), pool) for e in exercises}
        for e in exercises:
            for k, a in enumerate(ass_ids[e]):
                leniency[a] = float(ass_eff[e][k])

        # assessor panels per candidate x exercise
        if assignment == "random":
            panels = np.stack([np.stack([rng.choice(pool, assessors_per_exercise, replace=False) for _ in range(n)])
                               for _ in exercises], axis=1)  # n x E x A
        else:  # sessions: panel s of every exercise rates the candidates of session s
            n_sessions = max(1, min(n, pool // assessors_per_exercise))
            session = (np.arange(n) * n_sessions // n)[rng.permutation(n)]
            slots = session[:, None] * assessors_per_exercise + np.arange(assessors_per_exercise)[None, :]
            panels = np.broadcast_to(slots[:, None, :], (n, len(exercises), assessors_per_exercise))
        observed = rng.random((n, len(cells))) >= missing_rate
        p_idx, c_idx = np.nonzero(observed)
        reps = assessors_per_exercise
        p_rep = np.repeat(p_idx, reps)
        c_rep = np.repeat(c_idx, reps)
        a_slot = np.tile(np.arange(reps), len(p_idx))
        e_rep = cell_e[c_rep]
        a_num = panels[p_rep, e_rep, a_slot]
        a_eff = np.array([ass_eff[exercises[e]][a] for e, a in zip(e_rep, a_num)]) if len(p_rep) else np.zeros(0)
        y = (mu[p_rep] + general[p_rep] + cell_fixed[c_rep] + pd_eff[p_rep, cell_d[c_rep]]
             + pe_eff[p_rep, e_rep] + a_eff + rng.normal(0, np.sqrt(vc["candidate:competency:exercise:assessor"]),
                                                        len(p_rep)))
        if rounding is not None:
            y = np.clip(np.round(y / rounding) * rounding, 1.0, 5.0)
        ids_arr = np.asarray(ids)
        rating_frames.append(pd.DataFrame({
            "agency": agency,
            "candidate": ids_arr[p_rep],
            "competency": np.asarray(competencies)[cell_d[c_rep]],
            "exercise": np.asarray(exercises)[e_rep],
            "assessor": [ass_ids[exercises[e]][a] for e, a in zip(e_rep, a_num)],
            "score": y,
        }))

        # overall assessment rating (observed) per candidate
        oar = pd.Series(y).groupby(p_rep).mean().reindex(range(n)).to_numpy()
        oar_z = (oar - np.nanmean(oar)) / np.nanstd(oar)
        oar_z = np.nan_to_num(oar_z)
        # psychological test
        zg = general / np.sqrt(vc["candidate"]) if vc["candidate"] > 0 else np.zeros(n)
        theta = cognitive_g_correlation * zg + np.sqrt(1 - cognitive_g_correlation**2) * rng.normal(size=n)
        latent = theta[:, None] * loadings[None, :] + np.sqrt(1 - loadings**2)[None, :] * rng.normal(size=(n, n_items))
        resp = 1 + np.searchsorted(np.array([-1.5, -0.5, 0.5, 1.5]), latent)
        items = pd.DataFrame(resp.astype(float), columns=[f"item{j + 1:02d}" for j in range(n_items)])
        items.insert(0, "candidate", ids)
        item_frames.append(items)
        # criterion
        perf_true = true_validity * zg + np.sqrt(1 - true_validity**2) * rng.normal(size=n)
        err_sd = np.sqrt((1 - criterion_reliability) / criterion_reliability)
        perf_obs_z = perf_true + err_sd * rng.normal(size=n)
        perf_obs = np.clip(80 + 6 * perf_obs_z, 0, 100)
        score_sel = oar_z + selection_noise * rng.normal(size=n)
        k = max(1, int(round(selection_ratio * n)))
        selected = np.zeros(n, dtype=int)
        selected[np.argsort(-score_sel)[:k]] = 1
        perf_col = np.where(selected == 1, np.round(perf_obs, 1), np.nan)
        promoted = np.zeros(n, dtype=int)
        sel_idx = np.flatnonzero(selected)
        if len(sel_idx) > 1:
            promoted[sel_idx[perf_obs[sel_idx] > np.median(perf_obs[sel_idx])]] = 1
        cand_frames.append(pd.DataFrame({
            "candidate": ids,
            "name": names,
            "agency": agency,
            "position_level": lv,
            "gender": np.where(female, "P", "L"),
            "birth_year": birth.astype(int),
            "cognitive": resp.sum(axis=1).astype(float),
            "performance": perf_col,
            "promoted": promoted,
            "selected": selected,
        }))
        true_frames.append(pd.DataFrame({"candidate": ids, "agency": agency, "general": general,
                                         "performance_true": perf_true, "oar": oar}))

    ratings = pd.concat(rating_frames, ignore_index=True)
    candidates = pd.concat(cand_frames, ignore_index=True)
    items = pd.concat(item_frames, ignore_index=True)
    true_scores = pd.concat(true_frames, ignore_index=True)
    ok = true_scores["oar"].notna()
    # operational validity: corr(observed OAR, true performance) in the applicant pool (within agency, pooled)
    zo = true_scores.groupby("agency")["oar"].transform(lambda s: (s - s.mean()) / s.std())
    op_val = float(np.corrcoef(zo[ok], true_scores.loc[ok, "performance_true"])[0, 1])
    lam = loadings
    truth = {
        "variance_components": vc,
        "competency_effects": {k: float(v) for k, v in comp_eff.items()},
        "exercise_effects": {k: float(v) for k, v in ex_eff.items()},
        "assessor_leniency": leniency,
        "design": {e: list(cs) for e, cs in design.items()},
        "true_competency_correlation": vc["candidate"] / (vc["candidate"] + vc["candidate:competency"])
        if (vc["candidate"] + vc["candidate:competency"]) > 0 else float("nan"),
        "item_loadings": lam.tolist(),
        "item_omega_latent": float(lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum())),
        "true_validity": float(true_validity),
        "operational_validity": op_val,
        "criterion_reliability": float(criterion_reliability),
        "selection_ratio": float(selection_ratio),
        "gender_gap": float(gender_gap),
        "rounding": rounding,
        "seed": seed,
        "true_scores": true_scores,
    }
    return SimulatedAssessment(ratings, candidates, items, truth)


def add_previous_occasion(
    sim: SimulatedAssessment,
    agency: str,
    *,
    years: int = 5,
    current: tuple[str, str] = ("2026", "2026-08-17"),
    retest_gain: float = 0.15,
    change_share: float = 0.3,
    change_sd: float = 0.35,
    attrition: float = 0.2,
    assessor_turnover: float = 0.5,
    seed: int | None = None,
) -> SimulatedAssessment:
    """Give one agency of a simulation an earlier assessment occasion (a re-assessed cohort).

    Every rating of ``sim`` belongs to the current occasion (label and date
    ``current``, written to new ``occasion`` and ``assessment_date`` columns).
    For ``agency``, an occasion ``years`` earlier is added: a ``1 - attrition``
    share of today's candidates was assessed then too (same NIP), and as many
    others as left since (new NIPs, assessed only then) complete the earlier
    cohort.  The model of :func:`simulate_assessment` holds at both occasions;
    between them a person's general level moves by ``retest_gain`` (practice
    and familiarity, everyone; in rating points) plus, for a ``change_share`` of
    the persons, a real change drawn from ``N(0, change_sd^2)``.  Candidate x
    competency and candidate x exercise effects are drawn again (occasion
    specific), and a ``assessor_turnover`` share of each exercise's assessor
    pool is new (the others keep their leniency).

    ``truth["reassessment"]`` holds the occasions, the parameters and, per
    person present at both, the true change of the general level
    (``truth["reassessment_change"]``, a Series by NIP, not written to
    ``truth.json``).
    """
    if agency not in set(sim.ratings["agency"]):
        raise ValueError(f"agency={agency!r} is not in the simulation; agencies: {sorted(set(sim.ratings['agency']))}.")
    if not (isinstance(years, int) and years >= 1):
        raise ValueError(f"years must be a positive integer; got years={years!r}.")
    for name, v in (("attrition", attrition), ("change_share", change_share), ("assessor_turnover", assessor_turnover)):
        if not (0 <= v < 1):
            raise ValueError(f"{name} must be in [0, 1); got {name}={v!r}.")
    rng = np.random.default_rng(seed)
    label_now, date_now = current
    date_then = pd.Timestamp(date_now) - pd.DateOffset(years=years)
    label_then = str(int(label_now) - years) if str(label_now).isdigit() else f"{label_now} - {years}"
    vc = sim.truth["variance_components"]
    ratings = sim.ratings.copy()
    if "occasion" not in ratings:
        ratings["occasion"] = label_now
        ratings["assessment_date"] = pd.Timestamp(date_now)
    r_now = ratings[ratings["agency"] == agency]
    cands = sim.candidates.copy()
    c_now = cands[cands["agency"] == agency]
    true_now = sim.truth["true_scores"].set_index("candidate")
    ids_now = list(c_now["candidate"])
    n = len(ids_now)
    n_stay = int(round((1 - attrition) * n))
    stay = sorted(rng.choice(n, n_stay, replace=False).tolist())
    n_gone = n - n_stay
    # persons who were assessed then but have left since: new NIPs from the stem of a current one
    gone_rows = c_now.iloc[rng.choice(n, n_gone, replace=True)].copy() if n_gone else c_now.iloc[:0].copy()
    used = set(cands["candidate"])
    new_ids = []
    for stem in gone_rows["candidate"].astype(str):
        k = 1
        while f"{stem[:-3]}{(int(stem[-3:]) + 500 + k) % 1000:03d}" in used:
            k += 1
        nid = f"{stem[:-3]}{(int(stem[-3:]) + 500 + k) % 1000:03d}"
        used.add(nid)
        new_ids.append(nid)
    gone_rows["candidate"] = new_ids
    gone_rows["name"] = [f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" for _ in range(n_gone)]
    for col in ("performance", "cognitive"):
        if col in gone_rows:
            gone_rows[col] = np.nan
    for col in ("promoted", "selected"):
        if col in gone_rows:
            gone_rows[col] = 0
    then_ids = [ids_now[i] for i in stay] + new_ids
    general_now = true_now.loc[[ids_now[i] for i in stay], "general"].to_numpy()
    real = np.where(rng.random(n_stay) < change_share, rng.normal(0, change_sd, n_stay), 0.0)
    # the earlier level: today's minus the retest gain and the real change since
    general_then = np.concatenate([general_now - retest_gain - real,
                                   rng.normal(0, np.sqrt(vc["candidate"]), n_gone)])
    level_mean = {c: LEVEL_MEANS.get(str(lv), 3.0) for c, lv in zip(cands["candidate"], cands["position_level"])}
    mu = np.array([level_mean.get(i, level_mean[ids_now[0]]) for i in [ids_now[i] for i in stay]]
                  + [LEVEL_MEANS.get(str(lv), 3.0) for lv in gone_rows["position_level"]])
    # the same cells (competency x exercise) and assessors per cell as today
    cells = r_now[["competency", "exercise"]].drop_duplicates().to_numpy()
    per_cell = int(r_now.groupby(["candidate", "competency", "exercise"]).size().max())
    competencies = sorted({c for c, _ in cells})
    exercises = sorted({e for _, e in cells})
    comp_eff = sim.truth["competency_effects"]
    ex_eff = sim.truth["exercise_effects"]
    leniency = dict(sim.truth["assessor_leniency"])
    pools = {}
    for e in exercises:
        pool = sorted(set(r_now.loc[r_now["exercise"] == e, "assessor"]))
        keep = [a for a in pool if rng.random() >= assessor_turnover]
        new = [f"{a}-{label_then}" for a in pool if a not in keep]
        for a in new:
            leniency[a] = float(rng.normal(0, np.sqrt(vc["assessor:exercise"])))
        pools[e] = keep + new
    m = len(then_ids)
    pd_eff = rng.normal(0, np.sqrt(vc["candidate:competency"]), (m, len(competencies)))
    pe_eff = rng.normal(0, np.sqrt(vc["candidate:exercise"]), (m, len(exercises)))
    rows = []
    for i, cid in enumerate(then_ids):
        for comp, ex in cells:
            if rng.random() < 0.03:
                continue
            panel = rng.choice(len(pools[ex]), min(per_cell, len(pools[ex])), replace=False)
            for a in np.asarray(pools[ex])[panel]:
                y = (mu[i] + general_then[i] + comp_eff[comp] + ex_eff[ex] + pd_eff[i, competencies.index(comp)]
                     + pe_eff[i, exercises.index(ex)] + leniency[a]
                     + rng.normal(0, np.sqrt(vc["candidate:competency:exercise:assessor"])))
                rows.append((agency, cid, comp, ex, a, y))
    then = pd.DataFrame(rows, columns=["agency", "candidate", "competency", "exercise", "assessor", "score"])
    if sim.truth.get("rounding") is not None:
        step = float(sim.truth["rounding"])
        then["score"] = np.clip(np.round(then["score"] / step) * step, 1.0, 5.0)
    then["occasion"] = label_then
    then["assessment_date"] = date_then
    ratings = pd.concat([then, ratings], ignore_index=True)
    candidates = pd.concat([cands, gone_rows], ignore_index=True)
    truth = dict(sim.truth)
    truth["assessor_leniency"] = leniency
    truth["reassessment"] = {"agency": agency, "occasions": [label_then, label_now],
                             "dates": [str(date_then.date()), str(pd.Timestamp(date_now).date())],
                             "retest_gain": float(retest_gain), "change_share": float(change_share),
                             "change_sd": float(change_sd), "attrition": float(attrition),
                             "assessor_turnover": float(assessor_turnover), "n_both": int(n_stay),
                             "n_first_only": int(n_gone), "n_second_only": int(n - n_stay)}
    truth["reassessment_change"] = pd.Series(retest_gain + real, index=[ids_now[i] for i in stay],
                                             name="true_change")
    return SimulatedAssessment(ratings, candidates, sim.items, truth)


#: The sample's re-assessed cohort: the JPT Pratama of the province, first assessed five years before the
#: current cycle.
SAMPLE_REASSESSED = "pemprov_nusa_makmur_jpt"


def make_sample_data(out_dir="data_samples", *, seed: int = 20261124) -> list[Path]:
    """Regenerate the committed sample data (six agencies, one with an earlier occasion) into ``out_dir``."""
    sim = simulate_assessment(SAMPLE_AGENCIES, seed=seed)
    sim = add_previous_occasion(sim, SAMPLE_REASSESSED, years=5, seed=seed + 1)
    return sim.write(out_dir, ratings_format="parquet")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Regenerate psikometri's sample data with the simulator.")
    ap.add_argument("--out", default="data_samples")
    ap.add_argument("--seed", type=int, default=20261124)
    args = ap.parse_args(argv)
    for p in make_sample_data(args.out, seed=args.seed):
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
