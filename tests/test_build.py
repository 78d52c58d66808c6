"""The build pipeline on a small project the test makes: cache, parameters, parallelism, failure."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

import digital_jilin.build as build_mod
from digital_jilin import PROJECT_ROOT, cli
from digital_jilin.build import BuildFailed, BuildPaths, build, execute_chapters
from digital_jilin.chapters import load_chapters
from digital_jilin.paths import APPENDIX_NAME, DOWNLOADS_DIR
from digital_jilin.schema import resource

sys.path.insert(0, str(Path(__file__).parent))
from factory import (  # noqa: E402
    OBSERVATIONS,
    make_data,
    make_project,
    write_chapters,
    write_table,
)

# A template that reports what it received, so the test can see types, timing and data.
TOY_SOURCE = """
import json, time
from pathlib import Path
from digital_jilin.load import load_dataset
start = time.time()
time.sleep(float(sleep))
if fail:
    raise ValueError("toy chapter failed on purpose")
ds = load_dataset(data_dir)
obs = ds.observations
if topic != "all":
    ids = ds.indicators.loc[ds.indicators["topic"] == topic, "id"]
    obs = obs[obs["indicator"].isin(ids)]
# a download the page links, as the real figure blocks do
from IPython.display import HTML, display
from digital_jilin.paths import DOWNLOADS_DIR, DOWNLOADS_URL
Path(DOWNLOADS_DIR).mkdir(parents=True, exist_ok=True)
Path(DOWNLOADS_DIR, f"toy-{topic}.csv").write_text("x", encoding="utf-8")
display(HTML(f'<a href="{DOWNLOADS_URL}toy-{topic}.csv">CSV</a>'))
print(json.dumps({"region_type": type(region).__name__, "region": region, "as_of": as_of,
                  "values": obs["value"].tolist(), "start": start, "end": time.time()}))
"""


def toy_template(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(
        'data_dir = ""\nas_of = ""\nregion = "吉林省"\ntopic = "all"\nsleep = 0\nfail = False'
    )
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        params,
        nbformat.v4.new_markdown_cell("玩具章节：大学生村医、珲春。"),
        nbformat.v4.new_code_cell(TOY_SOURCE),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)


CHAPTERS = [
    {"id": "all_data", "title": "全部", "template": "toy.ipynb", "topics": "all"},
    {
        "id": "port",
        "title": "口岸",
        "template": "toy.ipynb",
        "parameters": {"topic": "port"},
        "topics": ["port"],
    },
    {
        "id": "infra",
        "title": "基础设施",
        "template": "toy.ipynb",
        "parameters": {"topic": "infrastructure"},
        "topics": ["infrastructure"],
    },
]


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> BuildPaths:
    # The package code is one input of the cache key; pin it so the test controls it.
    monkeypatch.setattr(build_mod, "code_fingerprint", lambda: "code-v1")
    root = make_project(tmp_path / "proj", CHAPTERS)
    toy_template(root / "notebooks" / "toy.ipynb")
    make_data(root / "data")
    return BuildPaths(root=root)


def run(paths: BuildPaths, **kw):
    kw.setdefault("as_of", "2026-11-21")
    kw.setdefault("jobs", 2)
    return execute_chapters(
        load_chapters(paths.chapters_file), paths.root / "data", paths=paths, **kw
    )


def reported(paths: BuildPaths, chapter: str) -> dict:
    nb = nbformat.read(paths.generated / f"{chapter}.ipynb", as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("name") == "stdout":
                return json.loads(out["text"])
    raise AssertionError(f"no report in {chapter}")


def test_cold_build_executes_every_chapter_and_titles_it(project):
    report = run(project)
    assert sorted(report.executed) == sorted(c["id"] for c in CHAPTERS)
    assert report.cached == [] and report.failed == []
    nb = nbformat.read(project.generated / "port.ipynb", as_version=4)
    assert nb.cells[0].source == "# 口岸"  # title from chapters.yml, not the template


def test_rebuild_with_nothing_changed_executes_nothing(project):
    run(project)
    again = run(project)
    assert again.executed == []
    assert sorted(again.cached) == sorted(c["id"] for c in CHAPTERS)


def test_data_change_reexecutes_only_chapters_that_read_it(project):
    run(project)
    changed = [dict(o) for o in OBSERVATIONS]
    port_row = next(o for o in changed if o["indicator"] == "freight")
    port_row["value"] = str(float(port_row["value"]) + 1)
    make_data(project.root / "data", observations=changed)
    report = run(project)
    assert sorted(report.executed) == ["all_data", "port"]
    assert report.cached == ["infra"]
    assert float(port_row["value"]) in reported(project, "port")["values"]


def test_force_reexecutes_everything(project):
    run(project)
    report = run(project, force=True)
    assert sorted(report.executed) == sorted(c["id"] for c in CHAPTERS)


def test_template_change_is_a_cache_miss(project):
    run(project)
    nb = nbformat.read(project.root / "notebooks" / "toy.ipynb", as_version=4)
    nb.cells[1].source += "（修订）"
    nbformat.write(nb, project.root / "notebooks" / "toy.ipynb")
    assert len(run(project).executed) == len(CHAPTERS)


def test_package_code_change_is_a_cache_miss(project, monkeypatch):
    run(project)
    monkeypatch.setattr(build_mod, "code_fingerprint", lambda: "code-v2")
    assert len(run(project).executed) == len(CHAPTERS)


def test_parameters_keep_their_types(project):
    # A region code that looks like a number must reach the notebook as text.
    run(project, region="220000")
    got = reported(project, "infra")
    assert got["region_type"] == "str" and got["region"] == "220000"
    params = yaml.safe_load((project.params_dir / "infra.yml").read_text(encoding="utf-8"))
    assert params["region"] == "220000" and params["topic"] == "infrastructure"
    # A parameter change is a cache miss.
    assert len(run(project, region="吉林省").executed) == len(CHAPTERS)


def test_chapters_run_in_parallel(project):
    slow = [dict(c, parameters={**c.get("parameters", {}), "sleep": 3}) for c in CHAPTERS[:2]]
    write_chapters(project.root, slow)
    run(project, jobs=2)
    a, b = (reported(project, c["id"]) for c in slow)
    assert a["start"] < b["end"] and b["start"] < a["end"], "the two chapters did not overlap"


def tree_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(folder.rglob("*")):
        if f.is_file():
            h.update(f.relative_to(folder).as_posix().encode())
            h.update(f.read_bytes())
    return h.hexdigest()


@pytest.mark.slow
def test_failing_chapter_keeps_the_published_book(project, monkeypatch, capsys):
    monkeypatch.setattr(build_mod, "write_appendix", lambda *a, **k: None)
    build(project.root / "data", as_of="2026-11-21", jobs=2, paths=project)
    assert (project.html / "book" / "generated" / "port.html").exists()
    before = tree_digest(project.html)

    broken = [dict(c) for c in CHAPTERS]
    broken[1]["parameters"] = {**broken[1]["parameters"], "fail": True}
    write_chapters(project.root, broken)
    with pytest.raises(BuildFailed) as info:
        build(project.root / "data", as_of="2026-11-21", jobs=2, paths=project)
    message = str(info.value)
    assert "chapter 'port' failed" in message
    assert "toy.ipynb, cell 3" in message  # the template's third cell: parameters, markdown, code
    assert "ValueError: toy chapter failed on purpose" in message
    assert (project.failed / "port.ipynb").exists()
    assert tree_digest(project.html) == before

    # The command line says the same with a non-zero exit and no traceback.
    args = type(
        "Args",
        (),
        dict(
            data_dir=project.root / "data",
            as_of="2026-11-21",
            jobs=2,
            force=False,
            no_html=False,
            project_dir=project.root,
        ),
    )
    assert build_mod.main(args) == 1
    err = capsys.readouterr().err
    assert "chapter 'port' failed" in err and "Traceback" not in err
    assert tree_digest(project.html) == before


@pytest.mark.slow
def test_no_change_rebuild_skips_sphinx(project, monkeypatch):
    monkeypatch.setattr(build_mod, "write_appendix", lambda *a, **k: None)
    first = build(project.root / "data", as_of="2026-11-21", jobs=2, paths=project)
    assert first.html_built
    second = build(project.root / "data", as_of="2026-11-21", jobs=2, paths=project)
    assert second.executed == [] and not second.html_built


def test_toc_lists_every_chapter_in_order():
    toc = yaml.safe_load((PROJECT_ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [c["file"] for c in toc["chapters"]]
    ids = [c.id for c in load_chapters()]
    assert [
        f.removeprefix("book/generated/") for f in files if f.startswith("book/generated/")
    ] == ids
    for c in load_chapters():
        assert c.template.exists(), f"{c.id}: template {c.template} is missing"


def test_addition_reexecutes_only_the_chapters_showing_it(project):
    run(project)
    additions = project.root / "data" / "additions"
    additions.mkdir()
    freight = next(o for o in OBSERVATIONS if o["indicator"] == "freight")
    later = dict(freight, period="2023-12-31", value=str(float(freight["value"]) * 2))
    write_table(additions / "new.csv", [later], resource("observations").field_names, "gb18030")
    report = run(project)
    assert sorted(report.executed) == ["all_data", "port"]
    assert float(later["value"]) in reported(project, "port")["values"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "bad, where",
    [
        (lambda p: p.write_bytes(b"indicator,value\n\xff\xfe,1\n"), "neither UTF-8 nor GB18030"),
        (lambda p: p.write_text("indicatr,value\nfreight,1\n", encoding="utf-8"), "indicatr"),
        (
            lambda p: write_table(
                p,
                [dict(OBSERVATIONS[0], indicator="no_such")],
                resource("observations").field_names,
            ),
            "row 2, column 'indicator'",
        ),
    ],
    ids=["encoding", "column", "unknown-indicator"],
)
def test_bad_input_stops_the_build_and_keeps_the_book(project, monkeypatch, capsys, bad, where):
    monkeypatch.setattr(build_mod, "write_appendix", lambda *a, **k: None)
    build(project.root / "data", as_of="2026-11-21", jobs=2, paths=project)
    before = tree_digest(project.html)
    additions = project.root / "data" / "additions"
    additions.mkdir()
    bad(additions / "new.csv")
    argv = ["build", "--data-dir", str(project.root / "data"), "--project-dir", str(project.root)]
    assert cli.main(argv + ["--as-of", "2026-11-21"]) == 1
    err = capsys.readouterr().err
    assert "new.csv" in err and where in err and "Traceback" not in err
    assert tree_digest(project.html) == before


def test_kernel_that_dies_at_start_is_retried(project, monkeypatch):
    import papermill

    from digital_jilin import execute

    real = papermill.execute_notebook
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return real(*args, **kwargs)

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    monkeypatch.setattr(execute.time, "sleep", lambda s: None)
    params = project.root / "params.yml"
    params.write_text(f"data_dir: {project.root / 'data'}\n", encoding="utf-8")
    out = project.root / "out.ipynb"
    template = str(project.root / "notebooks" / "toy.ipynb")
    result = execute.run_chapter("toy", "玩具", template, str(params), str(out), str(project.root))
    assert result.ok and len(calls) == 2
    assert nbformat.read(out, as_version=4).cells[0].source == "# 玩具"


def test_appendix_is_written_beside_the_chapters_and_cached(project):
    first = build(project.root / "data", as_of="2026-11-21", jobs=2, paths=project, html=False)
    workbook = project.generated / DOWNLOADS_DIR / APPENDIX_NAME
    assert first.appendix_seconds is not None and workbook.exists()
    written = workbook.stat().st_mtime_ns
    again = build(project.root / "data", as_of="2026-11-21", jobs=2, paths=project, html=False)
    assert again.appendix_seconds is None and workbook.stat().st_mtime_ns == written
    later = build(project.root / "data", as_of="2026-12-31", jobs=2, paths=project, html=False)
    assert later.appendix_seconds is not None  # the edition date is on the cover and in statuses


def test_appendix_failure_stops_the_build_cleanly(project, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("cell text longer than Excel allows")

    monkeypatch.setattr(build_mod, "write_appendix", broken)
    with pytest.raises(BuildFailed, match="Excel appendix could not be written"):
        build(project.root / "data", as_of="2026-11-21", jobs=2, paths=project, html=False)


def test_downloads_no_chapter_links_are_not_published(project, monkeypatch):
    monkeypatch.setattr(build_mod, "write_appendix", lambda *a, **k: None)
    folder = project.generated / DOWNLOADS_DIR
    folder.mkdir(parents=True)
    (folder / "renamed-chart.csv").write_text("x\n", encoding="utf-8")
    build(project.root / "data", as_of="2026-11-21", jobs=2, paths=project, html=False)
    assert not (folder / "renamed-chart.csv").exists()
    kept = {f"toy-{c.get('parameters', {}).get('topic', 'all')}.csv" for c in CHAPTERS}
    assert {f.name for f in folder.iterdir()} == kept
