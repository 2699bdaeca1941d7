"""Re-execute notebooks in place, top to bottom in a fresh kernel: the outputs nbval compares against.

    python tools/execute_notebooks.py notebooks/*.ipynb

Each notebook runs in its own folder with this environment's Python (as nbval
does with --nbval-current-env).  What is written is what a learner sees, made
independent of the run so that re-executing an unchanged notebook leaves the
file unchanged (but for the cells marked "# varies by machine", such as a timing):

- no timing metadata;
- consecutive printed chunks merged (the kernel may split one print in two);
- a widget's output keeps its static PNG and short text but not the widget-view
  reference: that reference names a model that exists only in the kernel that
  ran the notebook (a new random id each run), so a viewer without that kernel
  shows the picture instead of "model not found".  Running the cell brings the
  live widget back.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def normalized(outputs: list) -> list:
    """Merge consecutive stream chunks; drop widget-view references (their model ids are random)."""
    result = []
    for output in outputs:
        if output.output_type == "stream" and result and result[-1].output_type == "stream" \
                and result[-1].name == output.name:
            result[-1].text += output.text
            continue
        if output.output_type in ("display_data", "execute_result") and WIDGET_VIEW in output.data:
            del output.data[WIDGET_VIEW]
        result.append(output)
    return result


def execute(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
        extra_arguments=["--IPKernelApp.log_level=ERROR"],  # the kernel's "running over TCP" warning, once per notebook
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    nb.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = normalized(cell.outputs)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return elapsed


def main(paths: list[str]) -> None:
    for name in paths:
        elapsed = execute(Path(name))
        print(f"{name}: executed in {elapsed:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
