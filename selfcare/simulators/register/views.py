"""The Register of Enterprises' web service as selfcare.mandates.register_service expects it (its docstring shows an
answer; the real service's path and authentication are UNCONFIRMED). Bearer key: the demo's
(`selfcare.mandates.register_service.DEMO_KEY`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from selfcare.mandates.register_service import DEMO_KEY
from selfcare.simulators.gate import demo_only
from selfcare.simulators.register.officers import listed


@require_safe
@never_cache
@demo_only
def officers(request: HttpRequest, registration_number: str) -> HttpResponse:
    if request.headers.get("Authorization") != f"Bearer {DEMO_KEY}":
        return JsonResponse({"error": "unauthorized"}, status=401)
    found = listed(registration_number)
    if found is None:
        return JsonResponse({"error": "legal entity not found"}, status=404)
    return JsonResponse(
        {
            "registration_number": registration_number,
            "officers": [
                {
                    "id": officer.id,
                    "name": officer.name,
                    "latvian_identity_number": officer.code,
                    "position": officer.position,
                    "governing_body": officer.governing_body,
                    "rights_of_representation_type": officer.rights,
                    "representation_with_at_least": officer.with_at_least,
                    "registered_on": officer.registered_on,
                }
                for officer in found
            ],
        }
    )
