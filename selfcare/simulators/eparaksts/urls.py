"""The simulator's URLs, mounted at ``/simulators/eparaksts/`` in demo mode, under the platform's own paths."""

from django.urls import path

from selfcare.simulators.eparaksts import signing, views

app_name = "eparaksts-sim"

urlpatterns = [
    path("trustedx-authserver/oauth/lvrtc-eipsign-as", views.authorize, name="authorize"),
    path("trustedx-authserver/oauth/lvrtc-eipsign-as/answer", views.answer, name="answer"),
    path("trustedx-authserver/oauth/lvrtc-eipsign-as/token", views.token, name="token"),
    path("trustedx-resources/openid/v1/users/me", views.userinfo, name="userinfo"),
    # Not a platform path: the demo's stand-in for signing a document in the eParaksts app.
    path("sign/", signing.sign, name="sign"),
]
