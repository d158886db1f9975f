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
