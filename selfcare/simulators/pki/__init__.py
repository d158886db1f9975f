"""The test PKI's revocation services: an OCSP responder and CRLs, as a CA publishes them (demo and tests only)."""
