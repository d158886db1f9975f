"""``validate_document``: decide the kind by content, enforce the size limit, then hand over to pdf or asice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from cryptography import x509

from selfcare.mandates.signatures import config
from selfcare.mandates.signatures.report import DocumentKind, Problem, ValidationReport
from selfcare.mandates.signatures.sniff import kind_of


def refused(problem: Problem, kind: DocumentKind | None = None) -> ValidationReport:
    return ValidationReport(kind=kind, signers=(), problems=(problem.value,), signed_content=None)


def validate_document(
    data: bytes,
    *,
    trust_anchors: Sequence[x509.Certificate] | None = None,
    at: dt.datetime | None = None,
) -> ValidationReport:
    """Validate the signatures of an uploaded document; see the package docstring for what counts.

    ``trust_anchors`` defaults to the configured ones; ``at`` (aware) is "now" for the check that the signing
    time is not in the future, and the validation time when a signature claims no signing time.
    """
    if len(data) > config.max_bytes():
        return refused(Problem.TOO_LARGE)
    anchors = tuple(trust_anchors) if trust_anchors is not None else config.trust_anchors()
    moment = at or dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        raise ValueError("at must be an aware datetime")
    kind = kind_of(data)
    if kind is DocumentKind.PDF:
        from selfcare.mandates.signatures import pdf

        return pdf.validate(data, anchors, moment)
    if kind is DocumentKind.ASICE:
        from selfcare.mandates.signatures import asice

        return asice.validate(data, anchors, moment)
    return refused(Problem.NOT_A_DOCUMENT)
