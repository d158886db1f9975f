from django.urls import path

from selfcare.portal import (
    bills,
    dashboard,
    mandate_signing,
    mandates,
    new_connection,
    offers,
    orders,
    plans,
    security,
    spend,
    usage_exports,
    views,
    work_number,
)
from selfcare.portal.login import banklink, eparaksts, smartid, wallet
from selfcare.portal.login import views as login

app_name = "portal"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("plans/", plans.plan_list, name="plans"),
    path("plans/compare/", plans.plan_compare, name="plans-compare"),
    path("login/", login.login_page, name="login"),
    path("login/password/", login.password_login_retired, name="password-login"),
    path("logout/", login.logout_view, name="logout"),
    path("me/", login.me, name="me"),
    path("me/security/", security.my_security, name="my-security"),
    path("me/security/sessions/<uuid:session_id>/end/", security.end_session, name="end-session"),
    path("me/security/sessions/end-others/", security.end_other_sessions, name="end-other-sessions"),
    path("me/security/apps/<slug:source>/<str:grant_id>/end/", security.revoke_app, name="revoke-app"),
    path("me/security/email/", security.notification_email, name="notification-email"),
    path("me/security/browsers/forget/", security.forget_browsers, name="forget-browsers"),
    path("acting/<str:context>/security/", security.company_security, name="company-security"),
    path("acting/<str:context>/security/audit.csv", security.company_audit_csv, name="company-audit-csv"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("new-connection/", new_connection.start, name="new-connection"),
    path("new-connection/<uuid:order_id>/", new_connection.order_page, name="new-connection-order"),
    path("new-connection/<uuid:order_id>/plan/", new_connection.plan_step, name="new-connection-plan"),
    path("new-connection/<uuid:order_id>/number/", new_connection.number_step, name="new-connection-number"),
    path("new-connection/<uuid:order_id>/confirm/", new_connection.confirm_step, name="new-connection-confirm"),
    path("new-connection/<uuid:order_id>/sim/", new_connection.sim_step, name="new-connection-sim"),
    path("new-connection/<uuid:order_id>/sign/", new_connection.sign_start, name="new-connection-sign"),
    path("new-connection/<uuid:order_id>/sign/wait/", new_connection.sign_wait, name="new-connection-sign-wait"),
    path("new-connection/<uuid:order_id>/sign/status/", new_connection.sign_status, name="new-connection-sign-status"),
    path("new-connection/<uuid:order_id>/sign/cancel/", new_connection.sign_cancel, name="new-connection-sign-cancel"),
    path("new-connection/<uuid:order_id>/contract.pdf", new_connection.contract, name="new-connection-contract"),
    path("acting/<str:context>/connections/", dashboard.connection_list, name="connections"),
    path("acting/<str:context>/connections/<int:connection_id>/", dashboard.connection_detail, name="connection"),
    path(
        "acting/<str:context>/connections/<int:connection_id>/binding/end/",
        dashboard.binding_end_view,
        name="binding-end",
    ),
    path("acting/<str:context>/connections/<int:connection_id>/manage/", orders.manage, name="connection-manage"),
    path("acting/<str:context>/connections/<int:connection_id>/order/", orders.order_new, name="order-new"),
    path("acting/<str:context>/connections/<int:connection_id>/puk/", orders.puk, name="connection-puk"),
    path("acting/<str:context>/connections/<int:connection_id>/spend-cap/", spend.spend_cap, name="spend-cap"),
    path(
        "acting/<str:context>/connections/<int:connection_id>/spend-cap/remove/",
        spend.spend_cap_remove,
        name="spend-cap-remove",
    ),
    path(
        "acting/<str:context>/connections/<int:connection_id>/spend-cap/lift/",
        spend.spend_cap_lift,
        name="spend-cap-lift",
    ),
    path("acting/<str:context>/costs/", spend.costs, name="costs"),
    path("acting/<str:context>/usage-exports/", usage_exports.usage_exports, name="usage-exports"),
    path(
        "acting/<str:context>/usage-exports/<uuid:export_id>/",
        usage_exports.usage_export_download,
        name="usage-export",
    ),
    path("acting/<str:context>/orders/", orders.order_list, name="orders"),
    path("acting/<str:context>/orders/bulk/", orders.bulk, name="orders-bulk"),
    path("acting/<str:context>/orders/employee-rights/", orders.employee_rights, name="orders-employee-rights"),
    path("acting/<str:context>/orders/<uuid:order_id>/", orders.order_detail, name="order"),
    path("acting/<str:context>/orders/<uuid:order_id>/decide/", orders.order_decide_view, name="order-decide"),
    path("acting/<str:context>/mandates/", mandates.mandate_list, name="mandates"),
    path("acting/<str:context>/mandates/new/", mandates.mandate_new, name="mandate-new"),
    path("acting/<str:context>/mandates/<int:mandate_id>/", mandates.mandate_detail, name="mandate"),
    path(
        "acting/<str:context>/mandates/<int:mandate_id>/form-<str:language>.pdf",
        mandates.mandate_form,
        name="mandate-form",
    ),
    path("acting/<str:context>/mandates/<int:mandate_id>/upload/", mandates.mandate_upload, name="mandate-upload"),
    path("acting/<str:context>/mandates/<int:mandate_id>/revoke/", mandates.mandate_revoke, name="mandate-revoke"),
    path("acting/<str:context>/mandates/<int:mandate_id>/sign/", mandate_signing.sign_start, name="mandate-sign"),
    path(
        "acting/<str:context>/mandates/<int:mandate_id>/invite/<int:representative_id>/",
        mandates.cosigner_invite,
        name="mandate-invite",
    ),
    path(
        "acting/<str:context>/mandates/<int:mandate_id>/sign/wait/",
        mandate_signing.sign_wait,
        name="mandate-sign-wait",
    ),
    path(
        "acting/<str:context>/mandates/<int:mandate_id>/sign/status/",
        mandate_signing.sign_status,
        name="mandate-sign-status",
    ),
    path(
        "acting/<str:context>/mandates/<int:mandate_id>/sign/return/",
        mandate_signing.sign_return,
        name="mandate-sign-return",
    ),
    path(
        "acting/<str:context>/mandates/<int:mandate_id>/sign/cancel/",
        mandate_signing.sign_cancel,
        name="mandate-sign-cancel",
    ),
    path(
        "acting/<str:context>/mandates/<int:mandate_id>/documents/<int:document_id>/",
        mandate_signing.document_download,
        name="mandate-document",
    ),
    path("acting/<str:context>/bills/", bills.bill_list, name="bills"),
    path("acting/<str:context>/bills/<str:bill_id>/", bills.bill_detail, name="bill"),
    path("acting/<str:context>/bills/<str:bill_id>/invoice.pdf", bills.bill_pdf, name="bill-pdf"),
    path(
        "acting/<str:context>/connections/<int:connection_id>/usage-<int:year>-<int:month>.csv",
        bills.usage_csv,
        name="usage-csv",
    ),
    path(
        "acting/<str:context>/connections/<int:connection_id>/usage-<int:year>-<int:month>.xlsx",
        bills.usage_xlsx,
        name="usage-xlsx",
    ),
    path("acting/<str:context>/offers/", offers.offer_list, name="offers"),
    path("acting/<str:context>/offers/settings/", offers.company_setting, name="offers-setting"),
    path(
        "acting/<str:context>/connections/<int:connection_id>/offers/<int:offer_id>/claim/",
        offers.offer_claim,
        name="offer-claim",
    ),
    path("offers/<int:offer_id>/image/", offers.offer_image, name="offer-image"),
    path("work-number/", work_number.start, name="work-number"),
    path("work-number/confirm/", work_number.confirm, name="work-number-confirm"),
    path("login/smart-id/", smartid.start_page, name="login-smartid"),
    path("login/smart-id/notification/", smartid.start_notification, name="login-smartid-notification"),
    path("login/smart-id/device-link/", smartid.start_device_link, name="login-smartid-device-link"),
    path("login/smart-id/wait/", smartid.wait, name="login-smartid-wait"),
    path("login/smart-id/status/", smartid.status, name="login-smartid-status"),
    path("login/smart-id/cancel/", smartid.cancel, name="login-smartid-cancel"),
    path("login/smart-id/callback/", smartid.callback, name="login-smartid-callback"),
    path("login/eparaksts/callback/", eparaksts.callback, name="login-eparaksts-callback"),
    path("signing/eparaksts/callback/", mandate_signing.eparaksts_callback, name="signing-eparaksts-callback"),
    path("signing/smart-id/callback/", mandate_signing.smartid_callback, name="signing-smartid-callback"),
    path("login/wallet/", wallet.start_page, name="login-wallet"),
    path("login/wallet/start/", wallet.start, name="login-wallet-start"),
    path("login/wallet/wait/", wallet.wait, name="login-wallet-wait"),
    path("login/wallet/status/", wallet.status, name="login-wallet-status"),
    path("login/wallet/return/", wallet.back, name="login-wallet-return"),
    path(
        "login/wallet/request/<str:transaction_id>/<str:flow>/", wallet.request_object_view, name="login-wallet-request"
    ),
    path("login/wallet/response/<str:transaction_id>/<str:flow>/", wallet.response, name="login-wallet-response"),
]

# eParaksts Mobile, eParaksts with an eID card and eID Scan: one flow, a start page and a start action each.
for _method, _name in eparaksts.START_URL_NAMES.items():
    _name = _name.removeprefix("portal:")
    urlpatterns += [
        path(f"login/{_method}/", eparaksts.start_page, {"method": _method}, name=_name),
        path(f"login/{_method}/start/", eparaksts.start, {"method": _method}, name=f"{_name}-start"),
    ]

# Swedbank, SEB, Citadele and Luminor: a start page and the address the bank posts its answer to.
for _bank in banklink.BANKS:
    urlpatterns += [
        path(f"login/{_bank}/", banklink.start, {"bank": _bank}, name=f"login-{_bank}"),
        path(f"login/{_bank}/answer/", banklink.answer, {"bank": _bank}, name=f"login-{_bank}-answer"),
    ]
