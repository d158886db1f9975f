"""Private documents: the one storage every stored file goes through (`STORAGES["documents"]`).

A local folder under `var/` by default, an S3-compatible object store in production (settings "Documents",
docs/deployment.md): whichever it is, every portal process sees the same files, so any node serves a document
another node received. No URL serves this storage; documents are streamed through access-checked views.

Names are made by the caller (server-made, unique, e.g. `mandates/<uuid>.pdf`); a name is never changed here, so
the name a row records is the name the bytes are under.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages

logger = logging.getLogger(__name__)

DOCUMENTS = "documents"


class StorageUnavailable(Exception):
    """The document store refused or did not answer; nothing was stored. The portal answers "try again" (503)."""


def documents_storage() -> Storage:
    return storages[DOCUMENTS]


def store(name: str, data: bytes) -> None:
    """Keep `data` under exactly `name`, or raise StorageUnavailable (and keep nothing under that name)."""
    storage = documents_storage()
    try:
        saved = storage.save(name, ContentFile(data))
    except Exception as error:  # the backends raise their client's errors (OSError, botocore's): all mean "not stored"
        logger.error("document store: saving %s failed: %s", name, type(error).__name__)
        _forget(storage, name)
        raise StorageUnavailable(name) from error
    if saved != name:  # a backend that renames would break the row's pointer: undo and refuse
        _forget(storage, saved)
        raise StorageUnavailable(f"{name} was stored as {saved}")


def read(name: str) -> bytes:
    """The bytes under `name`; StorageUnavailable when the store cannot give them."""
    try:
        with documents_storage().open(name, "rb") as stored:
            data: bytes = stored.read()
            return data
    except Exception as error:
        logger.error("document store: reading %s failed: %s", name, type(error).__name__)
        raise StorageUnavailable(name) from error


def delete(name: str) -> None:
    """Remove `name` if it is there (used to undo a store whose record was not written)."""
    _forget(documents_storage(), name)


def sha256_of(name: str) -> str:
    return hashlib.sha256(read(name)).hexdigest()


def _forget(storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception as error:  # best effort: an orphan file is harmless, a lost record is not
        logger.warning("document store: deleting %s failed: %s", name, type(error).__name__)
