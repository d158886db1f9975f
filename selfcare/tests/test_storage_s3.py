"""The documents storage on an S3-compatible object store (moto's server, its own process): signed documents are
stored encrypted under their server-made names, read back through the access-checked download, moved from the old
folder by `selfcare mandates move-documents`, and a store that fails leaves a clear "try again" and no record."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from selfcare.access.tests import factories as people
from selfcare.audit.models import AuditEvent
from selfcare.customers.tests import factories
from selfcare.errors import ErrorCode, message
from selfcare.mandates import services
from selfcare.mandates.documents import document_attach, read
from selfcare.mandates.models import DocumentChannel, Mandate, MandateDocument, MandateStatus
from selfcare.mandates.tests import builders
from selfcare.storage import StorageUnavailable
from selfcare.tests.faults import closed_port
from selfcare.tests.objectstore import ObjectStore, object_store

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def store() -> Iterator[ObjectStore]:
    with object_store() as running:
        yield running


@pytest.fixture
def on_s3(settings: Any, store: ObjectStore) -> ObjectStore:
    """The documents storage is an empty bucket of the running store."""
    bucket = store.new_bucket()
    settings.STORAGES = {**settings.STORAGES, "documents": bucket.storage_settings()}
    return bucket


def _attach(mandate: Mandate, data: bytes = builders.MINIMAL_PDF) -> MandateDocument:
    return document_attach(
        request=None,
        mandate=mandate,
        data=data,
        original_name="signed.pdf",
        channel=DocumentChannel.PORTAL,
        by=services.SYSTEM,
        context=None,
        report=builders.report(mandate),
    )


def test_a_signed_document_is_kept_in_the_object_store_encrypted_and_read_back(
    on_s3: ObjectStore, documents_dir: Path
) -> None:
    document = _attach(builders.draft(factories.company()))
    key = f"mandates/{document.stored_name}"
    assert key in on_s3.object_keys()
    assert on_s3.client().head_object(Bucket=on_s3.bucket, Key=key)["ServerSideEncryption"] == "AES256"
    assert read(document) == builders.MINIMAL_PDF
    assert list(documents_dir.iterdir()) == []  # nothing in the local folder


def test_staff_download_a_document_from_the_object_store_as_an_attachment(on_s3: ObjectStore) -> None:
    document = _attach(builders.draft(factories.company()))
    officer = people.staff_client(Client(), "mandate_officer", code="32000000001")
    response = officer.get(f"/backoffice/mandates/mandate/documents/{document.pk}/")
    assert response.status_code == 200
    assert response.content == builders.MINIMAL_PDF
    assert response["Content-Disposition"].startswith("attachment;")


def test_a_store_that_does_not_answer_fails_the_upload_and_nothing_is_recorded(
    settings: Any, store: ObjectStore
) -> None:
    unreachable = store.storage_settings()
    unreachable["OPTIONS"]["endpoint_url"] = f"http://127.0.0.1:{closed_port()}"
    settings.STORAGES = {**settings.STORAGES, "documents": unreachable}
    mandate = builders.draft(factories.company())
    with pytest.raises(StorageUnavailable):
        _attach(mandate)
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.DRAFT
    assert not MandateDocument.objects.exists()
    assert not mandate.events.filter(action="document_added").exists()


def test_an_upload_while_the_store_refuses_answers_try_again_and_keeps_the_draft(
    client: Client, settings: Any, store: ObjectStore
) -> None:
    refusing = store.storage_settings()
    refusing["OPTIONS"]["bucket_name"] = "no-such-bucket"  # the store answers, and refuses every write
    settings.STORAGES = {**settings.STORAGES, "documents": refusing}
    company = factories.company()
    builders.representative(company, "Līga Liepa", "32579104511")
    client.force_login(people.person("32579104511", "LĪGA", "LIEPA").user)
    mandate = builders.draft(company)
    client.raise_request_exception = False
    response = client.post(
        f"/en/acting/representative-{company.pk}/mandates/{mandate.pk}/upload/",
        {"document": SimpleUploadedFile("pilnvara.pdf", builders.MINIMAL_PDF)},
    )
    assert response.status_code == 503
    assert response["Retry-After"]
    with translation.override("en"):
        assert message(ErrorCode.SERVICE_UNAVAILABLE) in response.content.decode()
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.DRAFT
    assert not MandateDocument.objects.exists()
    assert not AuditEvent.objects.filter(action__contains="document_added").exists()


@contextlib.contextmanager
def _kept_in_a_folder(settings: Any, tmp_path: Path) -> Iterator[None]:
    """Documents attached in the block are kept in a local folder, as before the object store; after it, the
    documents storage is the object store again."""
    object_store = settings.STORAGES["documents"]
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "local")},
        },
    }
    try:
        yield
    finally:
        settings.STORAGES = {**settings.STORAGES, "documents": object_store}


def _old_folder_with(tmp_path: Path, *documents: MandateDocument) -> Path:
    """Documents as the portal kept them before the storage: files named by `stored_name` in one folder."""
    folder = tmp_path / "mandates"
    folder.mkdir()
    for document in documents:
        (folder / document.stored_name).write_bytes(read(document))
    return folder


def test_documents_in_the_old_folder_are_moved_checked_and_a_second_run_moves_nothing(
    settings: Any, on_s3: ObjectStore, tmp_path: Path
) -> None:
    with _kept_in_a_folder(settings, tmp_path):
        first = _attach(builders.draft(factories.company()))
        second = _attach(builders.draft(factories.company()), builders.MINIMAL_PDF + b"% second\n")
        folder = _old_folder_with(tmp_path, first, second)

    dry = StringIO()
    call_command("mandates", "move-documents", "--from", str(folder), "--dry-run", stdout=dry)
    assert "would move 2, already in the storage 0" in dry.getvalue()
    assert on_s3.object_keys() == []

    out = StringIO()
    call_command("mandates", "move-documents", "--from", str(folder), stdout=out)
    assert "moved 2, already in the storage 0" in out.getvalue()
    for document in (first, second):
        body = on_s3.client().get_object(Bucket=on_s3.bucket, Key=f"mandates/{document.stored_name}")["Body"].read()
        assert hashlib.sha256(body).hexdigest() == document.sha256
    assert sorted(path.name for path in folder.iterdir()) == sorted([first.stored_name, second.stored_name])

    again = StringIO()
    call_command("mandates", "move-documents", "--from", str(folder), stdout=again)
    assert "moved 0, already in the storage 2" in again.getvalue()


def test_a_damaged_or_missing_old_file_is_reported_and_not_stored(
    settings: Any, on_s3: ObjectStore, tmp_path: Path
) -> None:
    with _kept_in_a_folder(settings, tmp_path):
        damaged = _attach(builders.draft(factories.company()))
        missing = _attach(builders.draft(factories.company()), builders.MINIMAL_PDF + b"% other\n")
        folder = _old_folder_with(tmp_path, damaged)
        (folder / damaged.stored_name).write_bytes(b"%PDF-1.7 changed on disk")

    out = StringIO()
    with pytest.raises(CommandError, match="not every document is in the storage"):
        call_command("mandates", "move-documents", "--from", str(folder), stdout=out)
    assert f"damaged (SHA-256 differs from the record): mandates/{damaged.stored_name}" in out.getvalue()
    assert f"missing (no file in the folder or the storage): mandates/{missing.stored_name}" in out.getvalue()
    assert on_s3.object_keys() == []
