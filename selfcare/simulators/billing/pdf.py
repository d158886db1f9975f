"""The simulator's bill as a PDF: the lines (plans), the total, VAT 21 %, and how to pay (IBAN, reference)."""

from __future__ import annotations

from decimal import Decimal

from fpdf import FPDF

from selfcare.mandates.form import FONTS
from selfcare.simulators.billing.bills import BENEFICIARY, IBAN, SimBill


def _eur(value: Decimal) -> str:
    return f"{value:,.2f} EUR".replace(",", " ")


_KINDS = {"plan": "abonēšanas maksa / plan", "pack": "papildpaka / pack", "usage": "ārpus paketes / beyond the bundle"}


def render_bill(bill: SimBill) -> bytes:
    account = bill.account
    pdf = FPDF(format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"Rēķins / Invoice {bill.bill_no}")
    pdf.set_author(BENEFICIARY)
    pdf.add_page()
    width = pdf.epw
    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(width, 10, f"Rēķins / Invoice Nr. {bill.bill_no}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    holder = account.company.name if account.company is not None else account.holder_name
    for label, value in (
        ("Klients / Customer", holder),
        ("Konts / Account", account.account_number),
        ("Periods / Period", f"{bill.period_start:%d.%m.%Y} – {bill.period_end:%d.%m.%Y}"),
        ("Datums / Date", f"{bill.bill_date:%d.%m.%Y}"),
        ("Apmaksāt līdz / Due", f"{bill.due:%d.%m.%Y}"),
    ):
        pdf.cell(60, 6, label)
        pdf.cell(width - 60, 6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 10)
    columns = (95, 20, 25, 30)
    for heading, size in zip(("Pakalpojums / Service", "Skaits", "Cena", "Summa"), columns, strict=True):
        pdf.cell(size, 7, heading, border="B")
    pdf.ln()
    pdf.set_font("DejaVu", "", 10)
    for line in bill.lines:
        pdf.cell(columns[0], 6, f"{line.text} ({_KINDS[line.kind]})")
        pdf.cell(columns[1], 6, str(line.quantity), align="R")
        pdf.cell(columns[2], 6, _eur(line.unit_price), align="R")
        pdf.cell(columns[3], 6, _eur(line.amount), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for label, amount, bold in (
        ("Kopā bez PVN / Total excl. VAT", bill.net, False),
        ("PVN / VAT 21 %", bill.vat, False),
        ("Kopā apmaksai / Total due", bill.total, True),
    ):
        pdf.set_font("DejaVu", "B" if bold else "", 10)
        pdf.cell(width - 30, 6, label, align="R")
        pdf.cell(30, 6, _eur(amount), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(width, 6, "Maksājuma rekvizīti / Payment details", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    for label, value in (
        ("Saņēmējs / Beneficiary", BENEFICIARY),
        ("IBAN", IBAN),
        ("Atsauce / Reference", bill.bill_no),
    ):
        pdf.cell(60, 6, label)
        pdf.cell(width - 60, 6, value, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
