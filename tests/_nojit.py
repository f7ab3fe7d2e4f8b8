"""Run a snippet with numba's JIT disabled, in a subprocess, and return its JSON output.

Kernels are checked twice: compiled (the normal test run) and as plain Python
(``NUMBA_DISABLE_JIT=1``), which is how their lines are measured by coverage and
how a wrong-but-compiling kernel is caught against the same naive reference.

The snippet must ``print(json.dumps(...))`` as its last output line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap


def run_without_jit(snippet: str, timeout: float = 600) -> object:
    env = dict(os.environ, NUMBA_DISABLE_JIT="1", PYTHONWARNINGS="ignore")
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(snippet)],
        capture_output=True, text=True, env=env, timeout=timeout,
    )
    if proc.returncode != 0:
        raise AssertionError(f"snippet failed without JIT:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])
