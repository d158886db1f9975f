"""The request type the pages see: Django's, plus django-htmx's details about HTMX requests."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails
