"""Smart-ID (SK ID Solutions) RP API v3: protocol formulas and response verification, free of Django.

- :mod:`.protocol` builds what we send and derive: rpChallenge, verification code, device links, request
  bodies, and the ACSP_V2 bytes the person's app signs.
- :mod:`.verification` decides whether a completed session status proves an identity.

Sources: PROTOCOLS.md §1 (SK's RP API v3.2.x documentation).
"""
