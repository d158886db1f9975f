"""The "main user rights" power of attorney as a prefilled PDF, in Latvian or English, for the company's
representative to sign (qualified e-signature, or by hand).

fpdf2 writes it (pure Python, small); the text uses DejaVu Sans, shipped in `fonts/` with its licence, because
the PDF core fonts cannot write Latvian letters. The wording is a legal text per language, so it is kept here
rather than in the interface's message catalogues.

The mandate's reference is printed on the form and written into the PDF's keywords (plain ASCII in the document
information dictionary): validation looks for it in the signed bytes, so a signature on another mandate's form
does not verify this one.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from fpdf import FPDF

from selfcare.identifiers import PersonalCode, format_msisdn
from selfcare.mandates.models import Mandate, MandateScope

FONTS = Path(__file__).resolve().parent / "fonts"
LANGUAGES = ("lv", "en")

TEXT: dict[str, dict[str, str]] = {
    "lv": {
        "title": "PILNVARA",
        "subtitle": "galvenā lietotāja tiesību piešķiršanai pakalpojumu pašapkalpošanās portālā",
        "principal": "Pilnvaras devējs",
        "company": "Nosaukums",
        "registration": "Reģistrācijas numurs",
        "address": "Juridiskā adrese",
        "attorney": "Pilnvarnieks",
        "name": "Vārds, uzvārds",
        "code": "Personas kods",
        "grants": "{company} pilnvaro pilnvarnieku {operator} pašapkalpošanās portālā rīkoties uzņēmuma vārdā "
        "ar galvenā lietotāja tiesībām:",
        "scope": "Apjoms",
        "scope_all": "visi uzņēmuma pieslēgumi",
        "scope_selected": "tikai šie pieslēgumi: {numbers}",
        "validity": "Derīguma termiņš",
        "validity_value": "no {start} līdz {end} (ieskaitot)",
        "no_delegation": "Pilnvara nav nododama citai personai. Uzņēmuma pārstāvis to var atsaukt jebkurā laikā.",
        "sign": "Paraksta uzņēmuma pārstāvis(-ji) ar pārstāvības tiesībām (Uzņēmumu reģistra dati): ar drošu "
        "elektronisko parakstu (eParaksts, Smart-ID) vai ar roku.",
        "signature_line": "Vārds, uzvārds, amats, paraksts, datums",
        "reference": "Pilnvaras atsauce",
        "footer": "Parakstīto dokumentu augšupielādējiet portālā vai sūtiet uz {email}.",
    },
    "en": {
        "title": "POWER OF ATTORNEY",
        "subtitle": "granting main user rights in the self-service portal",
        "principal": "Principal",
        "company": "Name",
        "registration": "Registration number",
        "address": "Legal address",
        "attorney": "Attorney",
        "name": "Name, surname",
        "code": "Personal code",
        "grants": "{company} authorises the attorney to act for the company in the {operator} self-service "
        "portal with main user rights:",
        "scope": "Scope",
        "scope_all": "all of the company's connections",
        "scope_selected": "only these connections: {numbers}",
        "validity": "Valid",
        "validity_value": "from {start} to {end} (inclusive)",
        "no_delegation": "This power of attorney cannot be passed on. The company's representative may revoke it "
        "at any time.",
        "sign": "Signed by the company's representative(s) entitled to represent it (Register of Enterprises): with a "
        "qualified electronic signature (eParaksts, Smart-ID) or by hand.",
        "signature_line": "Name, surname, position, signature, date",
        "reference": "Reference",
        "footer": "Upload the signed document in the portal or send it to {email}.",
    },
}

RIGHTS_TEXT: dict[str, tuple[str, ...]] = {
    "lv": (
        "redzēt uzņēmuma pieslēgumus un to patēriņu;",
        "pārvaldīt darbinieku numuru piesaisti (apstiprināt un izbeigt).",
    ),
    "en": (
        "see the company's connections and their usage;",
        "manage employees' number bindings (confirm and end them).",
    ),
}


def label_row(pdf: FPDF, label: str, value: str) -> None:
    """One "label: value" line of a form or contract, the value in bold and wrapped in the rest of the width (the
    document's DejaVu fonts added)."""
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(55, 6, f"{label}:")
    pdf.set_font("DejaVu", "B", 10)
    pdf.multi_cell(pdf.epw - 55, 6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)


def filename(mandate: Mandate, language: str) -> str:
    prefix = "pilnvara" if language == "lv" else "power-of-attorney"
    return f"{prefix}-{mandate.company.registration_number}-{str(mandate.reference)[:8]}.pdf"


def render_form(mandate: Mandate, language: str = "lv") -> bytes:
    """The prefilled form as PDF bytes (language "lv" or "en"; anything else gives Latvian)."""
    text = TEXT.get(language, TEXT["lv"])
    brand = settings.BRAND
    company = mandate.company
    pdf = FPDF(format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"{text['title']} — {company.name}")
    pdf.set_author(brand.operator)
    pdf.set_creator(brand.name)
    pdf.set_keywords(f"selfcare-mandate {mandate.reference}")
    pdf.add_page()
    width = pdf.epw

    def heading(value: str) -> None:
        pdf.ln(4)
        pdf.set_font("DejaVu", "B", 11)
        pdf.multi_cell(width, 6, value, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)

    def row(label: str, value: str) -> None:
        label_row(pdf, label, value)

    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(width, 9, text["title"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(width, 6, text["subtitle"], align="C", new_x="LMARGIN", new_y="NEXT")

    heading(text["principal"])
    row(text["company"], company.name)
    row(text["registration"], company.registration_number)
    if company.legal_address:
        row(text["address"], company.legal_address)

    heading(text["attorney"])
    row(text["name"], mandate.attorney_name)
    row(text["code"], PersonalCode(mandate.attorney_country, mandate.attorney_code).display)

    pdf.ln(4)
    pdf.multi_cell(
        width, 6, text["grants"].format(company=company.name, operator=brand.operator), new_x="LMARGIN", new_y="NEXT"
    )
    for item in RIGHTS_TEXT.get(language, RIGHTS_TEXT["lv"]):
        pdf.multi_cell(width, 6, f"  •  {item}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    if mandate.scope == MandateScope.SELECTED:
        numbers = ", ".join(format_msisdn(c.msisdn) for c in mandate.connections.order_by("msisdn"))
        row(text["scope"], text["scope_selected"].format(numbers=numbers))
    else:
        row(text["scope"], text["scope_all"])
    row(
        text["validity"],
        text["validity_value"].format(
            start=mandate.valid_from.strftime("%d.%m.%Y"), end=mandate.valid_until.strftime("%d.%m.%Y")
        ),
    )
    pdf.ln(2)
    pdf.multi_cell(width, 6, text["no_delegation"], new_x="LMARGIN", new_y="NEXT")

    heading(text["sign"])
    for _ in range(2):
        pdf.ln(12)
        pdf.cell(width, 0, "", border="T", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 8)
        pdf.cell(width, 5, text["signature_line"], new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)

    pdf.ln(8)
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(width, 5, f"{text['reference']}: {mandate.reference}", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(width, 5, text["footer"].format(email=brand.business_email), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
