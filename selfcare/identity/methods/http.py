"""HTTP helpers shared by the eID methods' clients."""

from __future__ import annotations

from typing import Any

import httpx

from selfcare.identity.methods.base import BadResponse


def json_object(response: httpx.Response) -> dict[str, Any]:
    """The body of a 200 answer as a JSON object; anything else is a BadResponse (never believed)."""
    if response.status_code != 200:
        raise BadResponse(reason=f"http_{response.status_code}")
    try:
        data = response.json()
    except ValueError as error:
        raise BadResponse(reason="not_json") from error
    if not isinstance(data, dict):
        raise BadResponse(reason="not_an_object")
    return data
