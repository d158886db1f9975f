"""Prepare the peer's database and print, as JSON, what the bench's clients present: one refresh token per client
(each from a real code exchange through the library) and authorization codes with their PKCE verifiers.

    DJANGO_SETTINGS_MODULE=selfcare.bench.dot_peer.settings DATABASE_URL=… \
        python -m selfcare.bench.dot_peer.setup 8 8000
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import secrets
import sys
from typing import Any

REDIRECT_URI = "http://127.0.0.1:9/callback"
CLIENT_ID = "peer-app"


def _code(application: Any, user: Any) -> tuple[Any, dict[str, str]]:
    from django.utils import timezone
    from oauth2_provider.models import Grant

    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    code = secrets.token_urlsafe(30)
    grant = Grant(
        application=application,
        user=user,
        code=code,
        # Long enough for the whole bench: the endpoint checks expiry, not how it was set.
        expires=timezone.now() + datetime.timedelta(minutes=30),
        redirect_uri=REDIRECT_URI,
        scope="read write",
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    return grant, {"code": code, "verifier": verifier}


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from oauth2_provider.models import Application, Grant

    clients, codes = int(sys.argv[1]), int(sys.argv[2])
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("peer-person")
    application = Application.objects.create(
        name="Peer app",
        client_id=CLIENT_ID,
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=REDIRECT_URI,
    )
    made = [_code(application, user) for _ in range(clients + codes)]
    Grant.objects.bulk_create([grant for grant, _ in made], batch_size=2000)
    browser = Client(SERVER_NAME="127.0.0.1")  # one of ALLOWED_HOSTS
    refresh_tokens = []
    for _grant, presented in made[:clients]:
        answer = browser.post(
            "/o/token/",
            {
                "grant_type": "authorization_code",
                "code": presented["code"],
                "redirect_uri": REDIRECT_URI,
                "client_id": CLIENT_ID,
                "code_verifier": presented["verifier"],
            },
        )
        assert answer.status_code == 200, answer.content
        refresh_tokens.append(json.loads(answer.content)["refresh_token"])
    print(json.dumps({"refresh_tokens": refresh_tokens, "codes": [p for _g, p in made[clients:]]}))


if __name__ == "__main__":
    main()
