"""The simulator's URLs, mounted at ``/simulators/eparaksts/`` in demo mode, under the platform's own paths."""

from django.urls import path

from selfcare.simulators.eparaksts import signing, signing_api, views

app_name = "eparaksts-sim"

urlpatterns = [
    path("trustedx-authserver/oauth/lvrtc-eipsign-as", views.authorize, name="authorize"),
    path("trustedx-authserver/oauth/lvrtc-eipsign-as/answer", views.answer, name="answer"),
    path("trustedx-authserver/oauth/lvrtc-eipsign-as/token", views.token, name="token"),
    path("trustedx-resources/openid/v1/users/me", views.userinfo, name="userinfo"),
    # The signature API (signing_api.py); the portal's paths are settings, these are their defaults.
    path("trustedx-resources/esigp/v1/sign_identities", signing_api.sign_identities, name="sign-identities"),
    path(
        "trustedx-resources/esigp/v1/sign_identities/<str:sign_identity_id>",
        signing_api.sign_identity,
        name="sign-identity",
    ),
    path("trustedx-resources/esigp/v1/signatures/server/raw", signing_api.server_raw, name="server-raw"),
    # Not a platform path: the demo's stand-in for signing a document in the eParaksts app.
    path("sign/", signing.sign, name="sign"),
]
