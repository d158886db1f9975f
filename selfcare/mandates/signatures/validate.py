"""``validate_document``: decide the kind by content, enforce the size limit, then hand over to pdf or asice."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from cryptography import x509

from selfcare.mandates.signatures import asice, config, pdf
from selfcare.mandates.signatures.report import DocumentKind, Problem, ValidationReport
from selfcare.mandates.signatures.sniff import kind_of

logger = logging.getLogger(__name__)


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
    if kind is None:
        return refused(Problem.NOT_A_DOCUMENT)
    validator = pdf.validate if kind is DocumentKind.PDF else asice.validate
    try:
        return validator(data, anchors, moment)
    except Exception:
        # The parsers below (pyHanko, asn1crypto, zlib, lxml) raise many exception types on crafted input: an
        # unknown stream filter, a bad ASN.1 tag, a broken deflate stream. The contract is a report for any bytes,
        # so whatever slipped past the specific handlers is a malformed document, logged for us to refine.
        logger.warning("signed document of kind %s could not be parsed", kind, exc_info=True)
        return refused(Problem.MALFORMED, kind)
