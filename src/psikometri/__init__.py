"""psikometri: a psychometrics workbench for assessment centres in Indonesia's civil service.

The public API is organised in one module per family of methods and re-exported
here, so that ``import psikometri as pk; pk.cronbach_alpha(df)`` works.  Families
are imported lazily on first use: ``import psikometri`` imports neither numba
kernels nor statsmodels and compiles nothing.

Families
--------
io          loading and validating assessment data (:func:`load_assessment`)
simulate    simulated assessment-centre data with known truth
reliability Cronbach's alpha, omega, Guttman's lambdas, split-half, item analysis
agreement   ICC, kappas, Krippendorff's alpha, Gwet's AC, assessor diagnostics
gtheory     generalizability theory: G and D studies (ANOVA and REML)
construct   multitrait-multimethod analysis of AC ratings
factor      confirmatory factor analysis (ML, as lavaan) and measurement invariance across groups
validity    predictive validity, artifact corrections, incremental validity, meta-analysis
fairness    adverse impact, subgroup differences, differential prediction
talent      Job Person Match, nine-box talent grid, placement consistency
reassessment test-retest stability, reliable change, category transitions, decision consistency
"""

from __future__ import annotations

import importlib

from ._results import Estimate

__version__ = "0.1.0"

#: Families whose ``__all__`` is re-exported at top level, in lookup order.
_FAMILIES = (
    "io",
    "simulate",
    "reliability",
    "agreement",
    "gtheory",
    "construct",
    "factor",
    "validity",
    "fairness",
    "talent",
    "reassessment",
)


def _family_modules():
    for fam in _FAMILIES:
        try:
            yield importlib.import_module(f".{fam}", __name__)
        except ModuleNotFoundError as exc:  # a family not present in this build
            if exc.name != f"{__name__}.{fam}":
                raise


def __getattr__(name: str):
    if name.startswith("_"):
        raise AttributeError(name)
    for mod in _family_modules():
        if name in getattr(mod, "__all__", ()):
            value = getattr(mod, name)
            globals()[name] = value  # cache: later lookups are plain attribute access
            return value
    raise AttributeError(f"module 'psikometri' has no attribute {name!r}")


def __dir__():
    names = set(globals())
    for mod in _family_modules():
        names.update(getattr(mod, "__all__", ()))
    return sorted(names)


def public_api() -> dict[str, list[str]]:
    """Return ``{family: [public names]}`` for every family module (imports them all)."""
    return {mod.__name__.rsplit(".", 1)[1]: list(mod.__all__) for mod in _family_modules()}
