from typing import Any

from django.conf import settings
from django.http import HttpRequest


def brand(request: HttpRequest) -> dict[str, Any]:
    return {"brand": settings.BRAND}


def session_info(request: HttpRequest) -> dict[str, Any]:
    """The eID method of the current login, for the page header ("… · Smart-ID")."""
    from selfcare.identity.methods.registry import method_label
    from selfcare.identity.services import SESSION_METHOD

    key = request.session.get(SESSION_METHOD, "") if hasattr(request, "session") else ""
    return {"session_method": method_label(key) if key else ""}
