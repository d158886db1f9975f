"""The PKI simulator over HTTP, at ``/simulators/pki/`` in demo mode: ``ocsp`` (POST, RFC 6960) and
``crl/<ca>.crl`` (GET), answering what :mod:`.responder` builds."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from selfcare.simulators.gate import demo_only
from selfcare.simulators.pki import responder


def _http(answer: responder.Answer) -> HttpResponse:
    return HttpResponse(answer.body, status=answer.status, content_type=answer.content_type)


@csrf_exempt
@require_POST
@demo_only
def ocsp(request: HttpRequest) -> HttpResponse:
    return _http(responder.ocsp_answer(request.body))


@require_GET
@demo_only
def crl(request: HttpRequest, label: str) -> HttpResponse:
    return _http(responder.crl(label))
