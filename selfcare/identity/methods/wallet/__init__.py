"""EU Digital Identity Wallet login: an OpenID4VP 1.0 verifier for the PID as an SD-JWT VC (HAIP 1.0 profile).

- ``config``: our access certificate and key, the trusted PID providers, the wallet invocation URL.
- ``request``: a transaction (nonce, state, a fresh response-encryption key) and its request object signed by us.
- ``sdjwt``: the SD-JWT VC checks one by one (issuer signature, disclosures, key binding, expiry).
- ``statuslist``: the IETF Token Status List that tells whether the PID was revoked.
- ``verifier``: the wallet's encrypted answer (``direct_post.jwt``) into a :class:`VerifiedIdentity`.
"""
