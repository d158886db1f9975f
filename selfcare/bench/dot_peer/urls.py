"""The library's endpoints where its tutorial puts them."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [path("o/", include("oauth2_provider.urls", namespace="oauth2_provider"))]
