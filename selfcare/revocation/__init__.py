"""Is a certificate revoked? OCSP first, CRL as fallback, verified by pyhanko-certvalidator (SECURITY.md 6.8.2).

    check = revocation_checker()                  # from settings: hard or soft fail, timeouts, cache
    check(path_der, moment=now)                   # leaf first, trust anchor last; raises or returns
    check(path_der, moment=signed_at, at_signing_time=True)   # a signer: not revoked *when it signed*

Raises :class:`CertificateRevoked` (the answer says revoked at or before ``moment``) or
:class:`RevocationUnavailable` (no usable answer: responder and CRL down, timeouts, unverifiable answers) in hard
fail mode — the production default. In soft fail mode (``REVOCATION_MODE=soft``, explicit configuration only)
an unavailable status is logged and tolerated; a *revoked* answer is refused in both modes.

Not checked: the trust anchor itself (it is configured, not learnt); indirect CRLs and delta CRLs beyond what
pyhanko-certvalidator handles.
"""

from selfcare.revocation.check import (
    CertificateRevoked,
    RevocationChecker,
    RevocationError,
    RevocationUnavailable,
    revocation_checker,
)

__all__ = [
    "CertificateRevoked",
    "RevocationChecker",
    "RevocationError",
    "RevocationUnavailable",
    "revocation_checker",
]
