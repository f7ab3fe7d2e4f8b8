"""Batch runner: one papermill execution of ``notebooks/agency_report.ipynb`` per agency.

* deterministic names: ``OUT/<agency>/report_<agency>_<lang>.{ipynb,html,pdf,xlsx,docx}``,
  ``OUT/<agency>/results.json`` and ``OUT/<agency>/report_<agency>_<lang>.log``; the xlsx and docx versions
  are written by the notebook's last cell from the same sections as the HTML (:mod:`.export`), and
  ``OUT/index.xlsx`` beside ``index.html`` when xlsx is asked for;
* outputs are written to a temporary file in the same folder and moved into
  place with :func:`os.replace`, so no half-written report survives a crash;
* a report is up to date when its stamp (a hash of the data files, the notebook,
  the parameters and the library's source) is unchanged; it is then skipped
  unless ``force``; the parameters include every effective setting of the
  agency's configuration file (:mod:`.config`) and its source, so a changed
  setting re-runs exactly the agencies it concerns;
* local parallelism with worker processes, or the same tasks submitted to a Dask
  distributed scheduler;
* one agency failing never stops the others: failures are collected, printed at
  the end with the notebook cell that failed, and the exit code is 1; an agency
  whose rows are invalid fails alone, with its problems (:func:`load_per_agency`);
* folder names are unique and stable (:func:`agency_slug`); a lock on ``OUT``
  keeps a second batch out; a report is written into a staging folder and moved
  into place only when complete; workers end with the runner; the next run
  cleans what a killed run left (:func:`clean_partial_outputs`,
  :func:`remove_stale_scratch`);
* the HTML is self-contained (no script or style from a CDN).
"""

from __future__ import annotations

import concurrent.futures as cf
import functools
import hashlib
import io
import json
import multiprocessing as mp
import numbers
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

__all__ = ["ReportTask", "TaskResult", "BatchError", "agency_slug", "report_paths", "run_task", "run_batch",
           "check_options", "default_notebook", "atomic_write", "load_per_agency"]

PACKAGE_DIR = Path(__file__).resolve().parents[1]


def default_notebook() -> Path:
    """``notebooks/agency_report.ipynb`` of the source tree, or the copy shipped in the package."""
    for cand in (PACKAGE_DIR.parents[1] / "notebooks" / "agency_report.ipynb",
                 PACKAGE_DIR / "templates" / "agency_report.ipynb"):
        if cand.exists():
            return cand
    raise FileNotFoundError("agency_report.ipynb not found; pass notebook=PATH")


#: longest readable part of a folder name (the whole name stays far below the 255-byte limit of file names)
SLUG_MAX = 60
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_HASHED = re.compile(r".*-[0-9a-f]{8}")
# names the batch writes at the top of OUT (an agency folder must never take one of them)
_RESERVED = re.compile(r"(index(_\w+)?\.html|batch_\w+\.json|\..*|.*\.(html?|json|lock|tmp|ipynb|pdf|log|xlsx|docx))",
                       re.IGNORECASE)


def agency_slug(agency: str) -> str:
    """Unique, stable, file-system-safe folder name of an agency.

    A name made only of ASCII letters, digits, ``_``, ``-`` and ``.`` (at most :data:`SLUG_MAX` characters)
    is its own folder name.  Any other name (spaces, ``/``, other punctuation, non-Latin letters, a very long
    name, a name the batch uses itself such as ``index.html``) becomes its readable ASCII part (accents
    removed, other characters as ``_``, at most :data:`SLUG_MAX` characters; ``agency`` if nothing is left),
    a ``-`` and the first 8 hex digits of the SHA-256 of the exact name.  The rule looks at one name only, so
    a folder name never depends on which other agencies are in the data, and two different names never share
    a folder (``instansi/a`` -> ``instansi_a-<hash>``, ``instansi_a`` -> ``instansi_a``).
    """
    import unicodedata

    name = str(agency)
    if (len(name) <= SLUG_MAX and _SAFE_NAME.fullmatch(name) and not _HASHED.fullmatch(name)
            and not _RESERVED.fullmatch(name)):
        return name
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    base = re.sub(r"[^A-Za-z0-9_.-]+", "_", ascii_name).strip("._-")[:SLUG_MAX].rstrip("._-") or "agency"
    return f"{base}-{hashlib.sha256(name.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"


def report_paths(out, agency: str, lang: str) -> dict[str, Path]:
    """Deterministic output paths of one agency's report (built from :func:`agency_slug`)."""
    slug = agency_slug(agency)
    d = Path(out) / slug
    stem = f"report_{slug}_{lang}"
    return {
        "dir": d,
        "ipynb": d / f"{stem}.ipynb",
        "html": d / f"{stem}.html",
        "pdf": d / f"{stem}.pdf",
        "xlsx": d / f"{stem}.xlsx",
        "docx": d / f"{stem}.docx",
        "results": d / "results.json",
        "log": d / f"{stem}.log",
        "stamp": d / f".{stem}.stamp",
        "failed": d / f"{stem}.failed.ipynb",
    }


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` through a temporary file and an atomic rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class ReportTask:
    """Everything needed to produce one agency's report (picklable, for workers and Dask)."""

    agency: str
    data: str
    out: str
    lang: str = "id"
    formats: tuple[str, ...] = ("html", "ipynb")
    notebook: str = ""
    parameters: dict = field(default_factory=dict)
    force: bool = False
    timeout: int = 900
    data_subset: str = ""
    threads: int = 0  # threads per notebook kernel (BLAS, OpenMP, numba); 0 leaves the defaults
    keep_kernel: bool = True  # run in the kernel this process kept from its previous report (fixed cost once)

    def all_parameters(self, output_dir=None) -> dict:
        p = {
            "agency": self.agency,
            "data_path": str(Path(self.data_subset or self.data).resolve()),
            "output_dir": str(Path(output_dir or report_paths(self.out, self.agency, self.lang)["dir"]).resolve()),
            "lang": self.lang,
            # written by the notebook's last cell from the report's sections (psikometri.report.export)
            "exports": [f for f in self.formats if f in EXPORTED],
        }
        p.update(self.parameters)
        return p


@dataclass
class TaskResult:
    agency: str
    status: str  # "ok", "skipped", "failed"
    seconds: float = 0.0
    error: str = ""
    cell: str = ""
    outputs: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # invalid rows of the agency's data (file, row, column, fix)


def write_agency_subset(dataset, agency: str, directory) -> Path:
    """Write one agency's validated tables as Parquet files that :func:`load_assessment` reads back."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    sub = dataset.for_agency(agency)
    # the report never needs names: they do not leave the original data set
    tables = {"ratings": sub.ratings, "candidates": sub.candidates.drop(columns=["name"], errors="ignore")}
    if sub.items is not None:
        tables["items"] = sub.items
    for name, df in tables.items():
        buf = io.BytesIO()
        df.to_parquet(buf, index=False)
        atomic_write(d / f"{name}.parquet", buf.getvalue())
    return d


def _hash_files(paths) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(str(p.name).encode())
        h.update(p.read_bytes())
    return h.hexdigest()


#: (path, size, mtime) of each library file -> its digest: a worker stamps many reports with the same library
_FILE_DIGESTS: dict = {}


def _library_digest(paths) -> str:
    """Digest of the library's files (the name and SHA-256 of each); a file is read again only when its size or
    modification time changed since this process last read it."""
    h = hashlib.sha256()
    for p in sorted(paths):
        st = p.stat()
        key = (str(p), st.st_size, st.st_mtime_ns)
        digest = _FILE_DIGESTS.get(key)
        if digest is None:
            digest = hashlib.sha256(p.read_bytes()).digest()
            _FILE_DIGESTS[key] = digest
        h.update(str(p.name).encode())
        h.update(digest)
    return h.hexdigest()


def _stamp(task: ReportTask) -> str:
    data = Path(task.data_subset or task.data)
    files = [p for p in (data.iterdir() if data.is_dir() else [data]) if p.is_file()]
    src = [p for p in PACKAGE_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    import numpy
    import pandas
    import scipy

    key = {
        "versions": [numpy.__version__, pandas.__version__, scipy.__version__],
        "data": _hash_files(files),
        "notebook": _hash_files([Path(task.notebook)]),
        "library": _library_digest(src),
        "parameters": task.all_parameters() | {"data_path": "", "output_dir": ""},
        "formats": list(task.formats),
    }
    return hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()


#: the lab template without the scripts it loads from public CDNs (require.js, MathJax, mermaid, widgets):
#: a report is one self-contained file (agency networks are often offline, and a report calls out to no one)
_SELF_CONTAINED_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""
_EXTERNAL = re.compile(r"<(script|link|img|iframe|source)\b[^>]*\b(src|href)\s*=\s*[\"']?\s*(https?:)?//[^>]*>"
                       r"(\s*</script>)?", re.IGNORECASE)


def external_resources(html_text: str) -> list[str]:
    """Tags of ``html_text`` that load a script, style, image or frame from another host."""
    return [m.group(0) for m in _EXTERNAL.finditer(html_text)]


_EXPORTERS = threading.local()


def _html_exporter():
    """The HTML exporter of the reports, made once per thread: its templates are compiled on first use (a
    good part of a second); every export passes its own notebook and resources, and an exporter is never
    shared between threads (a Dask worker may run several reports at once)."""
    exporter = getattr(_EXPORTERS, "html", None)
    if exporter is None:
        import jinja2
        from nbconvert import HTMLExporter

        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

        class ReportHTMLExporter(HTMLExporter):
            """``HTMLExporter`` without the BeautifulSoup pass over the finished page.

            nbconvert parses its own output again to add ``alt`` to images that lack it and ``tabindex`` to
            the cells' wrappers, and prints the parse tree back: a fifth of a second of the runner's time per
            report.  Here the template's page is kept as rendered and the same attributes are added to the
            same tags with :func:`_accessible_html`.
            """

            def from_notebook_node(self, nb, resources=None, **kw):
                langinfo = nb.metadata.get("language_info", {})
                lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
                self.register_filter("highlight_code", self.filters.get(
                    "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
                resources = self._init_resources(resources)
                self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources))
                page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
                return _accessible_html(page), resources

        exporter = ReportHTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                                      extra_loaders=[jinja2.DictLoader({"psikometri_report.html.j2":
                                                                        _SELF_CONTAINED_TEMPLATE})],
                                      template_file="psikometri_report.html.j2", embed_images=True)
        _EXPORTERS.html = exporter
    return exporter


_TAG = re.compile(r"<(img|div)\b([^>]*)>", re.IGNORECASE)
_FOCUS_CLASS = re.compile(r"\bclass\s*=\s*(\"|')(?:[^\"']*\s)?(?:jp-Cell-inputWrapper|jp-OutputArea-output)(?:\s[^\"']*)?\1")
_HAS_ALT = re.compile(r"\salt\s*=", re.IGNORECASE)
_TABINDEX = re.compile(r"(\stabindex\s*=\s*)(\"[^\"]*\"|'[^']*'|[^\s\"'>]+)", re.IGNORECASE)


def _accessible_html(page: str) -> str:
    """What nbconvert's ``HTMLExporter`` adds to its page, added in place: ``alt`` on every image without one and
    ``tabindex="0"`` on the cells' input wrappers and output areas (keyboard focus), a new attribute after the
    tag's own as BeautifulSoup writes it (so the page parses to the tree nbconvert would have printed)."""
    def add(m):
        tag, attrs = m.group(1).lower(), m.group(2)
        close = attrs[len(attrs.rstrip("/").rstrip()):] if attrs.endswith("/") else ""  # a self-closing tag's " /"
        attrs = attrs[:len(attrs) - len(close)]
        if tag == "img":
            if _HAS_ALT.search(attrs):
                return m.group(0)
            attrs += ' alt="No description has been provided for this image"'
        elif _FOCUS_CLASS.search(attrs):
            attrs, n = _TABINDEX.subn(r'\1"0"', attrs)  # nbconvert sets it, whatever it was
            if not n:
                attrs += ' tabindex="0"'
        else:
            return m.group(0)
        return f"<{m.group(1)}{attrs}{close}>"

    return _TAG.sub(add, page)


def _html_from_notebook(nb_path: Path, title: str = "", lang: str = "") -> str:
    """The executed notebook as one self-contained HTML file without code, titled ``title``, printed on A4."""
    import html as _html

    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    nb.metadata.pop("widgets", None)
    body, _ = _html_exporter().from_notebook_node(nb, resources={"metadata": {"name": title or nb_path.stem}})
    # whatever a future template adds: no tag that fetches from another host survives
    body = _EXTERNAL.sub("", body)
    page = "<style>@page { size: A4; margin: 15mm 12mm; }</style>"
    body = body.replace("</head>", page + "</head>", 1)
    if title:
        body = re.sub(r"<title>.*?</title>", f"<title>{_html.escape(title)}</title>", body, count=1, flags=re.S)
    if lang:  # the document's language, for screen readers, hyphenation and spell checkers
        body = re.sub(r"<html(\s[^>]*)?>", f'<html lang="{lang}">', body, count=1)
    return body


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(name)
        if p:
            return p
    return None


def _pdf_from_html(html_path: Path, pdf_path: Path) -> None:
    exe = _chromium()
    if exe is None:
        raise RuntimeError("format 'pdf' needs headless Chromium (Debian: apt-get install chromium)")
    fd, tmp = tempfile.mkstemp(prefix=f".{pdf_path.name}.", suffix=".tmp", dir=pdf_path.parent)
    os.close(fd)
    try:
        with tempfile.TemporaryDirectory() as prof:
            subprocess.run(
                [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={prof}",
                 f"--print-to-pdf={tmp}", "--no-pdf-header-footer", html_path.resolve().as_uri()],
                check=True, capture_output=True, timeout=180,
            )
        os.chmod(tmp, 0o644)
        os.replace(tmp, pdf_path)
    finally:
        Path(tmp).unlink(missing_ok=True)


#: staging folders of running reports, inside the agency's folder (see :func:`run_task`)
STAGING_PREFIX = ".staging-"

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")

#: the notebook kernel this process keeps for its next report (see :func:`_kept_kernel`)
_KERNEL: dict = {}


def _shutdown_kept_kernel() -> None:
    km = _KERNEL.pop("km", None)
    if km is not None:
        try:
            from nbclient.util import run_sync

            run_sync(km.shutdown_kernel)(now=True)
        except Exception:  # pragma: no cover - the kernel is gone already
            pass


#: environment variables a notebook kernel does not inherit from the process that starts it
KERNEL_ENV_DROPPED = ("MALLOC_TRIM_THRESHOLD_",)


def kernel_environment() -> dict[str, str]:
    """The environment of a report's notebook kernel: this process's, without :data:`KERNEL_ENV_DROPPED`.

    A Dask nanny starts its worker with ``MALLOC_TRIM_THRESHOLD_=65536`` (glibc then hands freed memory back to
    the system at every 64 kB, which keeps a long-lived worker small); a kernel that inherits it pays page
    faults on every new numpy and pandas buffer: a 120-candidate report took 2.05-2.36 s of kernel CPU with
    it and 1.71-1.98 s without (measured one report after another in one worker).
    """
    return {k: v for k, v in os.environ.items() if k not in KERNEL_ENV_DROPPED}


def _kept_kernel(kernel_name: str, threads: int):
    """A started kernel for this process's next report, kept between reports.

    Starting a kernel, importing the library and loading its compiled kernels is a fixed cost of several
    seconds; a worker that writes many reports pays it once.  Each report's notebook assigns every name it
    uses in its first cells, so nothing of the previous agency is read.  A kernel that died, or whose report
    failed or timed out, is replaced by a fresh one.  It stops with the process (the kernel also watches its
    parent and exits when the parent dies).
    """
    km = _KERNEL.get("km")
    if km is not None and _KERNEL.get("key") == (kernel_name, threads):
        try:
            from nbclient.util import run_sync

            if run_sync(km.is_alive)():
                return km
        except Exception:  # pragma: no cover
            pass
    _shutdown_kept_kernel()
    from jupyter_client.manager import AsyncKernelManager
    from nbclient.util import run_sync

    km = AsyncKernelManager(kernel_name=kernel_name)
    # no output history: the kernel would keep every report's displayed sections (Out, _) for its next reports
    run_sync(km.start_kernel)(cwd=tempfile.gettempdir(), extra_arguments=["--InteractiveShell.cache_size=0"],
                              env=kernel_environment())
    _KERNEL.update(km=km, key=(kernel_name, threads), frozen=False)
    if not _KERNEL.get("finalizer"):
        import atexit
        from multiprocessing import util as mp_util

        atexit.register(_shutdown_kept_kernel)  # the main process
        _KERNEL["finalizer"] = mp_util.Finalize(None, _shutdown_kept_kernel, exitpriority=10)  # worker processes
    return km


def _freeze_kernel_heap(km) -> None:
    """After the kept kernel's first report: collect, then freeze its objects out of the cyclic garbage collector.

    The kernel then holds the library, its compiled kernels, pandas and matplotlib (some 300,000 objects), which
    every full collection of the next reports would scan again (about 0.3 s each, roughly once per report);
    frozen, they are no longer scanned (``gc.freeze``; objects are still freed when no longer referenced).  The
    youngest generation is then collected after 20,000 net allocations instead of 700: a report's pandas and
    matplotlib work otherwise starts about a hundred collections (0.02-0.06 s of its time, measured in a
    120-candidate report), while the cyclic garbage of one report is small.  Done once per kernel; a failure
    only leaves the kernel as it was.
    """
    _KERNEL["frozen"] = True
    try:
        from nbclient.util import run_sync

        kc = km.client()
        kc.start_channels()
        try:
            run_sync(kc.wait_for_ready)(timeout=60)
            run_sync(kc.execute_interactive)("import gc as _gc; _gc.collect(); _gc.freeze(); "
                                             "_gc.set_threshold(20000, 10, 10); del _gc", silent=True,
                                             store_history=False, timeout=60, output_hook=lambda msg: None)
        finally:
            kc.stop_channels()
    except Exception:  # pragma: no cover - a speed-up only
        pass


def _register_engine() -> str:
    """Register (once) the papermill engine that runs notebooks in the process's kept kernel."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    name = "psikometri-kept-kernel"
    if name in papermill_engines._engines:
        return name

    class KeptKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            threads = kwargs.pop("threads", 0)
            partial_path = kwargs.pop("partial_path", None)
            kwargs = remove_args(["input_path"], **kwargs)
            safe = remove_args(["timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(safe, timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
                                 startup_timeout=start_timeout, kernel_name=kernel_name, log_output=log_output,
                                 stdout_file=stdout_file, stderr_file=stderr_file)
            client = PapermillNotebookClient(nb_man, km=_kept_kernel(kernel_name, threads), **final)
            ok = False
            try:
                out = client.execute()
                ok = True
                if not _KERNEL.get("frozen"):
                    _freeze_kernel_heap(client.km)
                return out
            finally:
                if client.kc is not None:
                    client.kc.stop_channels()
                if not ok:  # a failed or interrupted report may leave the kernel busy or half-changed
                    _shutdown_kept_kernel()
                    if partial_path:  # the notebook as far as it ran (not saved cell by cell: see _run_task)
                        try:
                            from papermill.iorw import write_ipynb

                            write_ipynb(nb_man.nb, partial_path)
                        except Exception:  # pragma: no cover - a debugging aid only
                            pass

    papermill_engines.register(name, KeptKernelEngine)
    return name


def _kernel_threads(threads: int) -> None:
    """Let the notebook kernels this process starts use ``threads`` threads each (environment they inherit).

    Reports run side by side, one per worker, so each kernel gets its share of the cores: more threads per
    kernel only make BLAS and numba threads of different kernels wait for each other.
    """
    if threads > 0:
        for var in THREAD_VARIABLES:
            os.environ[var] = str(threads)


def _safe(fn, *args) -> str:
    """Run a file operation of the error path; return "" or the one-line reason it failed (never raises)."""
    try:
        fn(*args)
        return ""
    except Exception as exc:  # e.g. ENOSPC, EROFS, EACCES: reported, and the batch goes on
        return f"{type(exc).__name__}: {exc}"


def _unlink(path: Path) -> None:
    Path(path).unlink(missing_ok=True)


def run_task(task: ReportTask) -> TaskResult:
    """Execute one agency's notebook and export it; never raises (failures are returned).

    The notebook writes into a private staging folder next to the agency's outputs; the outputs replace the
    previous ones only when everything succeeded.  A failed run keeps the previous report when it was made
    from the same data and parameters (e.g. a kernel that died under ``force``) and removes it otherwise (it no
    longer describes the data).
    """
    t0 = time.perf_counter()
    try:
        return _run_task(task, t0)
    except BaseException as exc:  # the last line of defence: one agency never stops the batch
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return TaskResult(task.agency, "failed", time.perf_counter() - t0, f"{type(exc).__name__}: {exc}")


def _run_task(task: ReportTask, t0: float) -> TaskResult:
    import papermill as pm

    _kernel_threads(task.threads)
    paths = report_paths(task.out, task.agency, task.lang)
    try:
        paths["dir"].mkdir(parents=True, exist_ok=True)
        if not task.notebook:
            task = replace(task, notebook=str(default_notebook()))
        stamp = _stamp(task)
    except Exception as exc:
        return TaskResult(task.agency, "failed", time.perf_counter() - t0, f"{type(exc).__name__}: {exc}")
    wanted = [paths[f] for f in task.formats if f in FORMATS] + [paths["results"]]
    try:
        previous = paths["stamp"].read_text() if paths["stamp"].exists() else ""
    except OSError:
        previous = ""
    previous_valid = previous == stamp and all(p.exists() for p in wanted)
    if not task.force and previous_valid:
        return TaskResult(task.agency, "skipped", 0.0, outputs=[str(p) for p in wanted])
    log_lines = [f"agency={task.agency} lang={task.lang} started {time.strftime('%Y-%m-%d %H:%M:%S')}"]
    stage = None
    try:
        stage = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=paths["dir"]))
        staged = {k: stage / paths[k].name for k in FORMATS + ("results",)}
        # in the kept kernel the notebook is written once, when it has run (or failed), not after every cell:
        # papermill's cell-by-cell saves serialise the whole notebook, figures included, about 35 times
        engine = ({"engine_name": _register_engine(), "threads": task.threads, "request_save_on_cell_execute": False,
                   "partial_path": str(staged["ipynb"])} if task.keep_kernel else {})
        for attempt in (1, 2):
            try:
                pm.execute_notebook(
                    task.notebook, str(staged["ipynb"]), parameters=task.all_parameters(output_dir=stage),
                    kernel_name="python3", progress_bar=False, log_output=False, cwd=str(stage),
                    execution_timeout=task.timeout, **engine,
                )
                break
            except RuntimeError as exc:
                # a kernel that dies before it starts (e.g. a TCP port taken by another process between its
                # choice and its bind, a known race of Jupyter kernels) is started once more; a notebook error
                # is not retried
                if attempt == 2 or "Kernel died before replying to kernel_info" not in str(exc):
                    raise
                _shutdown_kept_kernel()
                log_lines.append(f"the kernel died while starting ({exc}); started again")
        if not staged["results"].exists():
            raise RuntimeError(f"the notebook did not write {paths['results'].name}")
        produced = ["results"]
        if "html" in task.formats or "pdf" in task.formats:
            from .i18n import tr

            title = f"{tr('report_title', task.lang)}: {task.parameters.get('display_name') or task.agency}"
            atomic_write(staged["html"], _html_from_notebook(staged["ipynb"], title, task.lang))
            if "html" in task.formats:
                produced.append("html")
        if "pdf" in task.formats:
            _pdf_from_html(staged["html"], staged["pdf"])
            produced.append("pdf")
        if "ipynb" in task.formats:
            produced.append("ipynb")
        for k in EXPORTED:
            if k in task.formats:
                if not staged[k].exists():
                    raise RuntimeError(f"the notebook did not write {paths[k].name} (its last cell calls "
                                       "psikometri.report.export.write_exports(ctx, exports))")
                produced.append(k)
        # everything is ready: move it into place (without a stamp in between, so that an interruption here
        # makes the next run write the report again)
        paths["stamp"].unlink(missing_ok=True)
        for k in produced:
            os.chmod(staged[k], 0o644)
            os.replace(staged[k], paths[k])
        for k in FORMATS:  # formats not asked for this time are not left from an earlier run
            if k not in produced:
                paths[k].unlink(missing_ok=True)
        paths["failed"].unlink(missing_ok=True)
        atomic_write(paths["stamp"], stamp)
        outputs = [paths[k] for k in ("html", "pdf", "ipynb") + EXPORTED if k in produced]
        secs = time.perf_counter() - t0
        log_lines.append(f"ok in {secs:.1f} s: " + ", ".join(p.name for p in outputs))
        atomic_write(paths["log"], "\n".join(log_lines) + "\n")
        return TaskResult(task.agency, "ok", secs, outputs=[str(p) for p in outputs])
    except Exception as exc:  # collected, reported at the end
        cell = ""
        if type(exc).__name__ == "PapermillExecutionError":
            src = (getattr(exc, "source", "") or "").strip().splitlines()
            cell = f"cell {exc.cell_index} (execution count {exc.exec_count}): {src[0] if src else ''}"
            err = f"{exc.ename}: {exc.evalue}"
        else:
            err = f"{type(exc).__name__}: {exc}"
        if task.keep_kernel:  # the next report starts from a fresh kernel, not from whatever this one left
            _shutdown_kept_kernel()
        # every step below may fail in turn (a full or read-only disk): each failure is noted, none raises
        notes = []
        if stage is not None and (stage / paths["ipynb"].name).exists():
            notes.append(_safe(os.replace, stage / paths["ipynb"].name, paths["failed"]))
        if not previous_valid:  # outputs of an earlier run no longer describe the data
            for k in FORMATS + ("results", "stamp"):
                notes.append(_safe(_unlink, paths[k]))
        log_lines.append(f"FAILED: {err}")
        if cell:
            log_lines.append(f"in {cell}")
        if previous_valid:
            log_lines.append("the previous report (same data and parameters) was kept")
        log_lines.append(traceback.format_exc())
        notes.append(_safe(atomic_write, paths["log"], "\n".join(log_lines) + "\n"))
        notes = [n for n in notes if n]
        if notes:
            err += f" (and could not write to {paths['dir']}: {notes[0]})"
        return TaskResult(task.agency, "failed", time.perf_counter() - t0, err, cell)
    finally:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)


def _read_files(directory: Path) -> dict[str, bytes]:
    return {f.name: f.read_bytes() for f in sorted(Path(directory).iterdir()) if f.is_file()}


def run_remote_task(task: ReportTask, subset: dict[str, bytes]) -> tuple[TaskResult, dict[str, bytes]]:
    """Run ``task`` where no file system is shared with the client (a Dask worker on another machine).

    ``subset`` carries the agency's validated tables (Parquet bytes, from :func:`write_agency_subset`). The
    worker writes them into its own temporary folder, runs the notebook there and returns the result with
    every artefact of the agency's folder (HTML, ipynb, PDF, ``results.json``, log, stamp; the failed notebook
    on failure) as bytes, for the client to write under its ``--out``.  Never raises.
    """
    with tempfile.TemporaryDirectory(prefix=f"psikometri-task-{os.getpid()}-") as tmp:
        tmp = Path(tmp)
        data_dir = tmp / "data"
        data_dir.mkdir()
        for name, blob in subset.items():
            (data_dir / Path(name).name).write_bytes(blob)
        local = replace(task, data=str(data_dir), data_subset=str(data_dir), out=str(tmp / "out"),
                        notebook=task.notebook if task.notebook and Path(task.notebook).exists() else "")
        result = run_task(local)
        folder = report_paths(local.out, task.agency, task.lang)["dir"]
        files = _read_files(folder) if folder.exists() else {}
    result.outputs = [str(report_paths(task.out, task.agency, task.lang)["dir"] / Path(o).name)
                      for o in result.outputs]
    return result, files


def _write_artefacts(task: ReportTask, files: dict[str, bytes]) -> None:
    """Write what a remote task returned into the agency's folder under ``task.out`` (atomically, file by file)."""
    paths = report_paths(task.out, task.agency, task.lang)
    paths["dir"].mkdir(parents=True, exist_ok=True)
    produced = {Path(n).name for n in files}
    # outputs of an earlier run that this run did not produce no longer describe the data
    for k in FORMATS + ("results", "failed", "stamp"):
        if paths[k].name not in produced:
            paths[k].unlink(missing_ok=True)
    for name, blob in files.items():
        atomic_write(paths["dir"] / Path(name).name, blob)


def _up_to_date(task: ReportTask) -> bool:
    paths = report_paths(task.out, task.agency, task.lang)
    if task.force or not paths["stamp"].exists():
        return False
    wanted = [paths[f] for f in task.formats if f in FORMATS] + [paths["results"]]
    try:
        return paths["stamp"].read_text() == _stamp(task) and all(p.exists() for p in wanted)
    except OSError:
        return False


def _progress(total: int):
    try:
        from tqdm import tqdm

        return tqdm(total=total, desc="reports", unit="agency", file=sys.stderr, disable=None)
    except ImportError:  # pragma: no cover
        return None


class BatchError(ValueError):
    """A batch that cannot start: a bad option, an unusable ``--out``, an unreachable scheduler, another run.

    The message is one line naming the option, the value and the fix; ``code`` is the exit code.
    """

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


#: smallest ``n_boot`` of a report (percentile intervals from fewer replications are meaningless)
MIN_N_BOOT = 20
#: ``seed`` is a whole number in 0..MAX_SEED
MAX_SEED = 2**32 - 1
#: output formats: html, ipynb and pdf come from the executed notebook; xlsx and docx are written by the
#: notebook's last cell from the same sections (:mod:`psikometri.report.export`)
FORMATS = ("html", "ipynb", "pdf", "xlsx", "docx")
EXPORTED = ("xlsx", "docx")
LOCK_NAME = ".psikometri-report.lock"
SCRATCH_PREFIX = "psikometri-batch-"


def check_options(*, lang="id", formats=("html", "ipynb"), workers=1, n_boot=1000, seed=2026) -> tuple[str, ...]:
    """Raise :class:`BatchError` naming the option, the value and the fix; return ``formats`` as a tuple."""
    from .i18n import LANGUAGES

    def whole(v):
        return isinstance(v, numbers.Integral) and not isinstance(v, bool)

    if lang not in LANGUAGES:
        raise BatchError(f"--lang {lang!r} is not supported: lang must be one of {', '.join(LANGUAGES)}.")
    if isinstance(formats, str):
        formats = [f.strip() for f in formats.split(",") if f.strip()]
    formats = tuple(formats)
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise BatchError(f"--format {','.join(map(str, formats))!r} is not valid: formats must be a non-empty "
                         f"comma-separated subset of {', '.join(FORMATS)} (e.g. --format html,ipynb).")
    if "docx" in formats:
        try:
            import docx  # noqa: F401
        except ImportError:
            raise BatchError("--format docx needs the python-docx package. Fix: pip install python-docx, or "
                             "leave docx out of --format.") from None
    if not whole(workers) or workers < 1:
        raise BatchError(f"--workers {workers!r} is not valid: workers must be a whole number of at least 1 "
                         f"(e.g. --workers 1, or the number of cores: {os.cpu_count() or 1}).")
    if not whole(n_boot) or n_boot < MIN_N_BOOT:
        raise BatchError(f"--n-boot {n_boot!r} is not valid: the bootstrap needs at least {MIN_N_BOOT} "
                         "replications (use 1000 or more for a report you publish, e.g. --n-boot 1000).")
    if not whole(seed) or not 0 <= seed <= MAX_SEED:
        raise BatchError(f"--seed {seed!r} is not valid: the seed must be a whole number from 0 to {MAX_SEED} "
                         "(e.g. --seed 2026).")
    return formats


def _prepare_out(out) -> Path:
    """``out`` as an existing, writable folder, or :class:`BatchError` saying why not and what to do."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise BatchError(f"--out {str(out)!r} is a file, not a folder. Fix: give the path of a folder (it is "
                         "created if missing).")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BatchError(f"--out {str(out)!r}: cannot create the folder ({exc.strerror or exc}). Fix: choose a "
                         "folder you can write to.") from None
    try:  # a real write: permissions alone do not show a read-only mount or a full disk
        fd, probe = tempfile.mkstemp(prefix=".psikometri-write-test-", dir=out)
        try:
            os.write(fd, b"x")
        finally:
            os.close(fd)
            os.unlink(probe)
    except OSError as exc:
        raise BatchError(f"--out {str(out)!r} is not writable ({exc.strerror or exc}). Fix: choose a folder you "
                         "can write to, with free space.") from None
    return out


class _OutLock:
    """An exclusive lock on ``OUT`` (``flock`` on ``OUT/.psikometri-report.lock``) for the whole batch."""

    def __init__(self, out: Path):
        self.path = Path(out) / LOCK_NAME
        self.fh = None

    def __enter__(self):
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: no lock
            return self
        try:
            self.fh = open(self.path, "a+")
        except OSError as exc:
            raise BatchError(f"--out {str(self.path.parent)!r}: cannot create the lock file {LOCK_NAME} "
                             f"({exc.strerror or exc}). Fix: choose a folder you can write to.") from None
        try:
            fcntl.flock(self.fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.fh.seek(0)
            holder = self.fh.read().strip() or "another process"
            self.fh.close()
            self.fh = None
            raise BatchError(f"--out {str(self.path.parent)!r} is in use by another psikometri report run "
                             f"({holder}). Fix: wait until it has finished, or write to another folder with "
                             "--out.", code=3) from None
        try:
            self.fh.seek(0)
            self.fh.truncate()
            self.fh.write(f"pid {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
            self.fh.flush()
        except OSError:
            pass
        return self

    def __exit__(self, *exc):
        if self.fh is not None:
            self.fh.close()  # releases the lock; the file stays (removing it would race with a waiting run)
            self.fh = None
        return False


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_scratch(tmpdir=None) -> list[Path]:
    """Remove scratch folders (candidate-level data) left in the temporary folder by runs that were killed."""
    removed = []
    root = Path(tmpdir or tempfile.gettempdir())
    for prefix in (SCRATCH_PREFIX, "psikometri-task-"):
        for d in root.glob(f"{prefix}*"):
            m = re.match(rf"{re.escape(prefix)}(\d+)-", d.name)
            if m and d.is_dir() and int(m.group(1)) != os.getpid() and not _pid_alive(int(m.group(1))):
                shutil.rmtree(d, ignore_errors=True)
                removed.append(d)
    return removed


# temporary notebooks of papermill (``.report_<agency>_<lang>.ipynb.<random>.ipynb``) and of atomic_write
# (``.<name>.<random>.tmp``); stamps (``.report_<agency>_<lang>.stamp``) are not partial files
_PARTIAL = re.compile(r"\.report_.*\.ipynb\..+|\..+\.tmp")


def clean_partial_outputs(out) -> list[Path]:
    """Remove what an interrupted run left in ``out`` (call with the lock held).

    Temporary files (``.report_*``, ``.*.tmp``), staging folders, and reports whose ``results.json`` is
    missing (they were being replaced, or an older version deleted it): the next run writes them again.
    """
    removed = []
    out = Path(out)
    for f in out.glob(".*.tmp"):
        f.unlink(missing_ok=True)
        removed.append(f)
    for d in out.iterdir():
        if not d.is_dir() or d.name.startswith("."):
            continue
        try:
            entries = list(d.iterdir())
        except OSError:
            continue
        if not any(e.name.startswith(("report_", ".report_", STAGING_PREFIX)) or e.name == "results.json"
                   for e in entries):
            continue  # not a report folder
        has_results = (d / "results.json").exists()
        for e in entries:
            stale = (e.is_dir() and e.name.startswith(STAGING_PREFIX)) or (e.is_file() and _PARTIAL.fullmatch(e.name))
            if not has_results and e.is_file() and e.name.startswith(("report_", ".report_")) and \
                    e.suffix in (".html", ".ipynb", ".pdf", ".xlsx", ".docx", ".stamp") and \
                    not e.name.endswith(".failed.ipynb"):
                stale = True
            if stale:
                if e.is_dir():
                    shutil.rmtree(e, ignore_errors=True)
                else:
                    e.unlink(missing_ok=True)
                removed.append(e)
    return removed


def _die_with_parent(parent_pid: int) -> None:
    """Worker initializer: the worker (and so its kernel, which watches it) ends when the runner ends.

    Linux: the kernel sends SIGKILL to the worker when its parent dies (``PR_SET_PDEATHSIG``), even when the
    parent was killed with SIGKILL.  Elsewhere, a thread checks every second that the parent still lives.
    """
    import signal
    import threading

    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
        except Exception:  # pragma: no cover
            pass
    if os.getppid() != parent_pid:  # the parent died before the line above
        os._exit(1)

    def watch():
        while True:
            time.sleep(1.0)
            if os.getppid() != parent_pid:
                _shutdown_kept_kernel()
                os._exit(1)

    threading.Thread(target=watch, name="psikometri-parent-watch", daemon=True).start()


def _connect(scheduler: str):
    """A Dask client, or :class:`BatchError` with the address and the fix."""
    try:
        from distributed import Client
    except ImportError:
        raise BatchError(f"--scheduler {scheduler!r} needs the 'distributed' package. Fix: pip install "
                         "distributed, or leave out --scheduler to run on local workers.") from None
    if not re.match(r"^[a-z]+://[^\s/]+", str(scheduler)):
        raise BatchError(f"--scheduler {scheduler!r} is not an address. Fix: give tcp://HOST:PORT of a running "
                         "Dask scheduler, or leave out --scheduler to run on local workers.")
    try:
        return Client(scheduler, timeout="15s")
    except Exception as exc:  # OSError, TimeoutError, a protocol error
        raise BatchError(f"--scheduler {scheduler!r}: cannot reach the Dask scheduler ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else 'no answer'}). Fix: start it (dask "
                         "scheduler) and check the address, or leave out --scheduler to run on local "
                         "workers.") from None


def _norm_id(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if v is None or (isinstance(v, float) and v != v) else str(v).strip()


def _raw_tables(path: Path):
    """The data set's tables as the loader reads them before validation: table -> (file label, DataFrame)."""
    from .. import io as pio

    out = {}
    for t, (f, sheet) in pio._locate(path, []).items():
        fname = f.name if sheet is None else f"{f.name}[{sheet}]"
        df = pio._read_any(f, sheet, [], [])
        if df is None:
            continue
        df, _ = pio._rename(df, t, fname, {}, [])
        out[t] = (f, sheet, fname, df)
    return out


def _candidate_agency(tables: dict) -> dict[str, str]:
    """Candidate id -> agency, from the candidates table, else from the candidate's ratings."""
    found = {}
    for t in ("ratings", "candidates"):  # the candidates table wins
        if t in tables and {"candidate", "agency"} <= set(tables[t][3].columns):
            df = tables[t][3]
            found.update({_norm_id(k): _norm_id(a) for k, a in zip(df["candidate"], df["agency"]) if _norm_id(a)})
    return found


def _split_problems(path: Path, problems) -> tuple[dict[str, list[str]], list, dict]:
    """Attribute each problem to the agencies of its rows: ({agency: [problem, ...]}, unplaced, raw tables)."""
    from dataclasses import replace as dc_replace

    tables = _raw_tables(path)
    cand_agency = _candidate_agency(tables)
    by_file = {v[2]: (t, v[3]) for t, v in tables.items()}

    def agencies_of(table, row) -> set[str]:
        t, df = table
        found = set()
        if "agency" in df.columns and t != "items":
            a = _norm_id(row.get("agency"))
            if a:
                found.add(a)
        if "candidate" in df.columns:
            a = cand_agency.get(_norm_id(row.get("candidate")))
            if a:
                found.add(a)
        return found

    broken: dict[str, list] = {}
    unplaced = []
    for prob in problems:
        table = by_file.get(prob.file)
        if table is None or not prob.rows:
            unplaced.append(prob)
            continue
        per: dict[str, list[int]] = {}
        ok = True
        for r in prob.rows:
            if (r - 2) not in table[1].index:
                ok = False
                break
            ags = agencies_of(table, table[1].loc[r - 2])
            if not ags:
                ok = False
                break
            for a in ags:
                per.setdefault(a, []).append(r)
        if not ok:
            unplaced.append(prob)
            continue
        for a, rows in per.items():
            broken.setdefault(a, []).append(dc_replace(prob, rows=tuple(rows)))
    return broken, unplaced, tables


def _write_without(tables: dict, broken, dest: Path) -> Path:
    """The data set without the rows of the ``broken`` agencies, in the formats the loader reads the same way."""
    dest.mkdir(parents=True, exist_ok=True)
    cand_agency = _candidate_agency(tables)
    for t, (f, sheet, fname, df) in tables.items():
        if "agency" in df.columns and t != "items":
            keep = ~df["agency"].map(_norm_id).isin(broken)
        else:
            keep = ~df["candidate"].map(lambda v: cand_agency.get(_norm_id(v), "")).isin(broken)
        sub = df[keep.to_numpy(dtype=bool)]
        if f.suffix.lower() in (".csv", ".txt"):
            sep = ";" if df.attrs.get("decimal_comma") else ","
            sub.to_csv(dest / f"{t}.csv", sep=sep, index=False, encoding="utf-8")
        elif f.suffix.lower() in (".xlsx", ".xlsm"):
            sub.to_excel(dest / f"{t}.xlsx", index=False)
        else:
            sub.to_parquet(dest / f"{t}.parquet", index=False)
    return dest


def _scrubber(tables: dict):
    """A function that hides candidate ids and names in a message (problem texts go to the index and logs)."""
    secrets = set()
    if "candidates" in tables:
        c = tables["candidates"][3]
        for col in ("candidate", "name"):
            if col in c.columns:
                secrets |= {_norm_id(v) for v in c[col]}
    if "ratings" in tables and "candidate" in tables["ratings"][3].columns:
        secrets |= {_norm_id(v) for v in tables["ratings"][3]["candidate"]}
    secrets = sorted((x for x in secrets if len(x) >= 3), key=len, reverse=True)
    if not secrets:
        return lambda text: text
    pattern = re.compile("|".join(map(re.escape, secrets)))
    return lambda text: pattern.sub("[asesi]", text)


def load_per_agency(data, scratch: Path, ranges=None):
    """Load ``data``; when some agencies' rows are invalid, load the others without them.

    Returns ``(dataset, broken)`` with ``broken`` = {agency: [problem text, ...]}; raises the loader's
    :class:`~psikometri.io.DataValidationError` when a problem belongs to no agency (a missing file or column)
    or the remaining agencies still fail.
    """
    import warnings

    from ..io import DataValidationError, DataWarning, load_assessment

    def load(path):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            return load_assessment(path, ranges=ranges)

    try:
        return load(data), {}
    except DataValidationError as exc:
        first = exc
    try:
        broken, unplaced, tables = _split_problems(Path(data), first.problems)
    except Exception:
        raise first from None
    if unplaced or not broken:
        raise first
    try:
        ds = load(_write_without(tables, set(broken), Path(scratch) / "valid_agencies"))
    except DataValidationError:
        raise first from None
    scrub = _scrubber(tables)
    return ds, {a: [scrub(str(p)) for p in probs] for a, probs in sorted(broken.items())}


def _record_invalid(out: Path, agency: str, lang: str, problems: list[str]) -> TaskResult:
    """A failed result for an agency whose rows are invalid; its log lists the problems (never raises)."""
    paths = report_paths(out, agency, lang)
    n = len(problems)
    err = f"invalid data ({n} problem{'s' if n != 1 else ''}): " + " | ".join(problems)
    lines = [f"agency={agency} lang={lang} {time.strftime('%Y-%m-%d %H:%M:%S')}",
             "FAILED: the agency's rows in the data are invalid; fix them and run again:"]
    lines += [f"  - {p}" for p in problems]
    note = _safe(lambda: paths["dir"].mkdir(parents=True, exist_ok=True))
    for k in FORMATS + ("results", "stamp"):  # an earlier report no longer describes the data
        note = note or _safe(_unlink, paths[k])
    note = note or _safe(atomic_write, paths["log"], "\n".join(lines) + "\n")
    return TaskResult(agency, "failed", 0.0, err + (f" (and could not write its log: {note})" if note else ""),
                      problems=list(problems))


def run_batch(
    data,
    out,
    *,
    agencies=None,
    workers: int = 1,
    scheduler: str | None = None,
    lang: str | None = None,
    formats=None,
    force: bool = False,
    n_boot: int | None = None,
    seed: int | None = None,
    notebook=None,
    parameters: dict | None = None,
    index: bool = True,
    ranges: dict | None = None,
    config=None,
) -> int:
    """Run the agency report for every (or the selected) agency; return the exit code.

    Exit codes: 0 = every report written or up to date; 1 = some agencies failed (invalid rows, or their
    notebook failed: listed at the end and in the index; the others are written); 2 = nothing could run (bad
    data file, unknown agency); 3 = another run is writing to ``out``.

    Parameters
    ----------
    data : path
        Data set (see :func:`psikometri.io.load_assessment`).
    out : path
        Output directory; one sub-folder per agency (:func:`agency_slug`), ``index.html`` at the top.
    agencies : list of str, optional
        Only these agencies (default: all in the data).
    workers : int
        Local worker processes.
    scheduler : str, optional
        Address of a Dask distributed scheduler (``tcp://host:port``); the tasks
        are submitted there instead of to local workers.
    lang : {"id", "en"}, optional
        Default ``"id"`` (or the configuration file's ``lang``).
    formats : iterable of {"html", "ipynb", "pdf", "xlsx", "docx"}, optional
        Default ``("html", "ipynb")`` (or the file's ``formats``). ``xlsx`` also writes the national workbook
        ``index.xlsx`` beside ``index.html``.
    force : bool
        Re-run reports that are up to date.
    n_boot, seed : int, optional
        Bootstrap replications (at least :data:`MIN_N_BOOT`; default 1000) and seed (0 to :data:`MAX_SEED`;
        default 2026) passed to every notebook.
    ranges : dict, optional
        Plausibility ranges of the candidate columns (``load_assessment(..., ranges=)``), used to validate
        the data and passed to every notebook, which reads its agency's subset with them.
    config : path or :class:`~psikometri.report.config.ReportConfig`, optional
        The agency configuration file (:mod:`psikometri.report.config`). Precedence: default < the file <
        the file's ``agencies.<name>`` entry < the arguments above (the command-line options), each given
        argument overriding the file; ``parameters`` (notebook parameters) override everything.

    Raises
    ------
    BatchError
        (a ``ValueError``) when the batch cannot start: a bad option, an ``out`` that is a file or not
        writable, an unreachable scheduler, another run holding ``out`` (``code`` 3).  The message names the
        option, the value and the fix.
    """
    import signal
    import threading

    from .config import ConfigError, ReportConfig, load_config, resolve_settings

    try:
        cfg = config if (config is None or isinstance(config, ReportConfig)) else load_config(config)
    except ConfigError as exc:
        raise BatchError(str(exc)) from None
    # the options given here (the command line) override the file
    cli = {k: v for k, v in (("lang", lang), ("formats", formats), ("n_boot", n_boot), ("seed", seed))
           if v is not None}
    if ranges is not None:
        from ..io import _check_ranges

        try:
            _check_ranges(ranges)
        except (TypeError, ValueError) as exc:
            raise BatchError(f"--range: {exc}") from None
        cli |= {f"ranges.{col}": (None if v is None else (float(v[0]), float(v[1]))) for col, v in ranges.items()}
    batch = resolve_settings(cfg, None, cli)
    lang, n_boot, seed = batch["lang"].value, batch["n_boot"].value, batch["seed"].value
    formats = check_options(lang=lang, formats=batch["formats"].value, workers=workers, n_boot=n_boot, seed=seed)
    # plausibility ranges that differ from the loader's defaults (file or command line)
    ranges = {k.split(".", 1)[1]: r.value for k, r in batch.items()
              if k.startswith("ranges.") and r.source != "default"} or None
    out = _prepare_out(out)
    client = _connect(scheduler) if scheduler else None
    # SIGTERM (and SIGHUP) end the batch like Ctrl-C: through the ``finally`` blocks that remove the scratch data
    handlers = {}
    if threading.current_thread() is threading.main_thread():
        def _terminate(signum, frame):
            raise SystemExit(128 + signum)

        for sig in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)):
            if sig is not None:
                try:
                    handlers[sig] = signal.signal(sig, _terminate)
                except (ValueError, OSError):  # pragma: no cover
                    pass
    try:
        with _OutLock(out):
            clean_partial_outputs(out)
            remove_stale_scratch()
            return _run_locked(data, out, agencies=agencies, workers=workers, scheduler=scheduler, client=client,
                               lang=lang, formats=formats, force=force, n_boot=n_boot, seed=seed,
                               notebook=notebook, parameters=parameters, index=index, ranges=ranges, config=cfg,
                               cli=cli)
    finally:
        if client is not None:
            try:
                client.close()
            except Exception:  # pragma: no cover
                pass
        for sig, h in handlers.items():
            signal.signal(sig, h)


def _run_locked(data, out: Path, *, agencies, workers, scheduler, client, lang, formats, force, n_boot, seed,
                notebook, parameters, index, ranges=None, config=None, cli=None) -> int:
    import atexit

    from ..io import DataValidationError

    # each notebook reads only its own agency's rows (validated once here): faster, and no other agency's
    # individual-level data ever reaches it. The subsets live in a scratch folder outside OUT, removed on every
    # exit path (and, after a SIGKILL, by the next run: the folder carries this process's id)
    scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
    remove_scratch = functools.partial(shutil.rmtree, scratch, True)
    atexit.register(remove_scratch)
    try:
        try:
            ds, broken = load_per_agency(data, scratch, ranges=ranges)
        except DataValidationError as exc:
            print(str(exc), file=sys.stderr)
            return 2
        known = sorted(set(ds.agencies) | set(broken))
        todo = list(agencies) if agencies else known
        unknown = [a for a in todo if a not in known]
        if unknown:
            print(f"unknown agency(ies) {unknown}; the data hold {known}", file=sys.stderr)
            return 2
        if config is not None:
            from .config import ConfigError

            try:
                config.check_agencies(known)
            except ConfigError as exc:
                print(f"psikometri report: error: {exc}", file=sys.stderr)
                return 2
        nb = str(Path(notebook) if notebook else default_notebook())
        base = {}
        if ranges:  # the notebook reads its subset with the same plausibility ranges
            base["ranges"] = {k: (None if v is None else [float(v[0]), float(v[1])]) for k, v in ranges.items()}
        tasks = []
        results: list[TaskResult] = [_record_invalid(out, a, lang, broken[a]) for a in todo if a in broken]
        # local workers share this machine's cores; a Dask worker runs one task per thread of its own machine
        threads = (max(1, (os.cpu_count() or 1) // workers) if (workers > 1 and not scheduler)
                   else (1 if scheduler else 0))
        for a in todo:
            if a in broken:
                continue
            sub_dir = write_agency_subset(ds, a, scratch / agency_slug(a))
            params = _agency_parameters(config, a, cli) | base | dict(parameters or {})
            tasks.append(ReportTask(a, str(data), str(out), lang, formats, nb, params, force,
                                    data_subset=str(sub_dir), threads=threads))

        from .sections import warm_up

        if client is None and tasks and not all(_up_to_date(t) for t in tasks):
            # compile (or load from cache) the numba kernels once, before the local workers start; a Dask
            # worker's kernels use the cache of the worker's machine, which the client cannot fill
            warm_up()
        bar = _progress(len(tasks))
        t0 = time.perf_counter()
        if client is not None:
            _run_dask(client, tasks, results, bar)
        elif workers == 1 or len(tasks) <= 1:
            for t in tasks:
                results.append(run_task(t))
                bar and bar.update(1)
        else:
            with cf.ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=mp.get_context("spawn"),
                                        initializer=_die_with_parent, initargs=(os.getpid(),)) as ex:
                futs = {ex.submit(run_task, t): t for t in tasks}
                for f in cf.as_completed(futs):
                    try:
                        res = f.result()
                    except Exception as exc:  # a worker process lost (killed, out of memory)
                        res = TaskResult(futs[f].agency, "failed", 0.0, f"{type(exc).__name__}: {exc}")
                    results.append(res)
                    bar and bar.update(1)
        if bar:
            bar.close()
    finally:
        remove_scratch()
        atexit.unregister(remove_scratch)
    wall = time.perf_counter() - t0
    results.sort(key=lambda r: r.agency)
    summary = {"wall_seconds": wall, "results": [asdict(r) for r in results]}
    from .sections import strict_json

    n_ok = sum(r.status == "ok" for r in results)
    n_skip = sum(r.status == "skipped" for r in results)
    failed = [r for r in results if r.status == "failed"]
    trouble = _safe(atomic_write, out / f"batch_{lang}.json",
                    json.dumps(strict_json(summary), indent=2, allow_nan=False))
    if index and not trouble:
        from .export import national_workbook_name, write_national_workbook
        from .index import build_index

        if "xlsx" in formats:  # the national workbook beside the index, from the same results.json
            trouble = _safe(write_national_workbook, out, lang, known)
        else:  # one from an earlier run would no longer match the index
            trouble = _safe(_unlink, out / national_workbook_name(lang))
        trouble = trouble or _safe(build_index, out, lang, known)
    print(f"{n_ok} report(s) written, {n_skip} up to date, {len(failed)} failed, in {wall:.1f} s -> {out}")
    if failed:
        print("\nFailed agencies:", file=sys.stderr)
        for r in failed:
            print(f"  - {r.agency}: {r.error}" + (f"\n      in {r.cell}" if r.cell else "")
                  + f"\n      log: {report_paths(out, r.agency, lang)['log']}", file=sys.stderr)
    if trouble:
        print(f"\nThe batch summary and index could not be written to {out}: {trouble}. Fix: free space or "
              "permissions there and run again (the reports written so far are kept).", file=sys.stderr)
    return 1 if failed or trouble else 0


def _agency_parameters(config, agency: str, cli: dict | None) -> dict:
    """The notebook parameters of ``agency``: its effective settings (default < file < its entry < ``cli``) and
    their sources (``settings_source``)."""
    from .config import notebook_parameters, resolve_settings

    return notebook_parameters(resolve_settings(config, agency, cli or {}))


def _run_dask(client, tasks, results, bar) -> None:
    # the workers share no file system with this client: each task carries its agency's tables and
    # returns its artefacts, which are written here
    from distributed import as_completed

    futs = {}
    for t in tasks:
        if _up_to_date(t):
            results.append(TaskResult(t.agency, "skipped", 0.0))
            bar and bar.update(1)
            continue
        blobs = _read_files(Path(t.data_subset))
        fut = client.submit(run_remote_task, replace(t, data=t.data_subset), blobs, pure=False)
        futs[fut] = t
    for f in as_completed(list(futs)):
        t = futs[f]
        try:
            res, files = f.result()
            _write_artefacts(t, files)
        except Exception as exc:  # a worker lost or an artefact not writable: this agency fails
            res = TaskResult(t.agency, "failed", 0.0, f"{type(exc).__name__}: {exc}")
        results.append(res)
        bar and bar.update(1)
