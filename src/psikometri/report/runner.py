"""Batch runner: one papermill execution of ``notebooks/agency_report.ipynb`` per agency.

* deterministic names: ``OUT/<agency>/report_<agency>_<lang>.{ipynb,html,pdf}``,
  ``OUT/<agency>/results.json`` and ``OUT/<agency>/report_<agency>_<lang>.log``;
* outputs are written to a temporary file in the same folder and moved into
  place with :func:`os.replace`, so no half-written report survives a crash;
* a report is up to date when its stamp (a hash of the data files, the notebook,
  the parameters and the library's source) is unchanged; it is then skipped
  unless ``force``;
* local parallelism with worker processes, or the same tasks submitted to a Dask
  distributed scheduler;
* one agency failing never stops the others: failures are collected, printed at
  the end with the notebook cell that failed, and the exit code is 1.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import io
import json
import multiprocessing as mp
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

__all__ = ["ReportTask", "TaskResult", "report_paths", "run_task", "run_batch", "default_notebook", "atomic_write"]

PACKAGE_DIR = Path(__file__).resolve().parents[1]


def default_notebook() -> Path:
    """``notebooks/agency_report.ipynb`` of the source tree, or the copy shipped in the package."""
    for cand in (PACKAGE_DIR.parents[1] / "notebooks" / "agency_report.ipynb",
                 PACKAGE_DIR / "templates" / "agency_report.ipynb"):
        if cand.exists():
            return cand
    raise FileNotFoundError("agency_report.ipynb not found; pass notebook=PATH")


def agency_slug(agency: str) -> str:
    """File-system-safe name of an agency (letters, digits, ``_``, ``-``, ``.``), used for its folder and files."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", str(agency)).strip("._")
    return slug or "agency"


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

    def all_parameters(self) -> dict:
        p = {
            "agency": self.agency,
            "data_path": str(Path(self.data_subset or self.data).resolve()),
            "output_dir": str(report_paths(self.out, self.agency, self.lang)["dir"].resolve()),
            "lang": self.lang,
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
        "library": _hash_files(src),
        "parameters": task.all_parameters() | {"data_path": "", "output_dir": ""},
        "formats": list(task.formats),
    }
    return hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()


def _html_from_notebook(nb_path: Path, title: str = "", lang: str = "") -> str:
    """The executed notebook as HTML without code, titled ``title``, printed on A4 (``@page``)."""
    import html as _html

    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(nb_path, as_version=4)
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title or nb_path.stem}})
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
    run_sync(km.start_kernel)(cwd=tempfile.gettempdir())
    _KERNEL.update(km=km, key=(kernel_name, threads))
    if not _KERNEL.get("finalizer"):
        import atexit
        from multiprocessing import util as mp_util

        atexit.register(_shutdown_kept_kernel)  # the main process
        _KERNEL["finalizer"] = mp_util.Finalize(None, _shutdown_kept_kernel, exitpriority=10)  # worker processes
    return km


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
                return out
            finally:
                if client.kc is not None:
                    client.kc.stop_channels()
                if not ok:  # a failed or interrupted report may leave the kernel busy or half-changed
                    _shutdown_kept_kernel()

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


def run_task(task: ReportTask) -> TaskResult:
    """Execute one agency's notebook and export it; never raises (failures are returned)."""
    import papermill as pm

    _kernel_threads(task.threads)

    t0 = time.perf_counter()
    paths = report_paths(task.out, task.agency, task.lang)
    try:
        paths["dir"].mkdir(parents=True, exist_ok=True)
        if not task.notebook:
            task = replace(task, notebook=str(default_notebook()))
        stamp = _stamp(task)
    except Exception as exc:
        return TaskResult(task.agency, "failed", time.perf_counter() - t0, f"{type(exc).__name__}: {exc}")
    wanted = [paths[f] for f in task.formats if f in ("html", "ipynb", "pdf")] + [paths["results"]]
    if (not task.force and paths["stamp"].exists() and paths["stamp"].read_text() == stamp
            and all(p.exists() for p in wanted)):
        return TaskResult(task.agency, "skipped", 0.0, outputs=[str(p) for p in wanted])
    log_lines = [f"agency={task.agency} lang={task.lang} started {time.strftime('%Y-%m-%d %H:%M:%S')}"]
    paths["stamp"].unlink(missing_ok=True)
    paths["results"].unlink(missing_ok=True)  # never let an earlier run's results stand for this one
    fd, tmp_nb = tempfile.mkstemp(prefix=f".{paths['ipynb'].name}.", suffix=".ipynb", dir=paths["dir"])
    os.close(fd)
    tmp_nb = Path(tmp_nb)
    try:
        engine = {"engine_name": _register_engine(), "threads": task.threads} if task.keep_kernel else {}
        pm.execute_notebook(
            task.notebook, str(tmp_nb), parameters=task.all_parameters(), kernel_name="python3",
            progress_bar=False, log_output=False, cwd=str(paths["dir"]), execution_timeout=task.timeout,
            **engine,
        )
        outputs = []
        if "html" in task.formats or "pdf" in task.formats:
            from .i18n import tr

            title = f"{tr('report_title', task.lang)}: {task.agency}"
            atomic_write(paths["html"], _html_from_notebook(tmp_nb, title, task.lang))
            outputs.append(paths["html"])
        if "pdf" in task.formats:
            _pdf_from_html(paths["html"], paths["pdf"])
            outputs.append(paths["pdf"])
            if "html" not in task.formats:
                paths["html"].unlink()
                outputs.remove(paths["html"])
        if "ipynb" in task.formats:
            os.chmod(tmp_nb, 0o644)
            os.replace(tmp_nb, paths["ipynb"])
            outputs.append(paths["ipynb"])
        if not paths["results"].exists():
            raise RuntimeError(f"the notebook did not write {paths['results'].name}")
        paths["failed"].unlink(missing_ok=True)
        atomic_write(paths["stamp"], stamp)
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
        if tmp_nb.exists():
            os.replace(tmp_nb, paths["failed"])
        for k in ("html", "ipynb", "pdf", "results"):  # outputs of an earlier run no longer describe the data
            paths[k].unlink(missing_ok=True)
        log_lines.append(f"FAILED: {err}")
        if cell:
            log_lines.append(f"in {cell}")
        log_lines.append(traceback.format_exc())
        atomic_write(paths["log"], "\n".join(log_lines) + "\n")
        return TaskResult(task.agency, "failed", time.perf_counter() - t0, err, cell)
    finally:
        tmp_nb.unlink(missing_ok=True)


def _read_files(directory: Path) -> dict[str, bytes]:
    return {f.name: f.read_bytes() for f in sorted(Path(directory).iterdir()) if f.is_file()}


def run_remote_task(task: ReportTask, subset: dict[str, bytes]) -> tuple[TaskResult, dict[str, bytes]]:
    """Run ``task`` where no file system is shared with the client (a Dask worker on another machine).

    ``subset`` carries the agency's validated tables (Parquet bytes, from :func:`write_agency_subset`). The
    worker writes them into its own temporary folder, runs the notebook there and returns the result with
    every artefact of the agency's folder (HTML, ipynb, PDF, ``results.json``, log, stamp; the failed notebook
    on failure) as bytes, for the client to write under its ``--out``.  Never raises.
    """
    with tempfile.TemporaryDirectory(prefix="psikometri-task-") as tmp:
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
    for k in ("html", "ipynb", "pdf", "results", "failed", "stamp"):
        if paths[k].name not in produced:
            paths[k].unlink(missing_ok=True)
    for name, blob in files.items():
        atomic_write(paths["dir"] / Path(name).name, blob)


def _up_to_date(task: ReportTask) -> bool:
    paths = report_paths(task.out, task.agency, task.lang)
    if task.force or not paths["stamp"].exists():
        return False
    wanted = [paths[f] for f in task.formats if f in ("html", "ipynb", "pdf")] + [paths["results"]]
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


def run_batch(
    data,
    out,
    *,
    agencies=None,
    workers: int = 1,
    scheduler: str | None = None,
    lang: str = "id",
    formats=("html", "ipynb"),
    force: bool = False,
    n_boot: int = 1000,
    seed: int = 2026,
    notebook=None,
    parameters: dict | None = None,
    index: bool = True,
) -> int:
    """Run the agency report for every (or the selected) agency; return the exit code (0 = all ok).

    Parameters
    ----------
    data : path
        Data set (see :func:`psikometri.io.load_assessment`).
    out : path
        Output directory; one sub-folder per agency, ``index.html`` at the top.
    agencies : list of str, optional
        Only these agencies (default: all in the data).
    workers : int
        Local worker processes.
    scheduler : str, optional
        Address of a Dask distributed scheduler (``tcp://host:port``); the tasks
        are submitted there instead of to local workers.
    lang : {"id", "en"}
    formats : iterable of {"html", "ipynb", "pdf"}
    force : bool
        Re-run reports that are up to date.
    n_boot, seed : int
        Bootstrap replications and seed passed to every notebook.
    """
    import warnings

    from ..io import DataValidationError, DataWarning, load_assessment
    from .i18n import LANGUAGES

    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}; got lang={lang!r}.")
    formats = tuple(formats)
    bad = [f for f in formats if f not in ("html", "ipynb", "pdf")]
    if bad or not formats:
        raise ValueError(f"formats must be a non-empty subset of html, ipynb, pdf; got {formats!r}.")
    if workers < 1:
        raise ValueError(f"workers must be >= 1; got workers={workers}.")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        try:
            ds = load_assessment(data)
        except DataValidationError as exc:
            print(str(exc), file=sys.stderr)
            return 2
    todo = list(agencies) if agencies else ds.agencies
    unknown = [a for a in todo if a not in ds.agencies]
    if unknown:
        print(f"unknown agency(ies) {unknown}; the data hold {ds.agencies}", file=sys.stderr)
        return 2
    nb = str(Path(notebook) if notebook else default_notebook())
    params = {"n_boot": int(n_boot), "seed": int(seed)} | dict(parameters or {})
    Path(out).mkdir(parents=True, exist_ok=True)
    tasks = []
    # each notebook reads only its own agency's rows (validated once here): faster, and no other agency's
    # individual-level data ever reaches it. The subsets live in a scratch folder outside OUT, removed at the end
    # (with a Dask scheduler, their bytes travel with the tasks: no shared file system is needed).
    scratch = Path(tempfile.mkdtemp(prefix="psikometri-batch-"))
    # local workers share this machine's cores; a Dask worker runs one task per thread of its own machine
    threads = max(1, (os.cpu_count() or 1) // workers) if (workers > 1 and not scheduler) else (1 if scheduler else 0)
    for a in todo:
        sub_dir = write_agency_subset(ds, a, scratch / agency_slug(a))
        tasks.append(ReportTask(a, str(data), str(out), lang, formats, nb, params, force, data_subset=str(sub_dir),
                                threads=threads))

    from .sections import warm_up

    if not all(_up_to_date(t) for t in tasks):
        warm_up()  # compile (or load from cache) the numba kernels once, before the workers start
    results: list[TaskResult] = []
    bar = _progress(len(tasks))
    t0 = time.perf_counter()
    if scheduler:
        # the workers share no file system with this client: each task carries its agency's tables and
        # returns its artefacts, which are written here
        from distributed import Client, as_completed

        with Client(scheduler) as client:
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
    elif workers == 1:
        for t in tasks:
            results.append(run_task(t))
            bar and bar.update(1)
    else:
        with cf.ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn")) as ex:
            futs = [ex.submit(run_task, t) for t in tasks]
            for f in cf.as_completed(futs):
                results.append(f.result())
                bar and bar.update(1)
    if bar:
        bar.close()
    shutil.rmtree(scratch, ignore_errors=True)
    wall = time.perf_counter() - t0
    results.sort(key=lambda r: r.agency)
    summary = {"wall_seconds": wall, "results": [asdict(r) for r in results]}
    from .sections import strict_json

    atomic_write(Path(out) / f"batch_{lang}.json", json.dumps(strict_json(summary), indent=2, allow_nan=False))
    if index:
        from .index import build_index

        build_index(out, lang=lang, agencies=ds.agencies)
    n_ok = sum(r.status == "ok" for r in results)
    n_skip = sum(r.status == "skipped" for r in results)
    failed = [r for r in results if r.status == "failed"]
    print(f"{n_ok} report(s) written, {n_skip} up to date, {len(failed)} failed, in {wall:.1f} s -> {out}")
    if failed:
        print("\nFailed agencies:", file=sys.stderr)
        for r in failed:
            print(f"  - {r.agency}: {r.error}" + (f"\n      in {r.cell}" if r.cell else "")
                  + f"\n      log: {report_paths(out, r.agency, lang)['log']}", file=sys.stderr)
        return 1
    return 0
