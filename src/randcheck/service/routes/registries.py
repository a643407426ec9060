"""Registries 一单两库: upload (kept by digest, a ``REGISTRY_SNAPSHOT`` in the ledger),
validate, show, diff. Read with :func:`randcheck.io.read_registry`, as the command line
reads files: every problem listed with its file, row and column."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, UploadFile

from randcheck.errors import InputError, ProblemsFound
from randcheck.io.registry_files import LoadReport
from randcheck.registry import Registry
from randcheck.service.auth import Who
from randcheck.service.context import Ctx, Digest, Jurisdiction
from randcheck.service.routing import OneHop

router = APIRouter(prefix="/j/{jurisdiction}/registries", tags=["registries"], route_class=OneHop)

SUFFIXES = (".xlsx", ".csv", ".json")
EntitiesFile = Annotated[
    UploadFile,
    File(description="the registry: .xlsx or .json (all tables), or the entities' .csv"),
]
SiblingFile = Annotated[
    UploadFile | None, File(description="with a CSV registry: the inspectors' (or items') .csv")
]


def _suffix(upload: UploadFile, field: str) -> str:
    suffix = Path(upload.filename or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(
            f"{field}: cannot tell the format of {upload.filename or 'a file without a name'!r}",
            where=field,
            hint="upload a .xlsx, .csv or .json file (the name's extension says which)",
        )
    return suffix


def _read(
    entities: UploadFile, inspectors: UploadFile | None, items: UploadFile | None
) -> LoadReport:
    """The uploaded files read as one registry (written to a private scratch folder first:
    the readers take paths, and check every file as they would a file on disk)."""
    from randcheck.io import read_registry

    suffix = _suffix(entities, "entities")
    extras = {"inspectors": inspectors, "items": items}
    if suffix != ".csv" and any(extras.values()):
        raise InputError(
            "inspectors and items files go with a CSV registry only",
            where="inspectors",
            hint="an .xlsx or .json registry holds every table itself",
        )
    with tempfile.TemporaryDirectory(prefix="randcheck-upload-") as scratch:
        names = {str(Path(scratch) / f"registry{suffix}"): "entities"}
        _save(entities, Path(scratch) / f"registry{suffix}")
        for kind, upload in extras.items():
            if upload is not None:
                if _suffix(upload, kind) != ".csv":
                    raise InputError(f"{kind}: give a .csv file", where=kind)
                path = Path(scratch) / f"registry.{kind}.csv"
                _save(upload, path)
                names[str(path)] = kind
        try:
            report = read_registry(Path(scratch) / f"registry{suffix}")
        except ProblemsFound as found:
            problems = [replace(p, file=_named(p.file, names)) for p in found.problems]
            raise ProblemsFound("the upload", problems, hint=found.hint) from None
        except InputError as exc:
            raise InputError(
                _named(exc.what, names),
                where=_named(exc.where, names) if exc.where else None,
                hint=_named(exc.hint, names) if exc.hint else None,
            ) from None
    report.files = [_named(f, names) for f in report.files]
    return report


def _named(text: str, names: dict[str, str]) -> str:
    """``text`` with the scratch files named by their form fields (never a server path)."""
    for path, field in sorted(names.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(path, field)
    return text


def _save(upload: UploadFile, path: Path) -> None:
    with path.open("wb") as out:
        while chunk := upload.file.read(1024 * 1024):
            out.write(chunk)


def snapshot_payload(registry: Registry) -> dict[str, Any]:
    """The ``REGISTRY_SNAPSHOT`` of a registry (:meth:`Registry.snapshot_payload`)."""
    return registry.snapshot_payload()


def summary(registry: Registry) -> dict[str, Any]:
    return {
        "digest": registry.digest,
        "entities": registry.entity_count,
        "inspectors": registry.inspector_count,
        "items": len(registry.items),
        "class_counts": {c.value: n for c, n in registry.class_counts().items()},
    }


@router.post("", operation_id="upload_registry", status_code=201)
def upload_registry(
    jurisdiction: Jurisdiction,
    who: Who,
    ctx: Ctx,
    entities: EntitiesFile,
    inspectors: SiblingFile = None,
    items: SiblingFile = None,
) -> dict[str, Any]:
    """Upload a registry snapshot: kept by its digest, recorded as ``REGISTRY_SNAPSHOT``.

    A registry with any problem is refused whole (422, every problem listed)."""
    report = _read(entities, inspectors, items)
    registry = report.registry
    ctx.files(jurisdiction).save_registry(registry)
    with ctx.ledgers.open(jurisdiction) as ledger:
        event = ledger.append(
            "REGISTRY_SNAPSHOT",
            actor=who.actor,
            subject="registry",
            payload=snapshot_payload(registry),
            time=ctx.now(),
        )
    return {**summary(registry), "ignored_columns": report.ignored_columns, "seq": event.seq}


@router.post("/validate", operation_id="validate_registry")
def validate_registry(
    jurisdiction: Jurisdiction,
    who: Who,
    entities: EntitiesFile,
    inspectors: SiblingFile = None,
    items: SiblingFile = None,
) -> dict[str, Any]:
    """Check a registry without keeping it: every problem (file, row, column, reason)."""
    try:
        report = _read(entities, inspectors, items)
    except ProblemsFound as found:
        return {
            "ok": False,
            "problems": [
                {"file": p.file, "row": p.row, "column": p.column, "reason": p.reason}
                for p in found.problems[:1000]
            ],
            "problem_count": len(found.problems),
        }
    return {
        "ok": True,
        "problems": [],
        "problem_count": 0,
        **summary(report.registry),
        "ignored_columns": report.ignored_columns,
    }


@router.get("", operation_id="list_registries")
def list_registries(jurisdiction: Jurisdiction, who: Who, ctx: Ctx) -> dict[str, Any]:
    """The digests of the registries kept for this jurisdiction."""
    return {"registries": ctx.files(jurisdiction).registries()}


@router.get("/{digest}", operation_id="get_registry")
def get_registry(jurisdiction: Jurisdiction, digest: Digest, who: Who, ctx: Ctx) -> dict[str, Any]:
    """A kept registry's digest and counts."""
    return summary(ctx.files(jurisdiction).registry(digest))


@router.get("/{old}/diff/{new}", operation_id="diff_registries")
def diff_registries(
    jurisdiction: Jurisdiction, old: Digest, new: Digest, who: Who, ctx: Ctx
) -> dict[str, Any]:
    """Entities, inspectors and items added, removed and changed between two snapshots."""
    from randcheck.diff import diff_registries as diff
    from randcheck.io import format_cell

    files = ctx.files(jurisdiction)
    return diff(files.registry(old), files.registry(new)).to_json(lambda v: format_cell(v, "en"))
