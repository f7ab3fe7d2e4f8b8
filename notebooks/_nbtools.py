"""Shared helper of the notebook generator scripts in this folder."""

from pathlib import Path

import nbformat as nbf

#: The kernel the notebooks open on: registered by `make lab` (python -m ipykernel install --sys-prefix --name
#: psikometri) in the project's environment.  Batch runs (papermill in the tests, the report runner) name their
#: kernel explicitly and do not depend on it.
KERNELSPEC = {"name": "psikometri", "display_name": "psikometri (Python 3.11)", "language": "python"}


def write_notebook(cells, name: str, id_prefix: str, kernelspec: dict | None = None) -> Path:
    """Write ``cells`` to ``notebooks/<name>``.

    Each cell is ``(kind, source[, tags])``.  ``kind`` is "md" (Markdown), "code", "say" (a code cell that
    writes the interpretation of the output above it; tagged ``interpretation``, its source collapsed in
    JupyterLab so that the reader sees the paragraph it writes) or "hidden" (a code cell whose source is
    collapsed, e.g. helper definitions).  Cell ids are fixed (``<id_prefix>-NN``) so that the file is identical
    on every run.
    """
    nb = nbf.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(kernelspec or KERNELSPEC)
    for i, cell in enumerate(cells):
        kind, src = cell[0], cell[1]
        if kind not in ("md", "code", "say", "hidden"):
            raise ValueError(f"cell {i}: kind must be 'md', 'code', 'say' or 'hidden'; got {kind!r}.")
        c = nbf.v4.new_markdown_cell(src) if kind == "md" else nbf.v4.new_code_cell(src)
        tags = list(cell[2]) if len(cell) > 2 else []
        if kind == "say" and "interpretation" not in tags:
            tags.append("interpretation")
        if tags:
            c.metadata["tags"] = tags
        if kind in ("say", "hidden"):
            c.metadata["jupyter"] = {"source_hidden": True}
        c["id"] = f"{id_prefix}-{i:02d}"
        nb.cells.append(c)
    path = Path(__file__).with_name(name)
    nbf.write(nb, path)
    return path
