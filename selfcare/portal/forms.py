from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from selfcare.identifiers import PersonalCode


class PersonalCodeForm(forms.Form):
    personal_code = forms.CharField(
        label=_("Personal code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "placeholder": "XXXXXX-XXXXX"}),
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
