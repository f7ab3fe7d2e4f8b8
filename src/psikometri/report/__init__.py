"""Per-agency validation reports: thin papermill notebooks over psikometri, run in batch.

* :mod:`psikometri.report.i18n`: the one translation table (Bahasa Indonesia / English).
* :mod:`psikometri.report.sections`: the report's content, one function per section.
* :mod:`psikometri.report.runner`: ``psikometri report``: papermill per agency, local workers or Dask.
* :mod:`psikometri.report.index`: ``index.html`` with every agency's key figures and the national picture.
"""

from .i18n import TEXT, tr
from .runner import BatchError, ReportTask, agency_slug, report_paths, run_batch, run_task
from .sections import SECTION_KEYS, AgencyContext, Section, verdict, warm_up

__all__ = ["TEXT", "tr", "BatchError", "ReportTask", "agency_slug", "report_paths", "run_batch", "run_task",
           "SECTION_KEYS", "AgencyContext", "Section", "verdict", "warm_up", "build_index"]


def build_index(out, lang="id", agencies=None):
    """Write ``index.html`` (``index_en.html`` for English) for the reports under ``out``.

    See :mod:`psikometri.report.index`.
    """
    from .index import build_index as _b

    return _b(out, lang=lang, agencies=agencies)
