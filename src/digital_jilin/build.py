"""Build the book: validate the data, execute the chapters that changed, render, publish.

Steps (each one leaves the published ``_build/html`` untouched when it fails):

1. load and validate the data folder;
2. execute each chapter template with papermill into ``book/generated/`` — in parallel, and only
   when its template, parameters, the data it reads or the package code changed (``.cache.json``
   holds the content hash of each executed chapter) — while this process writes the Excel
   appendix (also skipped when its inputs are unchanged);
3. drop chart downloads no chapter links any more; write the offline Vega bundle;
4. run Jupyter Book (Sphinx, warnings as errors) in ``_build/.sphinx`` — kept between builds so
   Sphinx re-renders only changed pages — then copy its HTML beside ``_build/html`` and swap.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from digital_jilin import PROJECT_ROOT
from digital_jilin.chapters import (
    Chapter,
    all_data_fingerprint,
    chapter_key,
    code_fingerprint,
    data_fingerprint,
    load_chapters,
)
from digital_jilin.execute import Result, run_in_subprocess
from digital_jilin.load import Dataset, load_dataset
from digital_jilin.paths import APPENDIX_NAME, DOWNLOADS_DIR, DOWNLOADS_URL
from digital_jilin.progress import Progress
from digital_jilin.static import write_bundle

DEFAULT_REGION = "吉林省"
_DOWNLOAD_LINK = re.compile(re.escape(DOWNLOADS_URL) + r"([^\"'<>\\\s]+)")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class BuildPaths:
    """Every place the build reads or writes, relative to one project root (tests use a copy)."""

    root: Path = PROJECT_ROOT

    @property
    def generated(self) -> Path:
        return self.root / "book" / "generated"

    @property
    def build(self) -> Path:
        return self.root / "_build"

    @property
    def html(self) -> Path:
        return self.build / "html"

    @property
    def sphinx(self) -> Path:
        return self.build / ".sphinx"

    @property
    def failed(self) -> Path:
        return self.build / "failed"

    @property
    def cache_file(self) -> Path:
        return self.generated / ".cache.json"

    @property
    def chapters_file(self) -> Path:
        return self.root / "notebooks" / "chapters.yml"

    @property
    def appendix_key(self) -> Path:
        # Its own file: the appendix is written while the chapters update .cache.json.
        return self.generated / ".appendix-key"

    @property
    def params_dir(self) -> Path:
        return self.generated / "parameters"


@dataclass
class BuildReport:
    executed: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    failed: list[Result] = field(default_factory=list)
    appendix_seconds: float | None = None  # None when the cached appendix was still current
    html_built: bool = False


class BuildFailed(Exception):
    """A step failed; the message says which and where; the published book is unchanged."""


def _read_cache(paths: BuildPaths) -> dict:
    try:
        return json.loads(paths.cache_file.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _write_cache(paths: BuildPaths, cache: dict) -> None:
    paths.cache_file.write_text(json.dumps(cache, indent=1, sort_keys=True), encoding="utf-8")


def chapter_parameters(chapter: Chapter, data_dir: Path, as_of: str, region: str) -> dict:
    params = {"data_dir": str(data_dir.resolve()), "as_of": as_of, "region": region}
    params.update(chapter.parameters)
    return params


def execute_chapters(
    chapters: list[Chapter],
    data_dir: Path,
    *,
    as_of: str,
    region: str = DEFAULT_REGION,
    jobs: int = 1,
    force: bool = False,
    paths: BuildPaths | None = None,
    progress: Progress | None = None,
    ds: Dataset | None = None,
    code_hash: str | None = None,
) -> BuildReport:
    """Execute every chapter whose inputs changed; return what ran, what was cached, what failed."""
    paths = paths or BuildPaths()
    progress = progress or Progress(len(chapters))
    ds = ds if ds is not None else load_dataset(data_dir)
    code_hash = code_hash or code_fingerprint()
    cache = {} if force else _read_cache(paths)
    paths.generated.mkdir(parents=True, exist_ok=True)
    paths.params_dir.mkdir(parents=True, exist_ok=True)
    staging = paths.generated / ".executing"
    staging.mkdir(exist_ok=True)

    report = BuildReport()
    todo: dict[str, tuple[Chapter, str]] = {}
    for ch in chapters:
        params = chapter_parameters(ch, data_dir, as_of, region)
        params_file = paths.params_dir / f"{ch.id}.yml"
        params_file.write_text(
            yaml.safe_dump(params, allow_unicode=True, sort_keys=True), encoding="utf-8"
        )
        key = chapter_key(ch, params, data_fingerprint(ds, ch), code_hash)
        output = paths.generated / f"{ch.id}.ipynb"
        if cache.get(ch.id) == key and output.exists():
            report.cached.append(ch.id)
            progress.line(ch.id, "cached", 0.0)
        else:
            todo[ch.id] = (ch, key)

    if todo:
        # Threads only wait: each chapter executes in its own interpreter and kernel.
        with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(todo)))) as pool:
            futures = {
                pool.submit(
                    run_in_subprocess,
                    ch.id,
                    ch.title,
                    str(ch.template),
                    str(paths.params_dir / f"{ch.id}.yml"),
                    str(staging / f"{ch.id}.ipynb"),
                    str(paths.generated),
                ): ch.id
                for ch, _ in todo.values()
            }
            for fut in as_completed(futures):
                result = fut.result()
                ch, key = todo[result.chapter]
                executed = staging / f"{ch.id}.ipynb"
                if result.ok:
                    executed.replace(paths.generated / f"{ch.id}.ipynb")
                    cache[ch.id] = key
                    report.executed.append(ch.id)
                    progress.line(ch.id, "executed", result.seconds)
                else:
                    paths.failed.mkdir(parents=True, exist_ok=True)
                    if executed.exists():
                        executed.replace(paths.failed / f"{ch.id}.ipynb")
                    cache.pop(ch.id, None)
                    report.failed.append(result)
                    progress.line(ch.id, "FAILED", result.seconds)
    _write_cache(paths, cache)
    shutil.rmtree(staging, ignore_errors=True)
    return report


def write_appendix(ds: Dataset, as_of: str, paths: BuildPaths, code_hash: str) -> float | None:
    """The Excel appendix, published at <site>/downloads/; rewritten only when its inputs change."""
    from digital_jilin import excel

    out = paths.generated / DOWNLOADS_DIR / APPENDIX_NAME
    key = hashlib.sha256(f"{all_data_fingerprint(ds)}|{as_of}|{code_hash}".encode()).hexdigest()
    stamp = paths.appendix_key
    if out.exists() and stamp.exists() and stamp.read_text() == key:
        return None
    start = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)
    excel.write_appendix(ds, out, as_of=dt.date.fromisoformat(as_of))
    stamp.write_text(key)
    return time.perf_counter() - start


def prune_downloads(paths: BuildPaths, chapters: list[Chapter]) -> list[str]:
    """Remove chart downloads no chapter links any more (a renamed or dropped chart), so the
    published site holds only current files. Returns the names removed."""
    folder = paths.generated / DOWNLOADS_DIR
    linked = {APPENDIX_NAME}
    for ch in chapters:
        text = (paths.generated / f"{ch.id}.ipynb").read_text(encoding="utf-8")
        linked.update(_DOWNLOAD_LINK.findall(text))
    stale = [f for f in folder.iterdir() if f.is_file() and f.name not in linked]
    for f in stale:
        f.unlink()
    return sorted(f.name for f in stale)


def _sphinx_inputs_hash(paths: BuildPaths) -> str:
    """Everything Sphinx reads; equal hashes mean the published HTML is already current."""
    h = hashlib.sha256()
    files = [paths.root / "_config.yml", paths.root / "_toc.yml"]
    files += sorted((paths.root / "book").rglob("*"))
    for f in files:
        if f.is_file() and ".executing" not in f.parts:
            h.update(f.relative_to(paths.root).as_posix().encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def render_html(paths: BuildPaths) -> bool:
    """Run Jupyter Book and publish the result by swapping folders. False if already current."""
    stamp = paths.build / ".html-inputs"
    inputs = _sphinx_inputs_hash(paths)
    if (
        paths.html.joinpath("index.html").exists()
        and stamp.exists()
        and stamp.read_text() == inputs
    ):
        return False
    cmd = [
        str(Path(sys.executable).with_name("jupyter-book")),
        "build",
        str(paths.root),
        "--path-output",
        str(paths.sphinx),
        "--builder",
        "html",
        "-W",
        "-n",
        "--keep-going",
    ]
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=paths.root, env=env)
    if proc.returncode != 0:
        log = paths.build / "sphinx.log"
        log.write_text(proc.stdout + "\n" + proc.stderr, encoding="utf-8")
        plain = _ANSI.sub("", proc.stdout + "\n" + proc.stderr)
        problems = [ln for ln in plain.splitlines() if "WARNING" in ln or "ERROR" in ln]
        tail = "\n".join(problems or plain.strip().splitlines()[-25:])
        raise BuildFailed(f"Jupyter Book failed (full log: {log}):\n{tail}")
    built = paths.sphinx / "_build" / "html"
    new = paths.build / "html.new"
    old = paths.build / "html.old"
    shutil.rmtree(new, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    shutil.copytree(built, new)
    # Two renames: readers see the old book or the new one, never half of either.
    if paths.html.exists():
        paths.html.rename(old)
    new.rename(paths.html)
    shutil.rmtree(old, ignore_errors=True)
    stamp.write_text(inputs)
    return True


@contextlib.contextmanager
def _exclusive(paths: BuildPaths):
    """One build at a time per project: a second one waits rather than mixing files."""
    paths.build.mkdir(parents=True, exist_ok=True)
    with open(paths.build / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def build(
    data_dir: Path,
    *,
    as_of: str | None = None,
    region: str = DEFAULT_REGION,
    jobs: int = 1,
    force: bool = False,
    html: bool = True,
    paths: BuildPaths | None = None,
    quiet: bool | None = None,
) -> BuildReport:
    """Validate, execute, render and publish; see the module docstring."""
    paths = paths or BuildPaths()
    as_of = as_of or dt.date.today().isoformat()
    dt.date.fromisoformat(as_of)  # a bad --as-of fails here, before anything runs
    with _exclusive(paths):
        chapters = load_chapters(paths.chapters_file)
        ds = load_dataset(data_dir)
        progress = Progress(len(chapters), quiet=quiet)
        code_hash = code_fingerprint()
        (paths.generated / DOWNLOADS_DIR).mkdir(parents=True, exist_ok=True)
        # The appendix is written in this process while the chapters execute in their own
        # (this process only waits on them), so a large workbook costs no extra wall time.
        with ThreadPoolExecutor(max_workers=1) as side:
            appendix = side.submit(write_appendix, ds, as_of, paths, code_hash)
            report = execute_chapters(
                chapters,
                data_dir,
                ds=ds,
                as_of=as_of,
                region=region,
                jobs=jobs,
                force=force,
                paths=paths,
                progress=progress,
                code_hash=code_hash,
            )
            try:
                report.appendix_seconds = appendix.result()
            except Exception as exc:  # reported like a failing chapter, book left as it was
                raise BuildFailed(f"the Excel appendix could not be written: {exc!r}") from exc
        progress.close()
        if report.failed:
            lines = [f"chapter '{r.chapter}' failed: {r.error}" for r in report.failed]
            lines.append(f"The executed notebook is kept in {paths.failed}/ for inspection.")
            lines.append(f"The published book ({paths.html}) was left as it was.")
            raise BuildFailed("\n".join(lines))
        prune_downloads(paths, chapters)
        write_bundle(paths.generated / "_static")
        if html:
            report.html_built = render_html(paths)
    return report


def main(args) -> int:
    start = time.perf_counter()
    paths = BuildPaths(root=Path(args.project_dir or PROJECT_ROOT).resolve())
    try:
        report = build(
            args.data_dir,
            as_of=args.as_of,
            jobs=args.jobs,
            force=args.force,
            html=not args.no_html,
            paths=paths,
        )
    except BuildFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    took = time.perf_counter() - start
    print(
        f"{len(report.executed)} chapter(s) executed, {len(report.cached)} cached, in {took:.1f}s."
    )
    if report.appendix_seconds is not None:
        print(f"Excel appendix written in {report.appendix_seconds:.1f}s.")
    if not args.no_html:
        index = paths.html / "index.html"
        state = "built" if report.html_built else "already up to date"
        print(f"Book {state}: {index}")
        print(
            f"Read it with: python -m http.server -d {index.parent} 8000  (then http://localhost:8000)"
        )
    return 0
