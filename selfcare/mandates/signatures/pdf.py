"""PAdES: validate every signature in a PDF with pyHanko, and what was changed after each.

For each signature pyHanko checks the document digest over the /ByteRange (``intact``), the CMS signature value
(``valid``), the signer's certificate path to our anchors at the claimed signing time, and, by comparing revisions,
what was added after the signature (``coverage`` and ``modification_level``). Revisions that only add later
signatures or validation data are accepted; anything else after the last signature is ``modified_after_signing``.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from cryptography import x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    SignatureCoverageLevel,
    async_validate_pdf_signature,
)
from pyhanko.sign.validation.errors import SignatureValidationError

from selfcare.mandates.signatures import identity
from selfcare.mandates.signatures.chain import (
    chain_problem,
    revocation_problem,
    run_sync,
    to_cryptography,
    validation_context,
)
from selfcare.mandates.signatures.report import DocumentKind, Problem, Signer, ValidationReport

# Clocks differ; a signature made on a laptop a minute "in the future" is not a forgery.
CLOCK_SKEW = dt.timedelta(minutes=5)
# After a signature, revisions that add another signature (filling its field) or validation data change nothing
# the earlier signer saw; anything more (annotations, page content) does.
_HARMLESS = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING)
_EXPIRED = {
    AdESIndeterminate.EXPIRED,
    AdESIndeterminate.NOT_YET_VALID,
    AdESFailure.NOT_YET_VALID,
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
    AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
}


def _refused(problem: Problem) -> ValidationReport:
    return ValidationReport(kind=DocumentKind.PDF, signers=(), problems=(problem.value,), signed_content=None)


def validate(data: bytes, anchors: Sequence[x509.Certificate], at: dt.datetime) -> ValidationReport:
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            return _refused(Problem.UNSUPPORTED)
        signatures = reader.embedded_regular_signatures
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError):
        return _refused(Problem.MALFORMED)
    if not signatures:
        return _refused(Problem.NO_SIGNATURE)
    signers: list[Signer] = []
    for index, signature in enumerate(signatures):
        is_last = index == len(signatures) - 1
        signers.append(_validate_one(signature, anchors, at, is_last=is_last))
    problems = tuple(dict.fromkeys(code for signer in signers for code in signer.problems))
    last = signatures[-1]
    try:
        *_, second, tail = (int(v) for v in last.sig_object["/ByteRange"])
        signed_content: bytes | None = data[: second + tail]
    except (KeyError, ValueError, TypeError):
        signed_content = None
    return ValidationReport(
        kind=DocumentKind.PDF, signers=tuple(signers), problems=problems, signed_content=signed_content
    )


def _validate_one(
    signature: EmbeddedPdfSignature, anchors: Sequence[x509.Certificate], at: dt.datetime, *, is_last: bool
) -> Signer:
    problems: list[Problem] = []
    certificate = to_cryptography(signature.signer_cert)
    try:
        claimed = signature.self_reported_timestamp
    except (PdfError, ValueError, TypeError):
        claimed = None
    claimed = claimed.astimezone(dt.UTC) if claimed else None
    if claimed is not None and claimed > at + CLOCK_SKEW:
        problems.append(Problem.SIGNING_TIME_IN_FUTURE)
    # Validity at the signing time the signature claims (see the package docstring); never later than `at`.
    moment = min(claimed, at) if claimed else at
    context = validation_context(anchors, signature.other_embedded_certs, moment)
    try:
        status = run_sync(async_validate_pdf_signature(signature, signer_validation_context=context))
    except (SignatureValidationError, PdfError, ValueError, TypeError, KeyError):
        problems.append(Problem.SIGNATURE_INVALID)
        return identity.signer_from(certificate, claimed, problems)
    if not status.intact:
        problems.append(Problem.TAMPERED)
    elif not status.valid:
        problems.append(Problem.SIGNATURE_INVALID)
    indication = status.trust_problem_indic
    if indication is not None:
        if indication in _EXPIRED:
            problems.append(Problem.CERTIFICATE_EXPIRED)
        else:
            # pyHanko folds a missing key usage into CHAIN_CONSTRAINTS_FAILURE; the same check the .edoc path makes
            # tells the cases apart, so both kinds name a problem alike.
            intermediates = [to_cryptography(c) for c in signature.other_embedded_certs]
            problems.append(chain_problem(certificate, intermediates, anchors, moment) or Problem.UNTRUSTED_CHAIN)
    else:
        intermediates = [to_cryptography(c) for c in signature.other_embedded_certs]
        revoked = revocation_problem(certificate, intermediates, anchors, moment)
        if revoked is not None:
            problems.append(revoked)
    if status.coverage not in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION):
        problems.append(Problem.TAMPERED)
    elif status.coverage is SignatureCoverageLevel.ENTIRE_REVISION:
        level = status.modification_level
        harmless = _HARMLESS if not is_last else (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)
        if level not in harmless or status.docmdp_ok is False:
            problems.append(Problem.MODIFIED_AFTER_SIGNING)
    return identity.signer_from(certificate, claimed, problems)
