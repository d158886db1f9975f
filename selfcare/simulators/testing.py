"""The simulator service inside a test process: a live server thread and a test client with its URLconf.

Tests run the simulators as their own server, beside the portal's live server, as `make run` does with two
processes; the portal reaches them only through the providers' URL settings (selfcare/conftest.py).
"""

from __future__ import annotations

from typing import Any

from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.http import HttpResponseBase
from django.test.client import Client, ClientHandler

URLCONF = "selfcare.simulators.urls"


class SimulatorsHandler(WSGIHandler):
    """The WSGI application of the simulator service: the simulators' URLconf instead of the portal's."""

    def get_response(self, request: WSGIRequest) -> HttpResponseBase:  # type: ignore[override]
        request.urlconf = URLCONF  # type: ignore[attr-defined]  # Django reads it in resolve_request
        return super().get_response(request)


class _SimulatorsClientHandler(ClientHandler):
    def get_response(self, request: WSGIRequest) -> HttpResponseBase:  # type: ignore[override]
        request.urlconf = URLCONF  # type: ignore[attr-defined]  # Django reads it in resolve_request
        return super().get_response(request)


class SimulatorsClient(Client):
    """Django's test client, talking to the simulator service (a person's phone, a bank's page) in-process."""

    def __init__(self, **defaults: Any) -> None:
        super().__init__(**defaults)
        self.handler = _SimulatorsClientHandler(enforce_csrf_checks=False)


def simulators_static_handler(_portal: Any) -> Any:
    """For LiveServerThread(static_handler=…): serve the simulators instead of the application it is given."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler

    return StaticFilesHandler(SimulatorsHandler())
