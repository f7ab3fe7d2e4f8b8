"""End-to-end equality of ``results.json`` with the library, for every sample agency.

Contract: for each sample agency, each figure of ``results.json`` equals the value of the public psikometri
function that produces it, computed independently here on that agency's data (absolute tolerance 1e-12).

How:

* the report is built once per agency (``AgencyContext.load`` + ``write_results``) and its ``results.json`` is
  read back as strict JSON;
* independently, this file loads the agency's data with the public loader (``load_assessment(...).for_agency``),
  derives the documented inputs with the public helpers (``psikometri.talent.overall_rating``: the overall
  assessment rating, the mean of a candidate's ratings; ``psikometri.talent.achieved_levels``: the achieved
  competency levels) or itself (age groups...) and calls the public functions with the report's parameters;
  ``test_score_helpers_follow_the_documented_rules`` checks the two helpers against the rules restated here;
* ``_expected_<section>`` mirrors each section's ``results`` with the value the library gives; the comparison
  walks both trees, so a figure the report drops, or one it adds without an expectation here, fails the test
  (plus ``test_every_figure_of_results_json_is_checked``, which walks the whole file against an explicit
  allow-list of metadata).

A few figures rest on a rule of the report rather than on one public function; this file restates each rule
from its documentation instead of calling the report's code: the group of the lowest impact ratio and the
smallest Cleary p (summary), the four-level verdicts, the interval of the potential reliability, and which
nine-box counts are hidden (``suppression_mask``, the report's privacy rule, tested in test_report).
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import psikometri
from psikometri.agreement import assessor_diagnostics, cell_ratings, icc, krippendorff_alpha
from psikometri.construct import ac_cfa_models, mtmm
from psikometri.factor import measurement_invariance
from psikometri.fairness import adverse_impact, dif, differential_prediction
from psikometri.gtheory import g_study
from psikometri.io import DataWarning, design_summary, independent_round, load_assessment
from psikometri.reliability import reliability_summary
from psikometri.report import SECTION_KEYS, AgencyContext
from psikometri.report.sections import DEFAULT_STANDARDS, suppression_mask
from psikometri.reassessment import decision_consistency, reliable_change, test_retest, transition_table
from psikometri.talent import achieved_levels, job_person_match, jpm_category, overall_rating, placement_consistency
from psikometri.validity import incremental_validity, validity_study

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data_samples"
AGENCIES = tuple(psikometri.SAMPLE_AGENCIES)
SMALL = tuple(a for a in AGENCIES if psikometri.SAMPLE_AGENCIES[a][0] < 1000)

#: The report's parameters, passed explicitly so that the expectations below use the very same values.
N_BOOT = 30  # small: the test is about equality, not about the width of the intervals
SEED = 20260611
STANDARDS = dict(DEFAULT_STANDARDS)
CRITERION_RELIABILITY = 0.52
POTENTIAL_CUTS = (78.0, 90.0)
PERFORMANCE_CUTS = (70.0, 85.0)
JPM_CUTS = (78.0, 90.0)
MIN_GROUP = 5
REFERENCE_YEAR = 2026
CTX_PARAMS = dict(lang="id", n_boot=N_BOOT, seed=SEED, standards=STANDARDS, criterion_reliability=CRITERION_RELIABILITY,
                  potential_cuts=POTENTIAL_CUTS, performance_cuts=PERFORMANCE_CUTS, jpm_cuts=JPM_CUTS,
                  min_group_size=MIN_GROUP, reference_year=REFERENCE_YEAR)
#: Simulations of the nine-box decision consistency (the number the report asks placement_consistency for).
N_SIM = 2000

#: The contract's tolerance, for every figure, the REML fits included (G study; ICC of the unbalanced cells): both
#: sides run the same deterministic optimiser on the same rows in the same order, which gives the same bits (also
#: with 1 and with 2 numba/BLAS threads), so the iterative fits need no looser tolerance here.  One would be needed
#: only if the report fitted a reordered copy of the data (test_report checks row order at rel=1e-7).
ABS = 1e-12


# ----------------------------------------------------------------------------------------- the report


def _reject(token):
    raise AssertionError(f"results.json holds the non-JSON token {token}")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """``report(agency)``: that agency's results.json (written by the report, read back), built once."""
    cache = {}

    def get(agency):
        if agency not in cache:
            ctx = AgencyContext.load(DATA, agency, **CTX_PARAMS)
            path = ctx.write_results(tmp_path_factory.mktemp(agency) / "results.json")
            cache[agency] = json.loads(path.read_text(), parse_constant=_reject)
        return cache[agency]

    return get


# ------------------------------------------------------------------------- the library, independently

class Inputs:
    """One agency's data (public loader) and the documented inputs the report derives from it."""

    def __init__(self, agency, occasion=None):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            data = load_assessment(DATA).for_agency(agency)
        self.all_occasions = data if len(data.occasions) > 1 else None
        self.occasions = data.occasions
        if data.occasions:  # every section but the re-assessment one reads the latest occasion
            data = data.for_occasion(data.occasions[-1] if occasion is None else occasion)
        self.agency = agency
        r = data.ratings
        self.rating_round = None
        if "round" in r.columns:  # the independent (pre-consensus) round only
            self.rating_round = independent_round(r["round"].astype(str))
            r = r[r["round"].astype(str) == self.rating_round].drop(columns="round")
        self.ratings = r
        self.candidates = data.candidates
        self.items = data.items
        # overall assessment rating: the mean of all ratings of a candidate (the public helper; its rule is
        # checked in test_score_helpers_follow_the_documented_rules)
        oar = overall_rating(r)
        oar.index = oar.index.astype(str)
        c = data.candidates.copy()
        c["candidate"] = c["candidate"].astype(str)
        c = c[c["candidate"].isin(oar.index)].set_index("candidate")  # candidates with ratings, file order
        c["oar"] = oar.reindex(c.index)
        self.cand = c
        self._g = None
        self._fair = None
        self._sections = {}

    # the G study is shared by gtheory, validity (rxxa) and talent (potential reliability)
    def gstudy(self):
        if self._g is None:
            r = self.ratings
            facets = [f for f in ("competency", "exercise", "assessor") if r[f].nunique() >= 2]
            per_cell = r.groupby(["candidate", "competency", "exercise"], observed=True)["assessor"].nunique().max()
            if per_cell < 2 and "assessor" in facets:
                facets.remove("assessor")
            g = g_study(r, score="score", person="candidate", facets=facets,
                        nested={"assessor": "exercise"} if "assessor" in facets else None, method="auto")
            oar = g.oar_reliability(fixed=["competency"], level=0.95)
            # keep the figures only (the REML object of the province is large)
            self._g = {"method": g.method, "n_persons": int(g.n_persons), "n_obs": int(g.n_obs),
                       "components": g.components.copy(), "oar": oar.copy(), "facets": facets}
        return self._g

    def section(self, key, sections):
        """The expected ``results`` of section ``key``; ``sections`` (the report's) is read for the status of a
        section left out for too few data, never for a figure."""
        if key not in self._sections:
            self._sections[key] = EXPECTED[key](self, sections)
        return self._sections[key]


@pytest.fixture(scope="module")
def inputs():
    cache = {}

    def get(agency):
        if agency not in cache:
            cache[agency] = Inputs(agency)
        return cache[agency]

    return get


def _nan_to_none(x):
    if x is None:
        return None
    if isinstance(x, (bool, np.bool_, str)):
        return x
    x = float(x)
    return x if math.isfinite(x) else None


def _est(est):
    return {"value": est.value, "ci_low": est.ci_low, "ci_high": est.ci_high, "n": int(est.n)}


def _too_few(rep, n):
    """A section the report left out for too few data: its count must be ours and below the report's need.

    ``need`` is the report's minimum (a setting of sections.MIN, not a figure of the data): taken as it is; what
    is checked is the count, and that it falls short of the minimum."""
    assert rep["status"] == "too_few", rep
    assert n < rep["results"]["need"], (n, rep["results"])
    return {"status": "too_few", "n": int(n), "need": rep["results"]["need"]}


def _expected_data(d: Inputs, sections):
    ds = design_summary(d.ratings, d.candidates)
    assert len(ds) == 1
    row = ds.iloc[0]
    out = {k: row[k] for k in row.index if k != "occasions"}  # the report's data are one occasion
    # the counts, once more straight from the ratings
    r = d.ratings
    assert out["candidates"] == r["candidate"].nunique() and out["ratings"] == len(r)
    assert out["assessors"] == r["assessor"].nunique()
    out |= {"rating_round": d.rating_round}
    if d.occasions:
        expired = d.all_occasions.expired_occasions() if d.all_occasions is not None else []
        out |= {"occasion": d.occasions[-1], "occasions": list(d.occasions), "expired_occasions": expired}
        if expired:
            ra = d.all_occasions.ratings
            occ = ra["occasion"].astype(str)
            only_old = (set(ra.loc[occ.isin(expired), "candidate"].astype(str))
                        - set(ra.loc[~occ.isin(expired), "candidate"].astype(str)))
            out["n_expired_only"] = _shown(len(only_old))
    return out


def _expected_reliability(d: Inputs, sections):
    rep = sections["reliability"]
    if d.items is None or d.items.shape[1] < 3:
        return None
    it = d.items.drop(columns="candidate")
    n_complete = int(it.dropna().shape[0])
    if rep["status"] == "too_few":
        return _too_few(rep, n_complete)
    tab = reliability_summary(it, ci="bca", n_boot=N_BOOT, seed=SEED)
    out = {}
    for k in ("cronbach_alpha", "omega_total"):
        row = tab.loc[k]
        assert int(row["n"]) == n_complete
        out[k] = {"value": row["value"], "ci_low": row["ci_low"], "ci_high": row["ci_high"], "n": int(row["n"])}
    return out


def _expected_agreement(d: Inputs, sections):
    rep = sections["agreement"]
    cells = cell_ratings(d.ratings)
    if cells.shape[1] < 2:
        return None
    if rep["status"] == "too_few":
        return _too_few(rep, len(cells))
    cand = cells.index.get_level_values("candidate")
    tab = icc(cells.reset_index(drop=True), missing="reml", clusters=cand, n_boot=N_BOOT, seed=SEED)
    ka = krippendorff_alpha(cells.reset_index(drop=True), level_of_measurement="interval", n_boot=N_BOOT, seed=SEED)
    diag = assessor_diagnostics(d.ratings)
    i1, i1k = tab.loc["ICC1"], tab.loc["ICC1k"]
    assert tab.attrs["n_clusters"] == cand.nunique() and cells.attrs["n_cells_used"] == len(cells)
    assert len(diag) == d.ratings["assessor"].nunique()
    return {"ICC1": i1["icc"], "ICC1_ci": [i1["boot_ci_low"], i1["boot_ci_high"]],
            "ICC1_ci_f": [i1["ci_low"], i1["ci_high"]],
            "ICC1k": i1k["icc"], "ICC1k_ci": [i1k["boot_ci_low"], i1k["boot_ci_high"]],
            "n_clusters": int(tab.attrs["n_clusters"]), "n_cells": int(cells.attrs["n_cells_used"]),
            "krippendorff_alpha": _est(ka), "n_assessors": len(diag), "n_flagged": int(diag["flagged"].sum())}


def _expected_gtheory(d: Inputs, sections):
    rep = sections["gtheory"]
    if rep["status"] == "too_few":
        return _too_few(rep, d.ratings["candidate"].nunique())
    g = d.gstudy()
    o, comp = g["oar"], g["components"]
    return {"method": g["method"], "n_persons": g["n_persons"], "n_ratings": g["n_obs"],
            "g_coefficient": o["g_coefficient"],
            "g_coefficient_ci": [o["g_coefficient_ci_low"], o["g_coefficient_ci_high"]],
            "phi": o["phi"], "phi_ci": [o["phi_ci_low"], o["phi_ci_high"]],
            "components": {str(k): v for k, v in comp["variance"].items()},
            "components_ci": {str(k): [comp.loc[k, "ci_low"], comp.loc[k, "ci_high"]]
                              for k in comp.index},
            "percent": {str(k): v for k, v in comp["percent"].items()}}


def _expected_construct(d: Inputs, sections):
    rep = sections["construct"]
    n = d.ratings["candidate"].nunique()
    if rep["status"] == "too_few":
        return _too_few(rep, n)
    m = mtmm(d.ratings, person="candidate", trait="competency", method="exercise", score="score", n_boot=N_BOOT,
             seed=SEED)
    assert m.n_persons == n
    out = {"convergent": _est(m.convergent), "heterotrait_monomethod": _est(m.heterotrait_monomethod),
           "heterotrait_heteromethod": _est(m.heterotrait_heteromethod), "n": int(n)}
    try:
        models = ac_cfa_models(d.ratings, person="candidate", trait="competency", method="exercise", score="score")
    except ValueError:  # too few candidates with every score: the report says so and gives no model
        return {**out, "cfa_models": None}
    # the report's documented reading, restated: the admissible models; the smallest BIC and AIC among them; among
    # the admissible models with both dimension- and exercise-type factors (CDCE, CDCU, 1D-CE, G-BD-CE) the one
    # with the smallest BIC, read as general + exercises (1D-CE) or by the larger of the competency-specific
    # (dimension minus general) and the exercise share
    ok = models[models["converged"] & models["admissible"] & models["bic"].notna()]
    reading = {"admissible": list(ok.index), "best_bic": None, "best_aic": None, "compared": None, "carrier": None}
    if len(ok):
        reading["best_bic"], reading["best_aic"] = ok["bic"].idxmin(), ok["aic"].idxmin()
        both = ok[ok.index.isin(["CDCE", "CDCU", "1D-CE", "G-BD-CE"])]
        if len(both):
            best = both["bic"].idxmin()
            reading["compared"] = best
            gen = both.loc[best, "general_share"]
            comp = both.loc[best, "dimension_share"] - (0.0 if math.isnan(gen) else gen)
            reading["carrier"] = ("general_exercises" if best == "1D-CE" else
                                  "dimensions" if comp > both.loc[best, "exercise_share"] else "exercises")
    cols = ("chisq", "df", "cfi", "rmsea", "srmr", "aic", "bic", "converged", "admissible", "dimension_share",
            "general_share", "exercise_share")
    return {**out, "cfa_models": {k: {c: (bool(v) if isinstance(v, np.bool_) else v) for c in cols
                                      for v in [models.loc[k, c]]} for k in models.index},
            "cfa_n": int(models["n_persons"].iloc[0]), "cfa_reading": reading}


def _g_coefficient(d: Inputs, kind):
    """The reliability of the OAR the report uses for corrections: the G study's (no ICC fallback is needed for
    the sample agencies, whose G studies all give one)."""
    v = float(d.gstudy()["oar"][kind])
    assert math.isfinite(v)
    return v


def _expected_validity(d: Inputs, sections):
    rep = sections["validity"]
    c = d.cand
    n_crit = int(c["performance"].notna().sum())
    if rep["status"] == "too_few":
        return _too_few(rep, n_crit)
    rxxa = _g_coefficient(d, "g_coefficient")
    vs = validity_study(c[["oar", "performance"]], predictor="oar", criterion="performance", rxxa=min(rxxa, 1.0),
                        ryyi=CRITERION_RELIABILITY, case="IV", n_boot=N_BOOT, seed=SEED)
    op = vs.loc["operational"]
    assert vs.loc["observed", "n"] == n_crit and vs.attrs["rxxa"] == min(rxxa, 1.0)
    # rxxa: the reliability of the OAR (relative error, for a correlation) is the G study's E rho^2
    return {"observed_r": vs.loc["observed", "r"], "n": int(vs.loc["observed", "n"]),
            "operational": {"value": op["r"], "ci_low": op["ci_low"], "ci_high": op["ci_high"]},
            "rxxa": rxxa, "ryyi": vs.attrs["ryyi"], "u": vs.attrs["u"], "case": vs.attrs["case"]}


def _expected_incremental(d: Inputs, sections):
    rep = sections["incremental"]
    dd = d.cand[["performance", "cognitive", "oar"]].dropna()
    if rep["status"] == "too_few":
        return _too_few(rep, len(dd))
    iv = incremental_validity(dd, criterion="performance", base=["cognitive"], added=["oar"], n_boot=N_BOOT,
                              seed=SEED)
    return {"delta_r2": iv.delta, "delta_r2_ci": list(iv.delta_ci), "p": iv.p_value, "n": int(iv.n)}


FAIRNESS_REFERENCE = {"gender": "L", "age_group": "< 40"}  # men; the youngest band (else the largest group)


def _fairness(d: Inputs):
    """Figures of the fairness section plus the worst impact ratio and the Cleary p values (for the summary)."""
    if d._fair is not None:
        return d._fair
    c = d.cand.copy()
    age = REFERENCE_YEAR - c["birth_year"].astype(float)
    c["age_group"] = pd.cut(age, [0, 40, 50, 200], right=False, labels=["< 40", "40-49", ">= 50"])
    c["gender"] = c["gender"].astype(str)
    res, worst, cleary = {}, None, []
    for g in ("gender", "age_group"):
        counts = c[g].value_counts()
        keep = counts.index[counts >= MIN_GROUP]  # groups under the minimum size are left out
        if len(keep) < 2:
            continue
        sub = c[c[g].isin(keep)]
        if isinstance(sub[g].dtype, pd.CategoricalDtype):
            sub = sub.assign(**{g: sub[g].cat.remove_unused_categories()})
        present = set(sub[g].astype(object))
        ref = FAIRNESS_REFERENCE[g] if FAIRNESS_REFERENCE[g] in present else sub[g].value_counts().idxmax()
        res[f"reference_{g}"] = str(ref)
        ai = adverse_impact(sub, group=g, selected="selected")
        row = ai.loc[ai["impact_ratio"].idxmin()]  # the group the four-fifths rule is worst for
        res[f"impact_ratio_{g}"] = {"value": row["impact_ratio"], "ci_low": row["ci_low"], "ci_high": row["ci_high"],
                                    "reference": str(ai.attrs["reference"])}
        if worst is None or row["impact_ratio"] < worst[0]:
            worst = (float(row["impact_ratio"]), float(row["ci_low"]), float(row["ci_high"]))
        dsub = sub.dropna(subset=["performance"])
        gc = dsub[g].value_counts()
        if len(dsub) >= 20 and (gc >= MIN_GROUP).sum() >= 2:
            dsub = dsub[dsub[g].isin(gc.index[gc >= MIN_GROUP])]
            if isinstance(dsub[g].dtype, pd.CategoricalDtype):
                dsub = dsub.assign(**{g: dsub[g].cat.remove_unused_categories()})
            dp = differential_prediction(dsub, predictor="oar", criterion="performance", group=g,
                                         reference=ref if ref in set(dsub[g].astype(object)) else None)
            p = float(dp.tests.loc["omnibus", "p"])
            res[f"differential_prediction_{g}_p"] = p
            if math.isfinite(p):
                cleary.append(p)
    res.update(_measurement_fairness(d, c))
    d._fair = (res, worst, cleary)
    return d._fair


#: Group sizes of the measurement-fairness analyses (the report's documented minimums).
MIN_INVARIANCE, MIN_DIF = 50, 30


def _measurement_fairness(d: Inputs, c: pd.DataFrame) -> dict:
    """Measurement invariance (one factor over the test's items) and Mantel-Haenszel DIF (Holm), by group."""
    if d.items is None or d.items.shape[1] < 5:
        return {}
    it = d.items.assign(candidate=d.items["candidate"].astype(str)).set_index("candidate").dropna()
    it = it.loc[it.index.intersection(c.index)].sort_index()
    cols = list(it.columns)
    out = {}
    for g in ("gender", "age_group"):
        grp = c.loc[it.index, g].astype(object).astype(str)
        counts = grp.value_counts()
        order = [str(v) for v in c[g].cat.categories] if g == "age_group" else sorted(counts.index)
        keep = [lv for lv in order if counts.get(lv, 0) >= MIN_INVARIANCE]
        if len(keep) >= 2:
            m = grp.isin(keep).to_numpy()
            # Chen's (2007) cut-offs: .005 / .010 for 300 people or fewer, else .01 / .015
            cfi_cut, rmsea_cut = (0.005, 0.010) if m.sum() <= 300 else (0.01, 0.015)
            mi = measurement_invariance(it[m].assign(grp=grp[m].to_numpy()), {"test": cols}, "grp", cfi_cut=cfi_cut,
                                        rmsea_cut=rmsea_cut, group_levels=keep)
            out[f"invariance_{g}"] = {
                "highest_level": mi.attrs["highest_level"], "groups": keep, "n": int(m.sum()), "cfi_cut": cfi_cut,
                "rmsea_cut": rmsea_cut,
                "models": {lv: {"chisq": mi.loc[lv, "chisq"], "df": int(mi.loc[lv, "df"]), "cfi": mi.loc[lv, "cfi"],
                                "rmsea": mi.loc[lv, "rmsea"], "srmr": mi.loc[lv, "srmr"],
                                "decision": mi.loc[lv, "decision"]} for lv in mi.index}}
        keep_dif = [lv for lv in order if counts.get(lv, 0) >= MIN_DIF]
        ref = FAIRNESS_REFERENCE[g]
        if ref not in keep_dif:
            ref = max(keep_dif, key=lambda lv: (counts[lv], lv)) if keep_dif else None
        for focal in [lv for lv in keep_dif if lv != ref]:
            m = grp.isin([ref, focal]).to_numpy()
            res = dif(it[m], grp[m], method="mh", focal=focal, p_adjust="holm", min_group=MIN_DIF)
            size = "smd_sd" if res.attrs["polytomous"] else "delta_mh"
            out[f"dif_{g}_{focal}"] = {
                "reference": ref, "focal": focal, "n": int(m.sum()), "polytomous": bool(res.attrs["polytomous"]),
                "flagged": [i for i in res.index if res.loc[i, "ets"] in ("B", "C", "BB", "CC")],
                "significant_holm": [i for i in res.index if res.loc[i, "flag"]],
                "ets": dict(res["ets"]), size: dict(res[size]), "p_adjusted": dict(res["p_adjusted"])}
    return out


def _expected_fairness(d: Inputs, sections):
    return _fairness(d)[0]


def _achieved_levels(d: Inputs) -> pd.DataFrame:
    """Candidate x competency achieved level (the public helper: the mean of the candidate's ratings on the
    competency, rounded half up and kept within 1-5)."""
    m = achieved_levels(d.ratings)
    m.index = m.index.astype(str)
    return m


def _documented_oar(r: pd.DataFrame) -> pd.Series:
    """The report's documented OAR, restated: the mean of all ratings of a candidate."""
    oar = r.groupby("candidate", observed=True)["score"].mean()
    oar.index = oar.index.astype(str)
    return oar


def _documented_levels(r: pd.DataFrame) -> pd.DataFrame:
    """The report's documented achieved levels, restated: mean rating per candidate and competency, rounded half
    up, within 1-5."""
    m = r.groupby(["candidate", "competency"], observed=True)["score"].mean().unstack("competency")
    m.index = m.index.astype(str)
    m.columns = m.columns.astype(str)
    return np.clip(np.floor(m + 0.5), 1, 5)


def _jpm(d: Inputs) -> pd.Series:
    c = d.cand
    ach = _achieved_levels(d).loc[c.index]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*lack a level on a required competency", category=UserWarning)
        return job_person_match(ach, c["position_level"].astype(str))


def _talent(d: Inputs):
    c = d.cand
    jpm = _jpm(d)
    cat = jpm_category(jpm, scheme="mapping", cuts=JPM_CUTS)
    # category totals, hidden (None) where the position x category table hides a cell of that category
    tab = pd.crosstab(c["position_level"].astype(str), cat)
    hidden = suppression_mask(tab, MIN_GROUP).any(axis=0)
    out = {"jpm_mean": jpm.mean(),
           "jpm_categories": {str(k): (None if h else int(tab[k].sum())) for k, h in zip(tab.columns, hidden)}}
    perf = c["performance"]
    ok = perf.notna() & jpm.notna()
    # potential reliability: Phi of the OAR (decisions at cut-offs), with its interval when it lies inside (0, 1)
    g = d.gstudy()["oar"]
    rel = _g_coefficient(d, "phi")
    # decision consistency of the JPM categories at the same reliability
    dc = decision_consistency(jpm, reliability=min(rel, 1.0), cuts=list(JPM_CUTS), labels=list(cat.cat.categories),
                              n_boot=N_BOOT, seed=SEED)
    jc = dc.attrs["consistency"]
    out |= {"jpm_consistency": {k: [jc.loc[k, "value"], jc.loc[k, "ci_low"], jc.loc[k, "ci_high"]] for k in jc.index},
            "jpm_sem_band": 1.959963984540054 * dc.attrs["model"]["sem"]}
    ci = (float(g["phi_ci_low"]), float(g["phi_ci_high"]))
    if not (all(math.isfinite(v) and 0 < v < 1 for v in ci) and ci[0] <= min(rel, 1.0) <= ci[1]):
        ci = None
    pc = placement_consistency(jpm[ok], perf[ok], potential_reliability=min(rel, 1.0),
                               performance_reliability=CRITERION_RELIABILITY, potential_cuts=POTENTIAL_CUTS,
                               performance_cuts=PERFORMANCE_CUTS, n_sim=N_SIM, seed=SEED, n_boot=N_BOOT, level=0.95,
                               potential_reliability_ci=ci)
    cons = pc.attrs["consistency"].loc["nine_box"]
    counts = pc["box"].value_counts().reindex(range(1, 10), fill_value=0)
    out |= {"n_nine_box": int(ok.sum()), "nine_box_agreement": cons["agreement"], "nine_box_kappa": cons["kappa"],
            "nine_box_kappa_ci": [cons["kappa_ci_low"], cons["kappa_ci_high"]],
            "potential_reliability_ci": list(ci) if ci else [None, None],
            "potential_reliability": rel, "potential_reliability_source": "phi",
            # the counts of the library's boxes; the report hides small ones (privacy rule tested in test_report)
            "box_counts": {str(k): None if hide else int(v) for (k, v), hide in
                           zip(counts.items(), suppression_mask(counts.to_frame().T, MIN_GROUP)[0])}}
    return out


def _expected_talent(d: Inputs, sections):
    rep = sections["talent"]
    if rep["status"] == "too_few":
        return _too_few(rep, len(d.cand))
    return _talent(d)


def _shown(n):
    """A count of persons as the report may show it: hidden (None) when 1-4."""
    return n if n == 0 or n >= MIN_GROUP else None


def _expected_reassessment(d: Inputs, sections):
    if d.all_occasions is None:
        return {"status": "absent"}
    first, last = d.occasions[-2], d.occasions[-1]
    p = Inputs(d.agency, occasion=first)
    o1, o2 = p.cand["oar"], d.cand["oar"]
    both = o1.index.intersection(o2.index)
    out = {"occasions": [first, last], "n_both": _shown(len(both)),
           "n_first_only": _shown(len(o1.index.difference(o2.index))),
           "n_second_only": _shown(len(o2.index.difference(o1.index)))}
    g1, g2 = _g_coefficient(p, "g_coefficient"), _g_coefficient(d, "g_coefficient")
    rows = ["ICC(A,1)", "ICC(C,1)", "pearson_r", "disattenuated_r", "mean_change", "d_z"]
    t_oar = test_retest(o1, o2, reliability_t1=g1, reliability_t2=g2)
    j1, j2 = _jpm(p), _jpm(d)
    t_jpm = test_retest(j1, j2)
    out |= {"oar": {k: {c: t_oar.loc[k, c] for c in ("value", "ci_low", "ci_high")} for k in rows},
            "jpm": {k: {c: t_jpm.loc[k, c] for c in ("value", "ci_low", "ci_high")} for k in rows},
            "g_coefficient": [g1, g2]}
    classes = ["improved", "no_reliable_change", "declined"]
    rcs = {}
    for method in ("jacobson_truax", "chelune"):
        rc = reliable_change(o1, o2, reliability=g1, method=method)
        counts = rc["classification"].value_counts().reindex(classes, fill_value=0)
        hidden = suppression_mask(counts.to_frame().T, MIN_GROUP)[0]
        rcs[method] = {k: (None if h else int(v)) for (k, v), h in zip(counts.items(), hidden)}
    out |= {"mdc": rc.attrs["mdc"], "sem": rc.attrs["sem"], "reliable_change": rcs}
    c1 = jpm_category(j1.dropna(), scheme="mapping", cuts=JPM_CUTS)
    c2 = jpm_category(j2.dropna(), scheme="mapping", cuts=JPM_CUTS)
    tt = transition_table(c1, c2, categories=list(c1.cat.categories), scores=(j1.dropna(), j2.dropna()))
    obs = tt.table.to_numpy(dtype=float)
    moves = pd.Series({"stayed": np.trace(obs), "up": np.triu(obs, 1).sum(), "down": np.tril(obs, -1).sum()})
    hidden = suppression_mask(moves.astype(int).to_frame().T, MIN_GROUP)[0]
    p1, p2 = _g_coefficient(p, "phi"), _g_coefficient(d, "phi")
    exp = tt.expected_by_error(min(p1, 1.0), min(p2, 1.0), list(JPM_CUTS)).to_numpy()
    out |= {"phi": [p1, p2],
            "moves": {k: (None if h else int(v)) for (k, v), h in zip(moves.items(), hidden)},
            "changed": _shown(int(moves["up"] + moves["down"])),
            "expected_moves": {"stayed": np.trace(exp), "up": np.triu(exp, 1).sum(), "down": np.tril(exp, -1).sum()}}
    if not np.asarray(suppression_mask(tt.table, MIN_GROUP)).any():
        out |= {"kappa": _est(tt.kappa), "weighted_kappa": _est(tt.weighted_kappa),
                "bowker": {"statistic": tt.bowker.statistic, "df": tt.bowker.df, "pvalue": tt.bowker.p},
                "stuart_maxwell": {"statistic": tt.stuart_maxwell.statistic, "df": tt.stuart_maxwell.df,
                                   "pvalue": tt.stuart_maxwell.p}}
    l1 = assessor_diagnostics(p.ratings)["leniency"]
    l2 = assessor_diagnostics(d.ratings)["leniency"]
    l1.index, l2.index = l1.index.astype(str), l2.index.astype(str)
    common = l1.dropna().index.intersection(l2.dropna().index)
    out["n_assessors_both"] = len(common)
    if len(common) >= 3:
        drift = test_retest(l1, l2)
        out |= {"drift_r": [drift.loc["pearson_r", c] for c in ("value", "ci_low", "ci_high")],
                "drift_mean_change": [drift.loc["mean_change", c] for c in ("value", "ci_low", "ci_high")]}
    return out


def _expected_summary(d: Inputs, sections):
    return {"indicators": _expected_indicators(d, sections)}


def _expected_methods(d: Inputs, sections):
    return {}


def _expected_settings(d: Inputs, agency):
    """The report's settings (results.json ``settings``): the parameters passed (CTX_PARAMS) and their sources.

    A parameter equal to its default is the default, with the default's reference; one that differs (or, for a
    setting whose default comes from the scheme or the data, one that is given) is a parameter of the call.
    """
    from psikometri.report.config import BY_KEY

    given = {"n_boot": N_BOOT, "seed": SEED, "jpm_cuts": list(JPM_CUTS),
             "potential_cuts": list(POTENTIAL_CUTS), "performance_cuts": list(PERFORMANCE_CUTS),
             "criterion_reliability": CRITERION_RELIABILITY, "min_group_size": MIN_GROUP,
             "reference_year": REFERENCE_YEAR} | {f"standards.{k}": v for k, v in STANDARDS.items()}
    derived = {"jpm_scheme": "mapping", "rating_round": d.rating_round, "display_name": agency,
               "display_names.competencies": {}, "display_names.exercises": {}}
    out = {}
    for key, value in (given | derived).items():
        default = BY_KEY[key].default
        is_default = (key in derived) if default is None or default == {} else (
            value == (list(default) if isinstance(default, tuple) else default))
        out[key] = {"value": value, "source": "default" if is_default else "parameter"}
        if is_default:
            out[key]["reference"] = BY_KEY[key].source["en"]
    return out


EXPECTED = {"summary": _expected_summary, "data": _expected_data, "reliability": _expected_reliability,
            "agreement": _expected_agreement, "gtheory": _expected_gtheory, "construct": _expected_construct,
            "validity": _expected_validity, "incremental": _expected_incremental, "fairness": _expected_fairness,
            "talent": _expected_talent, "reassessment": _expected_reassessment, "methods": _expected_methods}


def _verdict(value, standard, lo, hi):
    """The four-level verdict the report documents: certain only when the whole interval is on one side."""
    def finite(x):
        return x is not None and math.isfinite(x)

    if not finite(value):
        return "not_estimable"
    if value >= standard:
        return "adequate" if finite(lo) and lo >= standard else "adequate_uncertain"
    return "inadequate" if finite(hi) and hi < standard else "inadequate_uncertain"


def _indicator(key, value, lo=float("nan"), hi=float("nan")):
    std = STANDARDS[key]
    return {"key": key, "value": value, "ci_low": lo, "ci_high": hi, "standard": std,
            "verdict": _verdict(float(value), std, float(lo), float(hi))}


def _expected_indicators(d: Inputs, sec):
    """The summary rows, from this file's own expectations (never from the report's figures)."""
    rows = []
    rel = d.section("reliability", sec)
    if rel and "omega_total" in rel:
        om = rel["omega_total"]
        rows.append(_indicator("reliability", om["value"], om["ci_low"], om["ci_high"]))
    ag = d.section("agreement", sec)
    if ag and "ICC1" in ag:
        rows.append(_indicator("icc", ag["ICC1"], *ag["ICC1_ci"]))
    gt = d.section("gtheory", sec)
    if "g_coefficient" in gt:
        rows.append(_indicator("g_coefficient", gt["g_coefficient"], *gt["g_coefficient_ci"]))
    va = d.section("validity", sec)
    if "operational" in va:
        op = va["operational"]
        rows.append(_indicator("validity", op["value"], op["ci_low"], op["ci_high"]))
    _, worst, cleary = _fairness(d)
    if worst is not None:
        rows.append(_indicator("impact_ratio", *worst))
    if cleary:
        rows.append(_indicator("differential_prediction", min(cleary)))
    ta = d.section("talent", sec)
    if "jpm_consistency" in ta:
        rows.append(_indicator("jpm_consistency", *ta["jpm_consistency"]["kappa"]))
    if "nine_box_kappa" in ta:
        rows.append(_indicator("consistency", ta["nine_box_kappa"], *ta["nine_box_kappa_ci"]))
    return rows


# ------------------------------------------------------------------------------------ the comparison

#: Leaves of results.json that are not figures of the data: report metadata, checked differently.
ALLOWED = {
    ("psikometri",): "the library version: metadata",
    ("agency",): "checked against the parameter in test_top_level_figures",
    ("lang",): "checked against the parameter in test_top_level_figures",
}
#: Leaf names allowed under sections/<key>/: rendering metadata (counts of HTML tables and figures, checked in
#: test_report.test_reports_render_in_headless_chromium) and the section status (checked with the figures).
ALLOWED_SECTION_LEAVES = {"status", "tables", "figures"}
#: Keys allowed in a section's results without an expectation: the messages of warnings raised while computing
#: it (text, not figures; test_report checks how they are reported).
ALLOWED_RESULT_KEYS = {"warnings"}


def _leaves(obj, path=()):
    """(path, value) of every scalar leaf of a JSON tree."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _leaves(v, path + (str(k),))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _leaves(v, path + (i,))
    else:
        yield path, obj


def _is_figure(v):
    """Numbers and nulls (a null in strict JSON is a non-finite number) are figures; strings and booleans are
    labels, compared when an expectation names them."""
    return v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))


def _compare(rep, exp, path=()):
    """Mismatches between a report subtree and its expectation (both walked, so extra or missing leaves count)."""
    errors = []
    if isinstance(exp, dict):
        if not isinstance(rep, dict):
            return [f"{path}: report has {rep!r}, expected a mapping"]
        for k in set(rep) | set(exp):
            if k not in exp:
                figs = [p for p, v in _leaves(rep[k], path + (k,)) if _is_figure(v)]
                if figs or not (len(path) == 3 and k in ALLOWED_RESULT_KEYS):
                    errors.append(f"{path + (k,)}: {rep[k]!r} in results.json with no check here")
            elif k not in rep:
                errors.append(f"{path + (k,)}: missing from results.json (expected {exp[k]!r})")
            else:
                errors += _compare(rep[k], exp[k], path + (k,))
        return errors
    if isinstance(exp, (list, tuple)):
        if not isinstance(rep, list) or len(rep) != len(exp):
            return [f"{path}: report has {rep!r}, expected {len(exp)} items {exp!r}"]
        for i, (a, b) in enumerate(zip(rep, exp)):
            errors += _compare(a, b, path + (i,))
        return errors
    val = _nan_to_none(exp)
    if val is None:
        ok = rep is None
    elif isinstance(val, (str, bool)):
        ok = rep == val and type(rep) is type(val)
    elif isinstance(exp, (int, np.integer)) and not isinstance(exp, bool):
        ok = isinstance(rep, (int, float)) and not isinstance(rep, bool) and rep == int(exp)
    else:
        ok = (isinstance(rep, (int, float)) and not isinstance(rep, bool)
              and rep == pytest.approx(val, rel=0, abs=ABS))
    if not ok:
        errors.append(f"{path}: results.json {rep!r} != library {val!r}")
    return errors


def _expected_section(inputs, report, agency, key):
    return inputs(agency).section(key, report(agency)["sections"])


# ---------------------------------------------------------------------------------------------- tests

def _agency_params(agencies=AGENCIES):
    return [pytest.param(a, marks=pytest.mark.slow) if a not in SMALL else a for a in agencies]


def test_the_sample_agencies_are_those_of_the_data():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        data = load_assessment(DATA)
    assert sorted(AGENCIES) == data.agencies
    for agency, (n, _) in psikometri.SAMPLE_AGENCIES.items():
        # the candidates of the latest occasion (the re-assessed JPT cohort also lists those assessed only before)
        latest = data.for_agency(agency)
        assert len(latest.for_occasion(latest.occasions[-1]).candidates) == n


@pytest.mark.parametrize("agency", _agency_params())
@pytest.mark.parametrize("key", SECTION_KEYS)
def test_section_figures_equal_the_library(report, inputs, agency, key):
    sec = report(agency)["sections"][key]
    exp = _expected_section(inputs, report, agency, key)
    if exp is None:  # no data for this analysis: the report must say so and give no figure
        assert sec["status"] == "no_data" and not sec["results"], sec
        return
    if "status" not in exp:  # a computed section
        assert sec["status"] == "ok", sec
    errors = _compare(sec["results"], exp, ("sections", key, "results"))
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("agency", _agency_params())
def test_top_level_figures(report, inputs, agency):
    res = report(agency)
    d = inputs(agency)
    summary = _expected_section(inputs, report, agency, "summary")
    exp = {"agency": agency, "lang": CTX_PARAMS["lang"], "seed": SEED, "n_boot": N_BOOT,
           "n_candidates": len(d.cand), "indicators": summary["indicators"], "settings": _expected_settings(d, agency)}
    top = {k: v for k, v in res.items() if k not in ("sections", "psikometri")}
    errors = _compare(top, exp)
    assert not errors, "\n".join(errors)
    assert res["psikometri"] == psikometri.__version__
    assert set(res["sections"]) == set(SECTION_KEYS)
    # every summary indicator comes from one figure of a section: the same number in both places
    assert res["indicators"] == res["sections"]["summary"]["results"]["indicators"]


@pytest.mark.parametrize("agency", _agency_params())
def test_every_figure_of_results_json_is_checked(report, inputs, agency):
    """Every number (or null) of results.json has an expectation in this file, or is allow-listed metadata."""
    res = report(agency)
    checked = set()
    for key in SECTION_KEYS:
        exp = _expected_section(inputs, report, agency, key)
        if exp is not None:
            checked |= {("sections", key, "results") + p for p, _ in _leaves(exp)}
    d = inputs(agency)
    checked |= {("seed",), ("n_boot",), ("n_candidates",)}
    checked |= {("settings",) + p for p, _ in _leaves(_expected_settings(d, agency))}
    checked |= {("indicators",) + p for p, _ in _leaves(_expected_indicators(d, res["sections"]))}
    unchecked = []
    for path, v in _leaves(res):
        if not _is_figure(v) or path in ALLOWED or path in checked:
            continue
        if len(path) == 3 and path[0] == "sections" and path[2] in ALLOWED_SECTION_LEAVES:
            continue
        unchecked.append((path, v))
    assert not unchecked, unchecked


@pytest.mark.parametrize("agency", _agency_params())
def test_score_helpers_follow_the_documented_rules(inputs, agency):
    """The OAR and the achieved levels the report (and the expectations above) take from the public helpers are
    the report's documented rules, restated here; and the report uses them (its candidates' OAR)."""
    d = inputs(agency)
    r = d.ratings
    oar = overall_rating(r)
    oar.index = oar.index.astype(str)
    ref = _documented_oar(r)
    assert list(oar.index) == list(ref.index)
    np.testing.assert_allclose(oar.to_numpy(), ref.to_numpy(), rtol=0, atol=ABS)
    lev = achieved_levels(r)
    lev.index = lev.index.astype(str)
    pd.testing.assert_frame_equal(lev, _documented_levels(r), check_names=False, check_index_type=False,
                                  check_column_type=False, rtol=0, atol=ABS)
    ctx = AgencyContext.load(DATA, agency, **CTX_PARAMS)
    np.testing.assert_allclose(ctx.cand["oar"].to_numpy(), d.cand["oar"].to_numpy(), rtol=0, atol=ABS)
    assert list(ctx.cand.index) == list(d.cand.index)
    pd.testing.assert_frame_equal(ctx.achieved_levels(), _achieved_levels(d))
