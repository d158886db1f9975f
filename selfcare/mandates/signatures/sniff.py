"""Decide what an upload is from its bytes alone: a file name or a declared content type is never trusted."""

from __future__ import annotations

from selfcare.mandates.signatures.report import DocumentKind

ASICE_MIMETYPE = b"application/vnd.etsi.asic-e+zip"
ASICS_MIMETYPE = b"application/vnd.etsi.asic-s+zip"
_ZIP_LOCAL_HEADER = b"PK\x03\x04"
# ISO 32000 lets the header start anywhere in the first 1024 bytes; readers (and pyHanko) accept that.
_PDF_HEADER_WINDOW = 1024


def kind_of(data: bytes) -> DocumentKind | None:
    """PDF by its %PDF- header; ASiC-E by a ZIP whose mimetype entry names it; None for anything else.

    A ZIP of another kind (an ASiC-S, an office document) is None here; ``asice`` tells them apart in detail.
    """
    # ZIP first: a container whose first (stored) entry is a PDF also has %PDF- in its first kilobyte.
    if data.startswith(_ZIP_LOCAL_HEADER):
        return DocumentKind.ASICE
    if b"%PDF-" in data[:_PDF_HEADER_WINDOW]:
        return DocumentKind.PDF
    return None
