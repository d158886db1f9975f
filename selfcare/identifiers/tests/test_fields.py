"""Every model form (the back office's admin forms included) takes identifiers as people type them."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models
from django.forms import ModelForm, modelform_factory

from selfcare.identifiers.fields import (
    MsisdnField,
    PersonalCodeField,
    RegistrationNumberField,
    VatNumberField,
    _NormalisingCharField,
)

TYPED = {
    PersonalCodeField: ("325791-04511", "325791 04511", "PNOLV-325791-04511", " 32579104511 "),
    MsisdnField: ("+371 25 500 001", "25500001", "00371 25500001"),
    RegistrationNumberField: ("LV40003245752", "40003245752"),
    VatNumberField: ("LV 40003245752", "LV40003245752"),
}
STORED = {
    PersonalCodeField: "32579104511",
    MsisdnField: "+37125500001",
    RegistrationNumberField: "40003245752",
    VatNumberField: "LV40003245752",
}

pytestmark = pytest.mark.django_db

IDENTIFIER_FIELDS = [
    (model, field)
    for model in apps.get_models()
    for field in model._meta.get_fields()
    if isinstance(field, _NormalisingCharField)
]


def test_the_project_has_identifier_fields_to_check() -> None:
    assert {type(field) for _, field in IDENTIFIER_FIELDS} == set(TYPED)


@pytest.mark.parametrize(
    ("model", "field"), IDENTIFIER_FIELDS, ids=lambda x: getattr(x, "__name__", getattr(x, "name", ""))
)
def test_a_model_form_field_accepts_the_typed_forms_and_cleans_them_to_the_stored_one(
    model: type[models.Model], field: _NormalisingCharField
) -> None:
    form_class: type[ModelForm[models.Model]] = modelform_factory(model, fields=[field.name])
    for typed in TYPED[type(field)]:
        form = form_class(data={field.name: typed})
        form.is_valid()
        assert field.name not in form.errors, (typed, form.errors)
        assert form.cleaned_data[field.name] == STORED[type(field)]


@pytest.mark.parametrize(
    ("model", "field"), IDENTIFIER_FIELDS, ids=lambda x: getattr(x, "__name__", getattr(x, "name", ""))
)
def test_a_model_form_field_lets_the_browser_take_the_typed_form(
    model: type[models.Model], field: _NormalisingCharField
) -> None:
    form_class: type[ModelForm[models.Model]] = modelform_factory(model, fields=[field.name])
    html = str(form_class()[field.name])
    assert 'maxlength="32"' in html


def test_a_model_form_still_refuses_an_invalid_personal_code_at_the_field() -> None:
    model = apps.get_model("customers", "CustomerAccount")
    form = modelform_factory(model, fields=["holder_personal_code"])(data={"holder_personal_code": "325791-0451"})
    assert not form.is_valid()
    assert "holder_personal_code" in form.errors
