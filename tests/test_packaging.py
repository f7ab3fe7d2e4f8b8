"""Project wiring: dependency lists agree, the README shows the two commands, import is cheap."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

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


_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^`\s]*)")
#: Info strings of the blocks that are run; any other block must not hold Python.
_PYTHON_TAGS = {"python", "py", "python3"}


def _readme_blocks():
    """``(info string, code, line)`` of every fenced code block of the README, in order."""
    lines = (ROOT / "README.md").read_text().splitlines()
    blocks, i = [], 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, tag = m.groups()
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(fence):
            j += 1
        assert j < len(lines), f"README.md line {i + 1}: the code block is never closed"
        body = [ln[len(indent):] if ln.startswith(indent) else ln for ln in lines[i + 1:j]]
        blocks.append((tag.lower(), "\n".join(body) + "\n", i + 1))
        i = j + 1
    return blocks


def test_readme_blocks_are_found_and_no_python_hides_untagged():
    blocks = _readme_blocks()
    python = [b for b in blocks if b[0] in _PYTHON_TAGS]
    assert len(python) >= 2
    # the regular expression of an older version of this test saw only ```python blocks: the parser here finds
    # those too (the same code), so no runnable block is left out
    assert [b[1] for b in python if b[0] == "python"] == re.findall(
        r"^```python\n(.*?)^```", (ROOT / "README.md").read_text(), re.S | re.M)
    looks_python = re.compile(r"^\s*(import |from \w+ import |\w+ = pk\.|pk\.)", re.M)
    hidden = [(line, tag) for tag, code, line in blocks if tag not in _PYTHON_TAGS and looks_python.search(code)]
    assert not hidden, f"README blocks holding Python without a python tag (line, tag): {hidden}; tag them ```python"


@pytest.mark.parametrize("line", [b[2] for b in _readme_blocks() if b[0] in _PYTHON_TAGS])
def test_readme_python_snippets_run(line):
    """Every ```python block of the README runs as written, from the repository root (on the sample data)."""
    code = next(c for tag, c, ln in _readme_blocks() if ln == line)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, cwd=ROOT,
                       env={**os.environ, "MPLBACKEND": "Agg"})
    assert r.returncode == 0, (f"README.md line {line}", code[:200], r.stderr[-2000:])
