"""Project wiring: dependency lists agree, the README shows the two commands, import is cheap."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _names(specs):
    return {re.split(r"[<>=!~ \[]", s.strip(), maxsplit=1)[0].lower() for s in specs if s.strip()}


def test_environment_yml_matches_pyproject():
    py = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = _names(py["dependencies"]) | _names(py["optional-dependencies"]["test"])
    text = (ROOT / "environment.yml").read_text()
    deps = text.split("dependencies:", 1)[1]
    env = [ln.strip()[2:] for ln in deps.splitlines()
           if ln.strip().startswith("- ") and not re.match(r"- python([=<>! ]|$)", ln.strip())
           and ln.strip() != "- pip"]
    assert _names(env) == wanted


def test_readme_quick_start_is_two_commands():
    text = (ROOT / "README.md").read_text()
    qs = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    cmds = re.findall(r"^(make \w+)$", qs, flags=re.M)
    assert cmds == ["make report", "make test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci


def test_import_compiles_nothing_and_loads_no_heavy_modules():
    code = (
        "import sys, psikometri;"
        "heavy=[m for m in ('numba','statsmodels','matplotlib','scipy') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_top_level_reexports_every_family():
    import psikometri as pk

    api = pk.public_api()
    for fam, names in api.items():
        for n in names:
            assert getattr(pk, n) is getattr(sys.modules[f"psikometri.{fam}"], n)
    assert "load_assessment" in dir(pk)


def test_readme_python_snippets_run():
    """Every ```python block of the README runs from the repository root (on the sample data)."""
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert blocks
    for code in blocks:
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, cwd=ROOT,
                           env={**os.environ, "MPLBACKEND": "Agg"})
        assert r.returncode == 0, (code[:200], r.stderr[-2000:])
