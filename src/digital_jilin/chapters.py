"""The chapter list (notebooks/chapters.yml) and what each chapter depends on."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from digital_jilin import PACKAGE_DIR, PROJECT_ROOT
from digital_jilin.load import Dataset

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
CHAPTERS_FILE = NOTEBOOKS_DIR / "chapters.yml"


@dataclass(frozen=True)
class Chapter:
    id: str
    title: str
    template: Path
    parameters: dict = field(default_factory=dict)
    topics: tuple[str, ...] | None = None  # None = reads every table

    def reads_topic(self, topic: str) -> bool:
        return self.topics is None or topic in self.topics


def load_chapters(path: Path = CHAPTERS_FILE) -> list[Chapter]:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    chapters = []
    for c in spec["chapters"]:
        topics = c.get("topics", "all")
        chapters.append(
            Chapter(
                id=c["id"],
                title=c["title"],
                template=path.parent / c["template"],
                parameters=dict(c.get("parameters") or {}),
                topics=None if topics == "all" else tuple(topics),
            )
        )
    return chapters


def _hash_frame(h, frame: pd.DataFrame) -> None:
    h.update(",".join(map(str, frame.columns)).encode())
    h.update(pd.util.hash_pandas_object(frame, index=False).values.tobytes())


def data_fingerprint(ds: Dataset, chapter: Chapter) -> str:
    """Hash of exactly the rows a chapter reads, so other data changes leave it cached."""
    if chapter.topics is None:
        return all_data_fingerprint(ds)
    h = hashlib.sha256()
    _hash_frame(h, ds.sources)  # every chapter names its sources in captions
    if "events" in chapter.topics:
        _hash_frame(h, ds.events)
    indicators = ds.indicators[ds.indicators["topic"].isin(chapter.topics)]
    _hash_frame(h, indicators)
    _hash_frame(h, ds.observations[ds.observations["indicator"].isin(indicators["id"])])
    return h.hexdigest()


def all_data_fingerprint(ds: Dataset) -> str:
    h = hashlib.sha256()
    for frame in (ds.sources, ds.indicators, ds.observations, ds.events, ds.errata):
        _hash_frame(h, frame)
    return h.hexdigest()


def code_fingerprint() -> str:
    """Hash of the package's code and the pinned environment: a code change re-executes all."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        h.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
        h.update(path.read_bytes())
    req = PROJECT_ROOT / "requirements.txt"
    if req.exists():
        h.update(req.read_bytes())
    return h.hexdigest()


def chapter_key(chapter: Chapter, parameters: dict, data_hash: str, code_hash: str) -> str:
    h = hashlib.sha256()
    h.update(chapter.template.read_bytes())
    h.update(json.dumps(parameters, sort_keys=True, ensure_ascii=False).encode())
    h.update(data_hash.encode())
    h.update(code_hash.encode())
    h.update(chapter.title.encode())
    return h.hexdigest()
