"""Moving signed documents kept in a folder (the old `MANDATE_MEDIA_DIR`, `var/mandates`) into the documents storage.

For each recorded document: skip it when the storage already holds it with the recorded SHA-256 (so a run that was
interrupted is simply run again), else read the old file, check it against the record, store it, read it back and
check the SHA-256 again. The old files are never deleted here: the operator removes the folder once a run reports
every document moved. A dry run reads and checks everything and stores nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

from selfcare import storage
from selfcare.mandates.documents import storage_name
from selfcare.mandates.models import MandateDocument


@dataclasses.dataclass
class MoveReport:
    moved: list[str] = dataclasses.field(default_factory=list)
    already_there: list[str] = dataclasses.field(default_factory=list)
    missing: list[str] = dataclasses.field(default_factory=list)  # no file in the folder, nor in the storage
    damaged: list[str] = dataclasses.field(default_factory=list)  # the old file's SHA-256 is not the recorded one
    failed: list[str] = dataclasses.field(default_factory=list)  # stored, but read back different, or refused

    @property
    def complete(self) -> bool:
        return not (self.missing or self.damaged or self.failed)


def _stored_sha256(name: str) -> str | None:
    try:
        return storage.sha256_of(name) if storage.documents_storage().exists(name) else None
    except storage.StorageUnavailable:
        return None


def move_documents(source: Path, *, dry_run: bool = False) -> MoveReport:
    report = MoveReport()
    for document in MandateDocument.objects.order_by("pk").iterator():
        name = storage_name(document.stored_name)
        if _stored_sha256(name) == document.sha256:
            report.already_there.append(name)
            continue
        try:
            data = (source / document.stored_name).read_bytes()
        except OSError:
            report.missing.append(name)
            continue
        if hashlib.sha256(data).hexdigest() != document.sha256:
            report.damaged.append(name)
            continue
        if dry_run:
            report.moved.append(name)
            continue
        try:
            storage.store(name, data)
        except storage.StorageUnavailable:
            report.failed.append(name)
            continue
        if _stored_sha256(name) != document.sha256:
            storage.delete(name)
            report.failed.append(name)
            continue
        report.moved.append(name)
    return report
