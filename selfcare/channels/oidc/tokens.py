"""The values of access and refresh tokens (django-oauth-toolkit's ACCESS_TOKEN_GENERATOR and
REFRESH_TOKEN_GENERATOR).

oauthlib's default draws 30 characters from a 66-letter alphabet with one SystemRandom call each (about 181 bits):
two tokens per grant made that a tenth of the refresh grant's Python. Here one read of the operating system's
CSPRNG gives 256 bits, base64url-encoded (43 characters). Tokens are stored only as their SHA-256 either way.
"""

from __future__ import annotations

import secrets

TOKEN_BYTES = 32


def new_token(request: object) -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)
