"""Execute one chapter template with papermill.

Each chapter runs in its own Python process (``python -m digital_jilin.execute``), so chapters
run in parallel without sharing interpreter state; the result comes back as one JSON line
rather than an exception, so the build can report every failing chapter with its cell and error.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat
import yaml

KERNEL_START_ATTEMPTS = 3


@dataclass
class Result:
    chapter: str
    ok: bool
    seconds: float
    error: str = ""


def _template_cell(executed: Path, index: int) -> int:
    """1-based number of the failing cell in the template, not counting papermill's injected cell."""
    try:
        cells = nbformat.read(executed, as_version=4).cells
    except (OSError, ValueError):
        return index + 1
    injected = [
        i for i, c in enumerate(cells) if "injected-parameters" in c.metadata.get("tags", [])
    ]
    return index + (0 if injected and index > injected[0] else 1)


def _describe_failure(exc: BaseException, template: Path, executed: Path) -> str:
    # papermill's PapermillExecutionError knows which cell failed and what it raised.
    index = getattr(exc, "cell_index", None)
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    where = f"{template}"
    if index is not None:
        where += f", cell {_template_cell(executed, index)}"
    return f"{where}: {ename}: {evalue}"


def run_chapter(
    chapter_id: str, title: str, template: str, params_file: str, output: str, cwd: str
) -> Result:
    """Execute ``template`` with the parameters in ``params_file`` (YAML keeps their types)."""
    import papermill as pm

    start = time.perf_counter()
    parameters = yaml.safe_load(Path(params_file).read_text(encoding="utf-8")) or {}
    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        try:
            pm.execute_notebook(
                template,
                output,
                parameters=parameters,
                cwd=cwd,
                kernel_name="python3",
                progress_bar=False,
                log_output=False,
            )
            break
        except pm.PapermillExecutionError as exc:  # a cell raised: report it, keep the notebook
            failure = _describe_failure(exc, Path(template), Path(output))
            return Result(chapter_id, False, time.perf_counter() - start, failure)
        except Exception as exc:
            # Kernels started at the same moment sometimes die before their first reply
            # (a port taken by a sibling); that is not the chapter's fault, so try again.
            if attempt == KERNEL_START_ATTEMPTS:
                failure = _describe_failure(exc, Path(template), Path(output))
                return Result(chapter_id, False, time.perf_counter() - start, failure)
            time.sleep(attempt)
    _add_title(Path(output), title)
    return Result(chapter_id, True, time.perf_counter() - start)


def _add_title(path: Path, title: str) -> None:
    """The page title comes from chapters.yml, so one generic template serves many chapters."""
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(f"# {title}"))
    nbformat.write(nb, path)


def run_in_subprocess(
    chapter_id: str, title: str, template: str, params_file: str, output: str, cwd: str
) -> Result:
    """``run_chapter`` in a fresh interpreter; a crash there is reported like a failing cell."""
    args = json.dumps([chapter_id, title, template, params_file, output, cwd])
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "digital_jilin.execute", args], capture_output=True, text=True
    )
    last = proc.stdout.strip().splitlines()[-1:] or [""]
    try:
        return Result(**json.loads(last[0]))
    except (json.JSONDecodeError, TypeError):
        detail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return Result(chapter_id, False, time.perf_counter() - start, f"{template}: {detail}")


if __name__ == "__main__":
    result = run_chapter(*json.loads(sys.argv[1]))
    print(json.dumps(asdict(result), ensure_ascii=False))
