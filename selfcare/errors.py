"""Every error a person or an API client can see: one stable code and one translated message each.

Pages show `message(code)`; the JSON API answers `{"errors": [{"code": …, "message": …, "field": …}]}`.
Codes never change once published (clients key on them); messages may be reworded.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise


class ErrorCode(StrEnum):
    PERSONAL_CODE_FORMAT = "personal_code_format"
    PERSONAL_CODE_DATE = "personal_code_date"
    PERSONAL_CODE_CHECKSUM = "personal_code_checksum"
    PERSONAL_CODE_COUNTRY = "personal_code_country"
    PERSONAL_CODE_BALTIC_DATE = "personal_code_baltic_date"
    REGISTRATION_NUMBER_FORMAT = "registration_number_format"
    REGISTRATION_NUMBER_CHECKSUM = "registration_number_checksum"
    VAT_NUMBER_INVALID = "vat_number_invalid"
    PHONE_NUMBER_INVALID = "phone_number_invalid"
    PHONE_NUMBER_NOT_LATVIAN = "phone_number_not_latvian"
    BILLING_CYCLE_DAY = "billing_cycle_day"
    ACCOUNT_HOLDER = "account_holder"
    MSISDN_IN_USE = "msisdn_in_use"
    NOT_FOUND = "not_found"
    RIGHTS_ENDED = "rights_ended"
    EID_CANCELLED = "eid_cancelled"
    EID_TIMEOUT = "eid_timeout"
    EID_WRONG_VC = "eid_wrong_vc"
    EID_ACCOUNT_UNUSABLE = "eid_account_unusable"
    EID_APP_OUTDATED = "eid_app_outdated"
    EID_NOT_QUALIFIED = "eid_not_qualified"
    EID_IDENTITY_MISMATCH = "eid_identity_mismatch"
    EID_REFUSED = "eid_refused"
    EID_UNAVAILABLE = "eid_unavailable"
    EID_LOGIN_EXPIRED = "eid_login_expired"
    EID_NO_PERSONAL_CODE = "eid_no_personal_code"
    EID_CERTIFICATE_REVOKED = "eid_certificate_revoked"
    EID_REVOCATION_UNAVAILABLE = "eid_revocation_unavailable"
    EID_PROTOCOL_FAILURE = "eid_protocol_failure"
    EID_PROVIDER_ERROR = "eid_provider_error"
    EID_MAINTENANCE = "eid_maintenance"
    EID_CLIENT_OUTDATED = "eid_client_outdated"
    EID_CANCELLED_AT_BANK = "eid_cancelled_at_bank"
    EID_WALLET_UNTRUSTED = "eid_wallet_untrusted"
    EID_WALLET_REVOKED = "eid_wallet_revoked"
    EID_WALLET_EXPIRED = "eid_wallet_expired"
    EID_WALLET_NOT_FOR_THIS_LOGIN = "eid_wallet_not_for_this_login"
    EID_WALLET_DECLINED = "eid_wallet_declined"
    SESSION_EXPIRED = "session_expired"
    CODE_CHANGE_NOT_NEW_FORMAT = "code_change_not_new_format"
    CODE_CHANGE_ALREADY_DONE = "code_change_already_done"
    CODE_CHANGE_TAKEN = "code_change_taken"
    BINDING_TOO_MANY_REQUESTS = "binding_too_many_requests"
    BINDING_TOO_MANY_FOR_NUMBER = "binding_too_many_for_number"
    BINDING_CODE_WRONG = "binding_code_wrong"
    BINDING_CODE_ENDED = "binding_code_ended"
    BINDING_CODE_EXPIRED = "binding_code_expired"
    BINDING_LOCKED = "binding_locked"
    BINDING_FRESH_LOGIN = "binding_fresh_login"
    RATE_LIMITED = "rate_limited"
    MANDATE_ILLEGAL_TRANSITION = "mandate_illegal_transition"
    MANDATE_DATES = "mandate_dates"
    MANDATE_TERM_TOO_LONG = "mandate_term_too_long"
    MANDATE_CONNECTIONS_REQUIRED = "mandate_connections_required"
    MANDATE_REASON_REQUIRED = "mandate_reason_required"
    MANDATE_NO_DOCUMENT = "mandate_no_document"
    MANDATE_FILE_TOO_LARGE = "mandate_file_too_large"
    MANDATE_FILE_TYPE = "mandate_file_type"
    MANDATE_NOT_A_SIGNER = "mandate_not_a_signer"
    MANDATE_ALREADY_SIGNED = "mandate_already_signed"
    MANDATE_DOCUMENT_CHANGED = "mandate_document_changed"
    UNAUTHENTICATED = "unauthenticated"
    INSUFFICIENT_SCOPE = "insufficient_scope"
    INVALID_INPUT = "invalid_input"
    OFFER_NOT_CLAIMABLE = "offer_not_claimable"
    OFFER_OUT_OF_STOCK = "offer_out_of_stock"
    OFFER_IMAGE_INVALID = "offer_image_invalid"
    OFFER_IMAGE_TOO_LARGE = "offer_image_too_large"
    CODE_POOL_DUPLICATES = "code_pool_duplicates"
    CODE_POOL_EMPTY = "code_pool_empty"
    CODE_POOL_BAD_CODE = "code_pool_bad_code"
    SERVICE_UNAVAILABLE = "service_unavailable"
    BILLS_UNAVAILABLE = "bills_unavailable"
    SPEND_CAP_AMOUNT = "spend_cap_amount"
    SPEND_CAP_THRESHOLDS = "spend_cap_thresholds"
    SPEND_CAP_RECIPIENTS = "spend_cap_recipients"
    SPEND_CAP_AT_CAP = "spend_cap_at_cap"
    USAGE_ROW_SHAPE = "usage_row_shape"
    USAGE_SOURCE_KEY = "usage_source_key"
    USAGE_SOURCE_KEY_CHARACTERS = "usage_source_key_characters"
    USAGE_MSISDN = "usage_msisdn"
    USAGE_KIND = "usage_kind"
    USAGE_ZONE = "usage_zone"
    USAGE_STARTED_AT = "usage_started_at"
    USAGE_IN_FUTURE = "usage_in_future"
    USAGE_TOO_OLD = "usage_too_old"
    USAGE_QUANTITY = "usage_quantity"
    USAGE_COUNTRY = "usage_country"
    USAGE_UNKNOWN_NUMBER = "usage_unknown_number"
    FEED_KEY_INVALID = "feed_key_invalid"
    FEED_BATCH_TOO_LARGE = "feed_batch_too_large"
    FEED_BODY_UNREADABLE = "feed_body_unreadable"
    FEED_BODY_INVALID = "invalid_body"
    FEED_METHOD_NOT_ALLOWED = "method_not_allowed"


MESSAGES: dict[ErrorCode, StrPromise] = {
    ErrorCode.PERSONAL_CODE_FORMAT: _(
        "A personal code has 11 digits, for example 161175-19997 (a hyphen after the sixth digit is optional)."
    ),
    ErrorCode.PERSONAL_CODE_DATE: _(
        "This personal code does not start with a real birth date (DDMMYY and the century digit 0, 1 or 2)."
    ),
    ErrorCode.PERSONAL_CODE_CHECKSUM: _("This personal code is not valid: its last digit does not match."),
    ErrorCode.PERSONAL_CODE_COUNTRY: _(
        "Personal codes of Latvia, Estonia and Lithuania are accepted: write EE or LT before an Estonian or "
        "Lithuanian code, for example EE 38001085718."
    ),
    ErrorCode.PERSONAL_CODE_BALTIC_DATE: _(
        "This personal code does not carry a real birth date (a first digit from 1 to 6, then YYMMDD)."
    ),
    ErrorCode.REGISTRATION_NUMBER_FORMAT: _("A registration number has 11 digits, for example 40003521600."),
    ErrorCode.REGISTRATION_NUMBER_CHECKSUM: _(
        "This registration number is not valid: its digits do not add up. Check it in the Register of Enterprises."
    ),
    ErrorCode.VAT_NUMBER_INVALID: _("A Latvian VAT number is LV followed by 11 digits, for example LV40003521600."),
    ErrorCode.PHONE_NUMBER_INVALID: _("This is not a valid phone number. Enter it as +371 2XXXXXXX or 2XXXXXXX."),
    ErrorCode.PHONE_NUMBER_NOT_LATVIAN: _("Only Latvian numbers (+371) can be used here."),
    ErrorCode.BILLING_CYCLE_DAY: _("The billing cycle starts on a day from 1 to 31."),
    ErrorCode.ACCOUNT_HOLDER: _(
        "A private account needs the holder's personal code and name; a business account needs a company, and not both."
    ),
    ErrorCode.MSISDN_IN_USE: _("This number already belongs to another connection that is not terminated."),
    ErrorCode.NOT_FOUND: _("Not found."),
    ErrorCode.RIGHTS_ENDED: _("Your rights in this context have ended."),
    ErrorCode.EID_CANCELLED: _("The login was cancelled in the app. You can start again."),
    ErrorCode.EID_TIMEOUT: _("No confirmation arrived in time. Check the personal code, open the app and try again."),
    ErrorCode.EID_WRONG_VC: _(
        "A wrong verification code was chosen in the app. Start again and pick the code shown on this page."
    ),
    ErrorCode.EID_ACCOUNT_UNUSABLE: _(
        "This Smart-ID account cannot be used for login right now. Open the Smart-ID app or contact its support."
    ),
    ErrorCode.EID_APP_OUTDATED: _("Your Smart-ID app needs an update before it can confirm this login."),
    ErrorCode.EID_NOT_QUALIFIED: _(
        "Only qualified Smart-ID is accepted. Smart-ID Basic accounts cannot log in: use another method or "
        "upgrade your account to qualified in a bank or at an ID card office."
    ),
    ErrorCode.EID_IDENTITY_MISMATCH: _(
        "The account that confirmed the login does not belong to the personal code entered."
    ),
    ErrorCode.EID_REFUSED: _("The login could not be verified. Try again or choose another method."),
    ErrorCode.EID_UNAVAILABLE: _(
        "The identification service is not reachable right now. Try again in a few minutes or choose another method."
    ),
    ErrorCode.EID_LOGIN_EXPIRED: _(
        "This login was not started in this browser or has expired. Start the login again from this page."
    ),
    ErrorCode.EID_NO_PERSONAL_CODE: _(
        "The identification service did not give a Latvian personal code, so this login cannot be used here. "
        "Choose another method."
    ),
    ErrorCode.EID_CANCELLED_AT_BANK: _("The login was cancelled at the bank. You can start again."),
    ErrorCode.EID_WALLET_UNTRUSTED: _(
        "The identification data in your wallet comes from a provider we do not accept. Choose another method."
    ),
    ErrorCode.EID_WALLET_REVOKED: _(
        "The identification data in your wallet has been revoked or suspended by its provider. Renew it in your "
        "wallet or choose another method."
    ),
    ErrorCode.EID_WALLET_EXPIRED: _("The identification data in your wallet has expired. Renew it in your wallet."),
    ErrorCode.EID_WALLET_NOT_FOR_THIS_LOGIN: _(
        "Your wallet's answer was not made for this login, so it was not accepted. Start again."
    ),
    ErrorCode.EID_WALLET_DECLINED: _("You declined to share your data in the wallet. You can start again."),
    ErrorCode.EID_CERTIFICATE_REVOKED: _(
        "Your eID certificate has been revoked, so it cannot be used to log in. Renew it or choose another method."
    ),
    ErrorCode.EID_REVOCATION_UNAVAILABLE: _(
        "Whether your certificate is still valid cannot be checked right now, so we cannot let you in. Try again in "
        "a few minutes or choose another method."
    ),
    ErrorCode.EID_PROTOCOL_FAILURE: _(
        "Smart-ID could not complete this login because of a technical error in the app. Start again; if it "
        "repeats, update the Smart-ID app."
    ),
    ErrorCode.EID_PROVIDER_ERROR: _(
        "The identification service had a technical error. Try again in a few minutes or choose another method."
    ),
    ErrorCode.EID_MAINTENANCE: _(
        "The identification service is under maintenance. Try again later or choose another method."
    ),
    ErrorCode.EID_CLIENT_OUTDATED: _(
        "Our connection to the identification service needs an update. Please choose another method for now."
    ),
    ErrorCode.SESSION_EXPIRED: _("Your session has ended for your security. Please log in again."),
    ErrorCode.CODE_CHANGE_NOT_NEW_FORMAT: _(
        "A personal code can only change from an old code with a birth date to a new-format code (starting 32–39)."
    ),
    ErrorCode.CODE_CHANGE_ALREADY_DONE: _("This person has already changed their personal code once."),
    ErrorCode.CODE_CHANGE_TAKEN: _("The new personal code already belongs to another digital identity."),
    ErrorCode.BINDING_TOO_MANY_REQUESTS: _(
        "Too many codes were asked for. You can ask for 5 codes in 5 minutes, 20 in an hour and 50 in a day: "
        "try again later."
    ),
    ErrorCode.BINDING_TOO_MANY_FOR_NUMBER: _(
        "You have asked for as many codes for this number as one person may in a day. Try again tomorrow, or "
        "contact customer service."
    ),
    ErrorCode.BINDING_CODE_WRONG: _("This code is not right. Check the code in the SMS and enter it again."),
    ErrorCode.BINDING_CODE_ENDED: _(
        "This code was entered wrongly too many times and no longer works. Ask for a new code."
    ),
    ErrorCode.BINDING_CODE_EXPIRED: _("This code has expired or was already used. Ask for a new code."),
    ErrorCode.BINDING_LOCKED: _(
        "Too many wrong codes were entered, so adding a work number is blocked for your security. "
        "Contact customer service."
    ),
    ErrorCode.BINDING_FRESH_LOGIN: _(
        "You already have a work number. To add another one, log out and log in again, then add it within 5 minutes."
    ),
    ErrorCode.RATE_LIMITED: _(
        "Too many attempts in a short time. For your security this is paused for a while: please try again later."
    ),
    ErrorCode.MANDATE_ILLEGAL_TRANSITION: _(
        "This step is not possible for a power of attorney in its current state. Reload the page to see its state."
    ),
    ErrorCode.MANDATE_DATES: _("The validity must start today or later and end on or after its first day."),
    ErrorCode.MANDATE_TERM_TOO_LONG: _("A power of attorney can be valid for at most %(months)s months."),
    ErrorCode.MANDATE_CONNECTIONS_REQUIRED: _("Choose at least one connection, or give rights to all connections."),
    ErrorCode.MANDATE_REASON_REQUIRED: _("Give the reason: it is kept in the history of the power of attorney."),
    ErrorCode.MANDATE_NO_DOCUMENT: _("A signed document must be attached first."),
    ErrorCode.MANDATE_FILE_TOO_LARGE: _("The file is too large: at most %(megabytes)s MB."),
    ErrorCode.MANDATE_FILE_TYPE: _(
        "This file is neither a PDF nor an eParaksts container (.edoc, .asice). Upload the signed document itself."
    ),
    ErrorCode.MANDATE_NOT_A_SIGNER: _(
        "Only the company's representatives in the Register of Enterprises can sign this power of attorney."
    ),
    ErrorCode.MANDATE_ALREADY_SIGNED: _(
        "You have signed this power of attorney already, or it needs no more signatures."
    ),
    ErrorCode.MANDATE_DOCUMENT_CHANGED: _(
        "The document changed while you were signing it, so your signature was not added. Open it again and sign."
    ),
    ErrorCode.UNAUTHENTICATED: _("Log in first: this needs a valid access token."),
    ErrorCode.INSUFFICIENT_SCOPE: _("This app was not given access to this. Log in again and allow it."),
    ErrorCode.INVALID_INPUT: _("This value is not valid here."),
    ErrorCode.OFFER_NOT_CLAIMABLE: _("This offer cannot be claimed on this connection."),
    ErrorCode.OFFER_OUT_OF_STOCK: _("Sorry, all of this offer has been claimed."),
    ErrorCode.OFFER_IMAGE_INVALID: _("The picture must be a JPEG, PNG or WebP image."),
    ErrorCode.OFFER_IMAGE_TOO_LARGE: _("The picture is too large: at most 2 MB and 4000 × 4000 pixels."),
    ErrorCode.CODE_POOL_DUPLICATES: _("No codes were added: some codes appear twice or already exist for this offer."),
    ErrorCode.CODE_POOL_EMPTY: _("No codes were added: the file holds no codes (one code per line)."),
    ErrorCode.CODE_POOL_BAD_CODE: _(
        "No codes were added: a code may have 4 to 64 letters, digits, hyphens or underscores."
    ),
    ErrorCode.BILLS_UNAVAILABLE: _("Bills are unavailable right now. Please try again later."),
    ErrorCode.SPEND_CAP_AMOUNT: _("The cap must be an amount in euros from 1 to 10000, with at most two decimals."),
    ErrorCode.SPEND_CAP_THRESHOLDS: _("Alert thresholds are up to three whole percentages from 1 to 100."),
    ErrorCode.SPEND_CAP_RECIPIENTS: _(
        "More recipients: at most three, each a Latvian mobile number or an e-mail address, one per line."
    ),
    ErrorCode.SPEND_CAP_AT_CAP: _("Choose what happens at 100 % of the cap: only tell, or bar chargeable services."),
    ErrorCode.SERVICE_UNAVAILABLE: _(
        "The portal cannot reach one of its services right now, so nothing was changed. Please try again in a minute."
    ),
    ErrorCode.USAGE_ROW_SHAPE: _("The row does not have the six fields of the usage format."),
    ErrorCode.USAGE_SOURCE_KEY: _("The event id is empty or longer than 200 characters."),
    ErrorCode.USAGE_SOURCE_KEY_CHARACTERS: _(
        "The event id contains a control character (such as NUL) or another character that cannot be printed."
    ),
    ErrorCode.USAGE_MSISDN: _("The number is not in E.164 form, for example +37125500001."),
    ErrorCode.USAGE_KIND: _("The type is not one of data, voice or sms."),
    ErrorCode.USAGE_ZONE: _("The zone is not one of domestic, eu or world."),
    ErrorCode.USAGE_STARTED_AT: _(
        "The start time is not an ISO 8601 time with its UTC offset, for example 2026-11-03T08:15:00+02:00."
    ),
    ErrorCode.USAGE_IN_FUTURE: _("The start time is in the future."),
    ErrorCode.USAGE_TOO_OLD: _("The start time is older than the usage kept (USAGE_EVENT_RETENTION_MONTHS)."),
    ErrorCode.USAGE_QUANTITY: _("The quantity is not a whole number from 0 to 10¹⁵."),
    ErrorCode.USAGE_COUNTRY: _("The country is not an ISO 3166-1 alpha-2 code, for example CH."),
    ErrorCode.USAGE_UNKNOWN_NUMBER: _("No live connection has this number."),
    ErrorCode.FEED_KEY_INVALID: _("The feed key is missing, unknown or revoked."),
    ErrorCode.FEED_BATCH_TOO_LARGE: _("The batch has too many events; send at most %(limit)s in one request."),
    ErrorCode.FEED_BODY_UNREADABLE: _("The body is not JSON in UTF-8."),
    ErrorCode.FEED_BODY_INVALID: _(
        'The body is not a batch of usage events: {"events": [...]}, each event an object. The field named is wrong.'
    ),
    ErrorCode.FEED_METHOD_NOT_ALLOWED: _("Only POST is answered here."),
}


def message(code: ErrorCode) -> str:
    return str(MESSAGES[code])
