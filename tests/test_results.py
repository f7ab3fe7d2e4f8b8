"""Result objects: Estimate's behaviour, and every result class renders as a readable, escaped table in Jupyter."""

import dataclasses
import importlib
import math
from dataclasses import FrozenInstanceError
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

import psikometri
from psikometri import Estimate


def test_estimate_float_repr_html_and_frozen():
    e = Estimate(0.8123, 0.77, 0.85, se=0.02, n=120, method="cronbach_alpha", ci_method="feldt", level=0.95)
    assert float(e) == 0.8123
    assert f"{e:.2f}" == "0.81"
    assert repr(e) == "Estimate(cronbach_alpha = 0.812, 95% CI [0.770, 0.850] (feldt), se = 0.020, n = 120)"
    h = e._repr_html_()
    assert "<table" in h and "0.8123" in h and "95% CI (feldt)" in h
    assert "value    : 0.8123" in e.summary()
    assert e.ci == (0.77, 0.85)
    with pytest.raises(FrozenInstanceError):
        e.value = 1.0
    d = e.to_dict()
    assert d["value"] == 0.8123 and d["method"] == "cronbach_alpha"


def test_estimate_nan_with_note():
    e = Estimate(math.nan, n=2, method="icc", note="too few targets")
    assert math.isnan(float(e))
    assert "NaN" in repr(e) and "too few targets" in repr(e) and "CI" not in repr(e)
    assert "too few targets" in e._repr_html_()


def test_html_is_escaped():
    e = Estimate(1.0, method="<script>")
    assert "<script>" not in e._repr_html_()


# ------------------------------------------------------------------------------------------------------------
# every result object renders as a readable table in Jupyter
# ------------------------------------------------------------------------------------------------------------

#: Tags a result's HTML may hold: anything else (e.g. a label such as "<x>" written unescaped) fails the test.
ALLOWED_TAGS = {"div", "p", "b", "i", "br", "code", "sup", "table", "caption", "thead", "tbody", "tr", "th", "td"}
VOID_TAGS = {"br"}
#: A hostile label put into every case's data where a label can go: it must come out escaped.
BAD = "<x&y>"


class _Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.errors.append(f"unexpected tag <{tag}>")
        if tag not in VOID_TAGS:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def _check_html(h: str) -> str:
    """Parse ``h``; fail on an unknown tag or unbalanced tags; return its text (entities decoded)."""
    assert isinstance(h, str) and h.strip()
    p = _Checker()
    p.feed(h)
    p.close()
    assert not p.errors, p.errors[:5]
    assert not p.stack, f"unclosed {p.stack}"
    return " ".join(" ".join(p.text).split())


def _items(n=120, k=6, seed=1):
    rng = np.random.default_rng(seed)
    g = rng.normal(size=(n, 1))
    x = np.clip(np.round(3 + g * 0.8 + rng.normal(0, 0.8, size=(n, k))), 1, 5)
    return pd.DataFrame(x, columns=[f"{BAD}{j}" for j in range(k)])


def _sim():
    return psikometri.simulate_assessment({f"{BAD}a": 40, "kab_b": 30}, seed=5)


def _case_estimate():
    e = psikometri.Estimate(0.8123, 0.77, 0.85, se=0.02, n=120, method=f"alpha {BAD}", ci_method="feldt")
    return e, ["0.8123", "[0.7700, 0.8500]", "120", BAD]


def _case_split_half():
    res = psikometri.split_half(_items())
    return res, [f"{res.mean:.4f}", f"{res.max:.4f}"]


def _case_omega():
    res = psikometri.omega(_items(), nfactors=2)
    return res, [f"{res.omega_total:.4f}", f"{res.omega_hierarchical:.4f}", BAD]


def _case_gstudy():
    rng = np.random.default_rng(3)
    rows = [(p, t, f"{t}-{r}", 3 + 0.6 * pe + rng.normal(0, 0.7)) for p, pe in enumerate(rng.normal(size=25))
            for t in (BAD, "t2") for r in range(2)]
    d = pd.DataFrame(rows, columns=[BAD, "task", "rater", "score"])
    g = psikometri.g_study(d, score="score", person=BAD, facets=["task", "rater"], nested={"rater": "task"})
    return g, [f"{g.g_coefficient:.3f}", f"{g.phi:.3f}", BAD]


def _case_mtmm():
    r = _sim().ratings
    r = r.assign(competency=r["competency"].astype(str).replace({"integritas": BAD}))
    m = psikometri.mtmm(r, person="candidate", n_boot=20, seed=1)
    return m, [f"{m.convergent.value:.3f}", f"{m.heterotrait_monomethod.value:.3f}"]


def _case_incremental():
    rng = np.random.default_rng(2)
    d = pd.DataFrame({BAD: rng.normal(size=200)})
    d["ac"] = 0.4 * d[BAD] + rng.normal(size=200)
    d["kinerja"] = 0.3 * d[BAD] + 0.3 * d["ac"] + rng.normal(size=200)
    res = psikometri.incremental_validity(d, criterion="kinerja", base=BAD, added="ac", n_boot=50, seed=1)
    return res, [f"{res.delta:.4f}", BAD]


def _case_meta():
    st = pd.DataFrame({"r": [0.20, 0.35, 0.28, 0.15], "n": [120, 240, 90, 400]},
                      index=[BAD, "kota_b", "kab_c", "kementerian_d"])
    res = psikometri.meta_analysis(st, ryyi=0.52)
    return res, [f"{float(res.bare_bones['mean_r'].iloc[0]):.4f}", f"{float(res.corrected['mean_rho'].iloc[0]):.4f}",
                 BAD]


def _case_differential_prediction():
    rng = np.random.default_rng(4)
    d = pd.DataFrame({"g": rng.choice(["L", BAD], 200), "oar": rng.normal(3, 0.5, 200)})
    d["kinerja"] = 60 + 6 * d["oar"] + rng.normal(0, 4, 200)
    res = psikometri.differential_prediction(d, predictor="oar", criterion="kinerja", group="g", reference="L")
    return res, [f"{res.tests.loc['slopes', 'p']:.4f}", BAD]


def _transition():
    rng = np.random.default_rng(6)
    ids = [f"p{i}" for i in range(150)]
    true = rng.normal(84, 6, 150)
    j1 = pd.Series(np.minimum(true + rng.normal(0, 3, 150), 100), index=ids)
    j2 = pd.Series(np.minimum(true + 1 + rng.normal(0, 3, 150), 100), index=ids)
    labels = ("rendah", "sedang", BAD)
    return psikometri.transition_table(psikometri.jpm_category(j1, labels=labels),
                                       psikometri.jpm_category(j2, labels=labels), scores=(j1, j2))


def _case_transition():
    tr = _transition()
    return tr, [f"{tr.kappa.value:.3f}", f"{tr.bowker.statistic:.3f}", BAD]


def _case_chi_square():
    t = _transition().bowker
    t = dataclasses.replace(t, method=f"{t.method} {BAD}")
    return t, [f"{t.statistic:.4f}", f"{t.p:.4f}", str(t.df), BAD]


def _case_assessment_data():
    sim = _sim()
    data = psikometri.AssessmentData(sim.ratings, sim.candidates, sim.items)
    return data, [str(sim.ratings["candidate"].nunique()), str(len(sim.ratings)), BAD]


def _case_simulated():
    sim = _sim()
    return sim, [str(len(sim.ratings)), f"{sim.truth['true_validity']:.3f}", "0.2000", BAD]


def _case_cfa():
    rng = np.random.default_rng(1)
    f = rng.normal(size=(300, 2)) @ np.linalg.cholesky([[1, 0.4], [0.4, 1]]).T
    x = np.column_stack([f[:, 0] * w + rng.normal(0, 0.6, 300) for w in (1, 0.8, 0.9)]
                        + [f[:, 1] * w + rng.normal(0, 0.6, 300) for w in (1, 0.7, 0.8)])
    names = [f"{BAD}1", "a2", "a3", "b1", "b2", "b3"]
    res = psikometri.cfa(pd.DataFrame(x, columns=names), {"A": names[:3], "B": names[3:]})
    return res, [f"{res.fit['chisq']:.3f}", f"{res.fit['srmr']:.3f}", str(res.n), BAD]


CASES = {
    "CFAResult": _case_cfa,
    "Estimate": _case_estimate,
    "SplitHalfResult": _case_split_half,
    "OmegaResult": _case_omega,
    "GStudy": _case_gstudy,
    "MTMMResult": _case_mtmm,
    "IncrementalValidityResult": _case_incremental,
    "MetaAnalysisResult": _case_meta,
    "DifferentialPredictionResult": _case_differential_prediction,
    "TransitionResult": _case_transition,
    "ChiSquareTest": _case_chi_square,
    "AssessmentData": _case_assessment_data,
    "SimulatedAssessment": _case_simulated,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_result_renders_as_a_readable_table(name):
    obj, figures = CASES[name]()
    assert type(obj).__name__ == name
    h = obj._repr_html_()
    text = _check_html(h)  # well formed, only table markup: every label escaped
    assert "<table" in h
    for f in figures:
        assert f in text, (name, f, text[:500])
    assert BAD not in h  # where the label is shown (a figure above), it is escaped
    # a plain one-line repr, not a wall of numbers
    r = repr(obj)
    assert r.startswith(name + "(") and "\n" not in r and len(r) <= 300, r
    s = obj.summary()
    assert (isinstance(s, str) and s.count("\n") >= 2) or isinstance(s, pd.DataFrame), type(s)


def _result_classes():
    """Frozen dataclasses of the public families (and psikometri.Estimate): the objects a notebook shows."""
    seen = {}
    for fam in psikometri._FAMILIES + ("_results",):
        mod = importlib.import_module(f"psikometri.{fam}")
        for obj in vars(mod).values():
            # defined in the family or, for a family that is a package (fairness), in one of its modules
            home = obj.__module__ if isinstance(obj, type) else ""
            if (isinstance(obj, type) and dataclasses.is_dataclass(obj)
                    and (home == mod.__name__ or home.startswith(mod.__name__ + "."))
                    and obj.__dataclass_params__.frozen and not obj.__name__.startswith("_")):
                seen[obj.__name__] = obj
    return seen


#: Frozen dataclasses that are not results shown on their own: a line of a validation error (shown by str()).
NOT_RESULTS = {"Problem"}


def test_every_result_class_has_the_display_methods_and_a_case_here():
    classes = _result_classes()
    assert set(CASES) <= set(classes)
    for name, cls in classes.items():
        if name in NOT_RESULTS:
            continue
        for meth in ("_repr_html_", "summary", "__repr__"):
            own = any(meth in vars(k) for k in cls.__mro__ if k is not object)
            assert own, f"{name} lacks {meth}"
        # the dataclass-generated __repr__ lists every field (data frames included): a wall of numbers
        # (dataclasses wrap the generated one with reprlib.recursive_repr, which sets __wrapped__)
        assert not hasattr(cls.__repr__, "__wrapped__"), f"{name} keeps the generated __repr__"
