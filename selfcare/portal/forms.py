from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from selfcare.errors import MESSAGES, ErrorCode
from selfcare.identifiers import PersonalCode, parse_msisdn
from selfcare.identifiers.msisdn import is_mobile
from selfcare.identifiers.personal_code import TYPING_HELP
from selfcare.mandates.models import MandateScope

# A bare code is Latvian; another country's is written with its country first. No numeric keyboard on phones, then:
# it could not type the letters.
_CODE_WIDGET_ATTRS = {"autocomplete": "off", "placeholder": "XXXXXX-XXXXX", "autocapitalize": "characters"}


class PersonalCodeForm(forms.Form):
    personal_code = forms.CharField(
        label=_("Personal code"),
        max_length=24,
        help_text=TYPING_HELP,
        widget=forms.TextInput(attrs=_CODE_WIDGET_ATTRS),
    )

    def clean_personal_code(self) -> PersonalCode:
        try:
            return PersonalCode.parse(self.cleaned_data["personal_code"])
        except ValidationError as error:
            raise ValidationError(error.messages, code=error.code) from None


class WorkNumberForm(forms.Form):
    """The number only as typed: services.binding_start parses it, so that the page and any API share one rule."""

    number = forms.CharField(
        label=_("Work phone number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "placeholder": "+371 2XXXXXXX"}),
    )


class OneTimeCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


ISO_DATE = "%Y-%m-%d"


class MandateForm(forms.Form):
    """A new power of attorney. Codes, dates and the term are checked again by services.mandate_create."""

    attorney_code = forms.CharField(
        label=_("Attorney's personal code"),
        max_length=24,
        help_text=TYPING_HELP,
        widget=forms.TextInput(attrs=_CODE_WIDGET_ATTRS),
    )
    attorney_name = forms.CharField(label=_("Attorney's name and surname"), max_length=200)
    scope = forms.ChoiceField(
        label=_("Connections"), choices=MandateScope.choices, initial=MandateScope.ALL, widget=forms.RadioSelect
    )
    numbers = forms.CharField(
        label=_("Numbers (only for selected connections)"),
        required=False,
        max_length=5000,
        help_text=_("Separate numbers with commas or new lines."),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "+371 2XXXXXXX, +371 2XXXXXXX"}),
    )
    # A date input takes only ISO dates, whatever the page's language (Russian's first input format is d.m.Y).
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("Valid until"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    attorney_phone = forms.CharField(
        label=_("Attorney's mobile number (for the activation SMS)"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    attorney_email = forms.EmailField(label=_("Attorney's e-mail (for the activation notice)"), required=False)

    def __init__(
        self, *args: Any, starts: datetime.date, latest_end: datetime.date, max_months: int, **kwargs: Any
    ) -> None:
        """`starts` and `latest_end` are the defaults a person most often wants: from today, for the longest term
        allowed (services.check_validity decides again what is allowed)."""
        super().__init__(*args, **kwargs)
        self.fields["valid_from"].initial = starts
        self.fields["valid_until"].initial = latest_end
        self.fields["valid_until"].help_text = ngettext(
            "At most %(months)s month after the first day.",
            "At most %(months)s months after the first day.",
            max_months,
        ) % {"months": max_months}

    def clean_attorney_code(self) -> str:
        """The code with its country (PNOLT-38507201238), which services.mandate_create reads again."""
        try:
            return PersonalCode.parse(self.cleaned_data["attorney_code"]).etsi
        except ValidationError as error:
            raise ValidationError(error.messages, code=error.code) from None

    def clean_attorney_phone(self) -> str:
        text = self.cleaned_data["attorney_phone"].strip()
        return parse_msisdn(text) if text else ""

    def clean_numbers(self) -> list[str]:
        parts = [p for p in re.split(r"[,;\n]+", self.cleaned_data["numbers"]) if p.strip()]
        return list(dict.fromkeys(parse_msisdn(p) for p in parts))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scope") == MandateScope.SELECTED and not data.get("numbers") and "numbers" not in self.errors:
            self.add_error("numbers", MESSAGES[ErrorCode.MANDATE_CONNECTIONS_REQUIRED])
        if data.get("scope") == MandateScope.ALL:
            data["numbers"] = []
        return data


class UploadForm(forms.Form):
    document = forms.FileField(
        label=_("Signed document (PDF or .edoc)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.edoc,.asice,application/pdf"}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class CosignerInviteForm(forms.Form):
    """A co-signer's number or e-mail address for the invitation to sign (at least one)."""

    phone = forms.CharField(label=_("Mobile number"), required=False, max_length=20)
    email = forms.EmailField(label=_("E-mail address"), required=False, max_length=254)

    def clean_phone(self) -> str:
        text = self.cleaned_data.get("phone", "").strip()
        if not text:
            return ""
        number = parse_msisdn(text)
        if not is_mobile(number):
            raise forms.ValidationError(_("Enter a mobile number."))
        return number

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not self.errors and not data.get("phone") and not data.get("email"):
            raise forms.ValidationError(_("Enter a mobile number or an e-mail address."))
        return data
