"""Redirect URIs match exactly; plain http only ever for a native app's loopback listener (RFC 8252 §7.3)."""

from __future__ import annotations

from selfcare.channels.oidc.redirects import redirect_uri_matches


def test_an_https_redirect_matches_only_itself() -> None:
    assert redirect_uri_matches("https://app.example.lv/cb", ["https://app.example.lv/cb"])
    assert not redirect_uri_matches("https://app.example.lv/cb/", ["https://app.example.lv/cb"])


def test_a_loopback_redirect_matches_with_any_port_and_nothing_else_changed() -> None:
    assert redirect_uri_matches("http://127.0.0.1:53111/callback", ["http://127.0.0.1/callback"])
    assert not redirect_uri_matches("http://127.0.0.1:53111/callback2", ["http://127.0.0.1/callback"])


def test_a_plain_http_redirect_on_another_host_never_matches_even_when_registered() -> None:
    assert not redirect_uri_matches("http://app.example.lv/cb", ["http://app.example.lv/cb"])
    assert not redirect_uri_matches("http://localhost/cb", ["http://localhost/cb"])
