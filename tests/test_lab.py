"""The tours run in JupyterLab itself: a real server, a headless Chromium, every cell run through the UI.

JupyterLab is started on loopback (a free port, a token, no browser) over a temporary folder that holds a
copy of the tour (with fewer bootstrap resamples injected the way papermill does) and a link to the sample
data, so the committed notebook is never autosaved over.  The ``psikometri`` kernel that the tours name is
registered into a temporary Jupyter data folder with the same command as ``make lab``.  Chromium is driven
through the Chrome DevTools Protocol (``websocket-client``): open the notebook, wait for the kernel, run
``notebook:run-all-cells``, wait until the kernel is idle and every code cell has an execution count, then
read every output from the notebook model (the windowed notebook does not keep off-screen cells in the DOM).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NB = ROOT / "notebooks"
KERNEL = "psikometri"
BUDGET = 480  # seconds for the whole test; it typically needs well under a quarter of that (more on a busy machine)


def _chromium():
    for n in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(n):
            return shutil.which(n)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, timeout: float = 5.0) -> bytes:
    """GET a loopback URL directly (never through a proxy from the environment)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=timeout) as resp:
        return resp.read()


def _stop(proc: subprocess.Popen) -> None:
    """Stop a process this test started, with its process group (JupyterLab's kernels, Chromium's helpers)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


class _Page:
    """A minimal Chrome DevTools Protocol client for one page target."""

    def __init__(self, ws_url: str):
        import websocket

        self.ws = websocket.create_connection(ws_url, timeout=180, suppress_origin=True)  # a busy machine is slow
        self.next_id = 0

    def call(self, method: str, **params):
        self.next_id += 1
        mid = self.next_id
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def js(self, expression: str):
        res = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in res:
            raise RuntimeError(f"JavaScript failed: {res['exceptionDetails']}")
        return res["result"].get("value")

    def close(self):
        self.ws.close()


# State of the open notebook, read from JupyterLab's models (window.jupyterapp, exposed by
# --LabApp.expose_app_in_browser): kernel status, execution counts, outputs, and any open dialog.
STATE_JS = r"""
(() => {
  const app = window.jupyterapp;
  if (!app || !app.shell) return {stage: 'loading'};
  const dialog = document.querySelector('.jp-Dialog');
  // the notebook's panel, found by its path (a headless window has no focus, so no currentWidget)
  const w = Array.from(app.shell.widgets('main')).find(x => x.context && x.context.path === PATH);
  if (!w || !w.content || !w.sessionContext) {
    return {stage: 'no-notebook', dialog: dialog ? dialog.innerText : null};
  }
  const session = w.sessionContext.session;
  const kernel = session ? session.kernel : null;
  const cells = w.content.widgets.map(c => c.model.toJSON());
  return {
    stage: 'notebook',
    path: w.context.path,
    kernelName: kernel ? kernel.name : null,
    kernelStatus: kernel ? kernel.status : null,
    dialog: dialog ? dialog.innerText : null,
    cells: cells.map(c => ({type: c.cell_type, count: c.execution_count === undefined ? null : c.execution_count,
                           tags: (c.metadata && c.metadata.tags) || [], outputs: c.outputs || []})),
  };
})()
"""


def _wait(page: _Page, path: str, predicate, what: str, deadline: float, poll: float = 0.5):
    state = None
    expression = STATE_JS.replace("PATH", json.dumps(path))
    while time.time() < deadline:
        state = page.js(expression)
        if predicate(state):
            return state
        time.sleep(poll)
    raise AssertionError(f"timed out waiting for {what}; last state: {json.dumps(state)[:2000]}")


def _errors(cells) -> list[str]:
    """Error outputs, and tracebacks written to stderr, of the notebook's code cells."""
    found = []
    for i, c in enumerate(cells):
        for o in c["outputs"]:
            if o.get("output_type") == "error":
                found.append(f"cell {i}: {o.get('ename')}: {o.get('evalue')}")
            elif o.get("output_type") == "stream" and o.get("name") == "stderr":
                text = "".join(o.get("text", ""))
                if "Traceback" in text:
                    found.append(f"cell {i}: traceback on stderr: {text[-800:]}")
    return found


@contextlib.contextmanager
def running_lab(tmp_path: Path):
    """JupyterLab over a temporary root with a copy of the tours, yielding (base_url, token, root)."""
    pytest.importorskip("jupyterlab")
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("papermill")
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook
    root = tmp_path / "root"
    (root / "notebooks").mkdir(parents=True)
    (root / "data_samples").symlink_to(ROOT / "data_samples", target_is_directory=True)
    for name in ("tour_id", "tour_en"):
        nb = parameterize_notebook(load_notebook_node(str(NB / f"{name}.ipynb")), {"n_boot": 200})
        nbformat.write(nb, root / "notebooks" / f"{name}.ipynb")
    # Jupyter's folders in tmp: nothing is written to the user's ~/.jupyter, and the kernelspec is the one
    # `make lab` registers (same command, a temporary prefix instead of the environment's)
    jdir = tmp_path / "jupyter"
    prefix = jdir / "prefix"
    subprocess.run([sys.executable, "-m", "ipykernel", "install", "--prefix", str(prefix), "--name", KERNEL,
                    "--display-name", "psikometri (Python 3.11)"], check=True, capture_output=True)
    env = dict(os.environ, JUPYTER_PATH=str(prefix / "share" / "jupyter"), JUPYTER_CONFIG_DIR=str(jdir / "config"),
               JUPYTER_DATA_DIR=str(jdir / "data"), JUPYTER_RUNTIME_DIR=str(jdir / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(jdir / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(jdir / "workspaces"),
               IPYTHONDIR=str(jdir / "ipython"), MPLBACKEND="module://matplotlib_inline.backend_inline",
               PYTHONPATH=os.pathsep.join([str(ROOT / "src")] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    # no news / update checks, no autosave: a quiet, offline lab
    settings = jdir / "settings" / "@jupyterlab"
    (settings / "apputils-extension").mkdir(parents=True)
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    (settings / "docmanager-extension").mkdir(parents=True)
    (settings / "docmanager-extension" / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           "--LabApp.expose_app_in_browser=True", "--ServerApp.quit_button=False",
           # as `make lab`: the server's start page is the Indonesian tour
           "--LabApp.default_url=/lab/tree/notebooks/tour_id.ipynb"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = (tmp_path / "jupyterlab.log").open("wb")
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                _get(f"{base}/api/status?token={token}")
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise AssertionError("JupyterLab did not start: "
                                         + (tmp_path / "jupyterlab.log").read_text(errors="replace")[-3000:])
                time.sleep(0.3)
        yield base, token, root
    finally:
        _stop(proc)
        log.close()


@contextlib.contextmanager
def running_chromium(tmp_path: Path):
    """A headless Chromium with a DevTools endpoint, yielding a connected :class:`_Page`."""
    pytest.importorskip("websocket", reason="needs websocket-client (test extra) to drive Chromium")
    profile = tmp_path / "chromium"
    cmd = [_chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
           "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
           "--disable-extensions", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
           f"--user-data-dir={profile}", "--window-size=1400,1000", "about:blank"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    page = None
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.time() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            assert proc.poll() is None, "Chromium exited at start"
            assert time.time() < deadline, "Chromium opened no DevTools port"
            time.sleep(0.2)
        port = int(port_file.read_text().split()[0])
        while True:
            targets = [t for t in json.loads(_get(f"http://127.0.0.1:{port}/json/list")) if t.get("type") == "page"]
            if targets:
                break
            assert time.time() < deadline, "Chromium has no page"
            time.sleep(0.2)
        page = _Page(targets[0]["webSocketDebuggerUrl"])
        yield page
    finally:
        if page is not None:
            page.close()
        _stop(proc)


@pytest.fixture
def lab(tmp_path):
    with running_lab(tmp_path) as server:
        yield server


@pytest.fixture
def chromium_page(tmp_path):
    with running_chromium(tmp_path) as page:
        yield page


@pytest.mark.skipif(_chromium() is None, reason="headless Chromium not installed (CI installs Debian's chromium)")
def test_tour_runs_in_jupyterlab(lab, chromium_page):
    base, token, root = lab
    page = chromium_page
    path = "notebooks/tour_id.ipynb"
    start = time.time()
    deadline = start + BUDGET
    page.call("Page.enable")
    page.call("Page.navigate", url=f"{base}/?token={token}")  # the start page, as `make lab` opens it
    state = _wait(page, path, lambda s: s.get("stage") == "notebook" and s.get("kernelStatus") == "idle"
                  or bool(s.get("dialog")), "the notebook and its kernel", deadline)
    assert not state.get("dialog"), f"JupyterLab shows a dialog: {state['dialog']}"
    assert state["kernelName"] == KERNEL, "the tour does not open on the psikometri kernel"
    # run every cell as a reader would (Run > Run All Cells), on the tour's panel
    page.js(f"""(() => {{
      const app = window.jupyterapp;
      const w = Array.from(app.shell.widgets('main')).find(x => x.context && x.context.path === {json.dumps(path)});
      app.shell.activateById(w.id);
      return app.commands.execute('notebook:run-all-cells').then(() => true);
    }})()""")

    def finished(s):
        if s.get("dialog") or _errors(s.get("cells", [])):
            return True
        code = [c for c in s["cells"] if c["type"] == "code"]
        return s.get("kernelStatus") == "idle" and all(c["count"] for c in code)

    state = _wait(page, path, finished, "every cell to run", deadline, poll=1.0)
    assert not state.get("dialog"), f"JupyterLab shows a dialog: {state['dialog']}"
    cells = state["cells"]
    assert not _errors(cells), _errors(cells)
    code = [c for c in cells if c["type"] == "code"]
    counts = [c["count"] for c in code]
    assert counts == sorted(counts) and len(set(counts)) == len(counts), counts
    # every interpretation cell rendered its paragraph (Markdown from the computed values)
    said = [c for c in code if "interpretation" in c["tags"]]
    assert said, "the tour has no interpretation cells"
    for c in said:
        assert any("text/markdown" in o.get("data", {}) for o in c["outputs"]), c
    # the nine-box figure was drawn
    assert any("image/png" in o.get("data", {}) for c in code for o in c["outputs"])
    assert time.time() - start < BUDGET
