"""Shared helper of the notebook generator scripts in this folder."""

from pathlib import Path

import nbformat as nbf


def write_notebook(cells, name: str, id_prefix: str) -> Path:
    """Write ``cells`` (``(kind, source[, tags])`` with kind "md" or "code") to ``notebooks/<name>``.

    Cell ids are fixed (``<id_prefix>-NN``) so that the file is identical on every run.
    """
    nb = nbf.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for i, cell in enumerate(cells):
        kind, src = cell[0], cell[1]
        c = nbf.v4.new_markdown_cell(src) if kind == "md" else nbf.v4.new_code_cell(src)
        if len(cell) > 2:
            c.metadata["tags"] = cell[2]
        c["id"] = f"{id_prefix}-{i:02d}"
        nb.cells.append(c)
    path = Path(__file__).with_name(name)
    nbf.write(nb, path)
    return path
