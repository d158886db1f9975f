"""Certificate path validation for Smart-ID certificates, delegated to ``pyhanko-certvalidator``.

Why a library: RFC 5280 path validation (name chaining, signatures, validity at a moment, basic constraints,
path length, key usage of CAs) is easy to get subtly wrong by hand. We give the validator only the anchors and
intermediates from configuration — never the operating system's store — and forbid it to fetch anything.

Revocation: path building runs without fetching; revocation is then decided for the validated chain by the
:class:`RevocationCheck` the policy carries (:mod:`selfcare.revocation`: OCSP first, CRL fallback, verified by
pyhanko-certvalidator). The portal's configuration always sets one (hard fail unless ``REVOCATION_MODE=soft``); a
policy built without one (unit tests of the other steps) does not check revocation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Coroutine, Sequence
from typing import Any, Protocol

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    ExpiredError,
    NotYetValidError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
    ValidationError,
)
from pyhanko_certvalidator.path import ValidationPath

from selfcare.identity.methods.base import Refused, Unavailable
from selfcare.revocation import CertificateRevoked, RevocationUnavailable
from selfcare.revocation.check import asn1_certificate, trust_manager


class RevocationCheck(Protocol):
    """Called with the validated chain, leaf first and the trust anchor last, and the moment of the check.

    Raises :class:`CertificateRevoked` or :class:`RevocationUnavailable`; returns None when all is good.
    """

    def __call__(self, chain: Sequence[x509.Certificate], *, moment: dt.datetime) -> None: ...


def _run_without_io(coroutine: Coroutine[Any, Any, ValidationPath]) -> ValidationPath:
    """Run a validator coroutine that cannot wait on I/O, without an event loop.

    With fetching disabled the validator never suspends, so one ``send`` completes it. Doing this instead of
    ``asyncio.run`` costs no event loop per login and also works when called from async code. Should a future
    version suspend, we fail closed rather than block.
    """
    try:
        coroutine.send(None)
    except StopIteration as finished:
        path: ValidationPath = finished.value
        return path
    coroutine.close()
    raise RuntimeError("certificate path validation tried to wait for I/O although fetching is disabled")


class TrustStore:
    """The configured anchors and intermediates, converted once to the validator's asn1crypto form."""

    def __init__(
        self, trust_anchors: Sequence[x509.Certificate], intermediates: Sequence[x509.Certificate] = ()
    ) -> None:
        if not trust_anchors:
            # An empty list must never fall through to a default store.
            raise ValueError("at least one configured trust anchor is required")
        # DER here; the validator's parsed forms and trust manager are kept per thread (revocation.check), which
        # builds them once per thread instead of once per login.
        self._anchors = [c.public_bytes(serialization.Encoding.DER) for c in trust_anchors]
        self._intermediates = [c.public_bytes(serialization.Encoding.DER) for c in intermediates]

    def validate(self, der: bytes, *, moment: dt.datetime, revocation_check: RevocationCheck | None = None) -> None:
        """Raise :class:`Refused` unless certificate ``der`` chains to the anchors and is valid at ``moment``.

        Reasons: "certificate_expired", "certificate_not_yet_valid", "revoked", "untrusted_chain".
        """
        context = ValidationContext(
            trust_manager=trust_manager(self._anchors),
            other_certs=[asn1_certificate(c) for c in self._intermediates],
            moment=moment,
            allow_fetching=False,
            revocation_mode="soft-fail",
        )
        # The same parsed object the revocation check below is handed (asn1_certificate keeps it by its bytes).
        validator = CertificateValidator(asn1_certificate(der), validation_context=context)
        try:
            path = _run_without_io(validator.async_validate_path())
        except ExpiredError as error:
            raise Refused("certificate_expired", str(error)) from error
        except NotYetValidError as error:
            raise Refused("certificate_not_yet_valid", str(error)) from error
        except RevokedError as error:
            raise Refused("revoked", str(error)) from error
        except (PathBuildingError, PathValidationError, ValidationError) as error:
            raise Refused("untrusted_chain", str(error)) from error
        except ValueError as error:
            # asn1crypto parses lazily and may reject what cryptography accepted: still not a trusted chain.
            raise Refused("untrusted_chain", f"certificate could not be processed: {error}") from error
        if revocation_check is not None:
            chain = [x509.load_der_x509_certificate(c.dump()) for c in path.iter_certs(include_root=True)]
            try:
                revocation_check(chain[::-1], moment=moment)
            except CertificateRevoked as error:
                raise Refused("revoked", str(error)) from error
            except RevocationUnavailable as error:
                raise Unavailable(str(error), reason="revocation_unavailable") from error
