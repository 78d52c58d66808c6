"""The Table Schema of every table, read from ``data/datapackage.json``.

The datapackage is the one description of the columns: the loader, the validator, the Excel
template and the documentation all read it from here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from digital_jilin import DEFAULT_DATA_DIR

DATAPACKAGE = "datapackage.json"


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    description: str = ""
    required: bool = False
    unique: bool = False
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    max_length: int | None = None
    # Table Schema "categories": the reader-facing (Chinese) label of each allowed value.
    labels: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ForeignKey:
    field: str
    resource: str
    ref_field: str


@dataclass(frozen=True)
class Resource:
    name: str
    path: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = field(default=())

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


def _field(spec: dict) -> Field:
    c = spec.get("constraints", {})
    return Field(
        name=spec["name"],
        type=spec.get("type", "string"),
        description=spec.get("description", ""),
        required=bool(c.get("required", False)),
        unique=bool(c.get("unique", False)),
        enum=tuple(c["enum"]) if "enum" in c else None,
        pattern=c.get("pattern"),
        max_length=c.get("maxLength"),
        labels=tuple((c_["value"], c_["label"]) for c_ in spec.get("categories", [])),
    )


def _resource(spec: dict) -> Resource:
    schema = spec["schema"]
    fks = []
    for fk in schema.get("foreignKeys", []):
        fks.append(ForeignKey(fk["fields"], fk["reference"]["resource"], fk["reference"]["fields"]))
    pk = schema.get("primaryKey", [])
    return Resource(
        name=spec["name"],
        path=spec["path"],
        description=spec.get("description", ""),
        fields=tuple(_field(f) for f in schema["fields"]),
        primary_key=tuple([pk] if isinstance(pk, str) else pk),
        foreign_keys=tuple(fks),
    )


@cache
def _load(path: Path) -> dict[str, Resource]:
    package = json.loads(path.read_text(encoding="utf-8"))
    return {r["name"]: _resource(r) for r in package["resources"]}


def resources(data_dir: Path | str | None = None) -> dict[str, Resource]:
    """All resources of the data package in ``data_dir``.

    A data folder an analyst brings may hold only CSV files; it is then described by the
    shipped datapackage, so the schema is never defined twice.
    """
    candidate = Path(data_dir or DEFAULT_DATA_DIR) / DATAPACKAGE
    if not candidate.exists():
        candidate = DEFAULT_DATA_DIR / DATAPACKAGE
    return _load(candidate.resolve())


def resource(name: str, data_dir: Path | str | None = None) -> Resource:
    return resources(data_dir)[name]


def labels(resource_name: str, field_name: str) -> dict[str, str]:
    """Chinese label of each allowed value of a field, in schema order (e.g. kind → 实际, 目标 …).

    The shipped datapackage is the one place these words are defined.
    """
    return dict(resources()[resource_name].field(field_name).labels)
