"""The new connection's contract as a PDF, in Latvian, English or Russian, for the customer to sign with eID.

fpdf2 writes it with the DejaVu Sans the mandates' form ships (the PDF core fonts cannot write Latvian or Cyrillic
letters). The wording is a contract text per language, so it is kept here rather than in the interface's message
catalogues (as the power of attorney's form does). The order's id is written into the PDF's keywords, so the signed
bytes say which order they belong to.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from fpdf import FPDF

from selfcare.identifiers import format_msisdn
from selfcare.identity.models import DigitalIdentity
from selfcare.mandates.form import FONTS, label_row
from selfcare.orders.models import NewConnectionOrder, NumberChoice, SimKind

LANGUAGES = ("lv", "en", "ru")

TEXT: dict[str, dict[str, str]] = {
    "lv": {
        "title": "ELEKTRONISKO SAKARU PAKALPOJUMU LĪGUMS",
        "subtitle": "jauns mobilā tīkla pieslēgums",
        "operator": "Operators",
        "customer": "Klients",
        "private": "privātpersona",
        "company": "uzņēmums",
        "signer": "Parakstītājs",
        "plan": "Tarifu plāns",
        "price": "Mēneša maksa",
        "with_vat": "EUR ar PVN",
        "without_vat": "EUR bez PVN",
        "term": "Minimālais termiņš",
        "no_term": "nav noteikts; līgumu var izbeigt jebkurā laikā",
        "months": "{months} mēneši",
        "number": "Numurs",
        "new_number": "{number} (jauns numurs)",
        "ported": "{number}, pārnests no {donor} {date}",
        "sim": "SIM karte",
        "sim_post": "pa pastu: {address}",
        "esim": "eSIM (aktivizācijas kods portālā)",
        "terms": "Klients apņemas maksāt mēneša maksu un patēriņu saskaņā ar operatora cenrādi. Rēķins tiek "
        "izrakstīts katru mēnesi. Operatora vispārīgie noteikumi ir šī līguma daļa.",
        "sign": "Klients paraksta līgumu ar drošu elektronisko parakstu pašapkalpošanās portālā.",
        "reference": "Pasūtījuma atsauce",
        "date": "Datums",
    },
    "en": {
        "title": "ELECTRONIC COMMUNICATIONS SERVICES CONTRACT",
        "subtitle": "a new mobile connection",
        "operator": "Operator",
        "customer": "Customer",
        "private": "private person",
        "company": "company",
        "signer": "Signed by",
        "plan": "Tariff plan",
        "price": "Monthly fee",
        "with_vat": "EUR incl. VAT",
        "without_vat": "EUR excl. VAT",
        "term": "Minimum term",
        "no_term": "none; the contract may be ended at any time",
        "months": "{months} months",
        "number": "Number",
        "new_number": "{number} (a new number)",
        "ported": "{number}, moved from {donor} on {date}",
        "sim": "SIM card",
        "sim_post": "by post: {address}",
        "esim": "eSIM (activation code in the portal)",
        "terms": "The customer pays the monthly fee and usage according to the operator's price list. A bill is "
        "issued every month. The operator's general terms are part of this contract.",
        "sign": "The customer signs this contract with a qualified electronic signature in the self-service portal.",
        "reference": "Order reference",
        "date": "Date",
    },
    "ru": {
        "title": "ДОГОВОР ОБ УСЛУГАХ ЭЛЕКТРОННОЙ СВЯЗИ",
        "subtitle": "новое подключение мобильной связи",
        "operator": "Оператор",
        "customer": "Клиент",
        "private": "частное лицо",
        "company": "предприятие",
        "signer": "Подписал",
        "plan": "Тарифный план",
        "price": "Ежемесячная плата",
        "with_vat": "EUR с НДС",
        "without_vat": "EUR без НДС",
        "term": "Минимальный срок",
        "no_term": "не установлен; договор можно расторгнуть в любое время",
        "months": "{months} мес.",
        "number": "Номер",
        "new_number": "{number} (новый номер)",
        "ported": "{number}, переносится от {donor} {date}",
        "sim": "SIM-карта",
        "sim_post": "по почте: {address}",
        "esim": "eSIM (код активации на портале)",
        "terms": "Клиент оплачивает ежемесячную плату и потребление по прейскуранту оператора. Счёт выставляется "
        "каждый месяц. Общие условия оператора являются частью этого договора.",
        "sign": "Клиент подписывает договор квалифицированной электронной подписью на портале самообслуживания.",
        "reference": "Номер заказа",
        "date": "Дата",
    },
}


def _money(amount: Decimal | None) -> str:
    return f"{amount or Decimal(0):.2f}".replace(".", ",")


def render_contract(order: NewConnectionOrder, identity: DigitalIdentity, language: str = "lv") -> bytes:
    """The contract as PDF bytes (language "lv", "en" or "ru"; anything else gives Latvian)."""
    text = TEXT.get(language, TEXT["lv"])
    brand = settings.BRAND
    pdf = FPDF(format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(text["title"])
    pdf.set_author(brand.operator)
    pdf.set_creator(brand.name)
    pdf.set_keywords(f"selfcare-new-connection {order.pk}")
    pdf.add_page()
    width = pdf.epw

    def row(label: str, value: str) -> None:
        label_row(pdf, label, value)

    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(width, 8, text["title"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(width, 6, text["subtitle"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    row(text["operator"], brand.operator)
    if order.company is not None:
        row(text["customer"], f"{order.company.name}, {order.company.registration_number} ({text['company']})")
    else:
        row(text["customer"], f"{identity.full_name} ({text['private']})")
    row(text["signer"], identity.full_name)
    row(text["plan"], order.plan_name)
    vat = text["with_vat"] if order.price_includes_vat else text["without_vat"]
    row(text["price"], f"{_money(order.monthly_price)} {vat}")
    term = text["months"].format(months=order.term_months) if order.term_months else text["no_term"]
    row(text["term"], term)
    shown = format_msisdn(order.msisdn) if order.msisdn else ""
    if order.number_choice == NumberChoice.PORT:
        date = order.porting_date.strftime("%d.%m.%Y") if order.porting_date else ""
        row(text["number"], text["ported"].format(number=shown, donor=order.donor_operator, date=date))
    else:
        row(text["number"], text["new_number"].format(number=shown))
    if order.sim_kind == SimKind.ESIM:
        row(text["sim"], text["esim"])
    else:
        address = ", ".join(
            str(order.delivery.get(k, ""))
            for k in ("deliveryRecipient", "deliveryStreet", "deliveryCity", "deliveryPostcode")
        )
        row(text["sim"], text["sim_post"].format(address=address))
    pdf.ln(4)
    pdf.multi_cell(width, 6, text["terms"], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.multi_cell(width, 6, text["sign"], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    row(text["reference"], str(order.pk))
    row(text["date"], timezone.localdate().strftime("%d.%m.%Y"))
    return bytes(pdf.output())
