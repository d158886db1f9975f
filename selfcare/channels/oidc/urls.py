"""The provider's endpoints, at the site root (the issuer is the origin, so discovery is at
/.well-known/openid-configuration). Under the library's namespace, whose names its views reverse."""

from __future__ import annotations

from django.urls import path
from oauth2_provider import views as library

from selfcare.channels.oidc import views

app_name = "oauth2_provider"

urlpatterns = [
    path(".well-known/openid-configuration", views.DiscoveryView.as_view(), name="oidc-connect-discovery-info"),
    path("oauth/authorize/", views.AuthorizationView.as_view(), name="authorize"),
    path("oauth/token/", views.TokenView.as_view(), name="token"),
    path("oauth/revoke/", library.RevokeTokenView.as_view(), name="revoke-token"),
    path("oauth/jwks/", views.JwksView.as_view(), name="jwks-info"),
    path("oauth/userinfo/", library.UserInfoView.as_view(), name="user-info"),
    path("oauth/logout/", views.LogoutView.as_view(), name="rp-initiated-logout"),
]
