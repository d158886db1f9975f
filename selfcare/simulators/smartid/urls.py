"""The simulator's URLs, mounted at ``/simulators/smartid/`` in demo mode: the RP API under ``v3/``, the phone."""

from django.urls import path

from selfcare.simulators.smartid import api, phone, signing

app_name = "smartid-sim"

urlpatterns = [
    path(
        "v3/authentication/notification/etsi/<str:identifier>",
        api.notification_etsi,
        name="notification-etsi",
    ),
    path("v3/authentication/device-link/anonymous", api.device_link_anonymous, name="device-link-anonymous"),
    path(
        "v3/signature/certificate-choice/notification/etsi/<str:identifier>",
        signing.certificate_choice,
        name="certificate-choice",
    ),
    path("v3/signature/notification/document/<str:document_number>", signing.signature, name="signature"),
    path(
        "v3/signature/certificate-choice/device-link/anonymous",
        signing.certificate_choice_device_link,
        name="certificate-choice-device-link",
    ),
    path(
        "v3/signature/notification/linked/<str:document_number>",
        signing.linked_signature,
        name="linked-signature",
    ),
    path("v3/session/<str:session_id>", api.session_status, name="session-status"),
    path("phone/", phone.index, name="phone"),
    path("phone/<str:personal_code>/", phone.person, name="phone-person"),
    path("phone/<str:personal_code>/<str:session_id>/", phone.answer_notification, name="phone-answer"),
    path("device-link", phone.device_link, name="device-link"),
    path("device-link/answer", phone.answer_device_link, name="device-link-answer"),
]
