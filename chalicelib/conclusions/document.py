"""The conclusion as a PDF: the clinic's header, patient, doctor, time, the text, and the signature block."""

from __future__ import annotations

import io

from chalicelib.i18n import t
from chalicelib.pdf import render as pdf

SECTIONS = ("complaints", "anamnesis", "examination", "conclusion", "recommendations")


def render(
    *,
    clinic_name: str,
    clinic_address: str,
    booking_id: str,
    patient: dict[str, str],
    doctor: dict[str, str],
    consultation_time: str,
    sections: dict[str, str],
    signer: dict[str, str],
    verify_url: str,
) -> bytes:
    import segno  # heavy: only a signed conclusion carries its QR code

    document = pdf.new_document(t("conclusion.title"), clinic_name, clinic_address)
    document.set_subject(f"booking:{booking_id}")
    document.set_keywords("telemedicine conclusion")
    document.set_font(pdf.FONT, "B", 14)
    document.cell(0, 8, t("conclusion.title"), new_x="LMARGIN", new_y="NEXT")
    document.set_font(pdf.FONT, "", 9.5)
    document.cell(0, 5, t("conclusion.kind"), new_x="LMARGIN", new_y="NEXT")
    document.ln(2)
    rows = [
        (t("conclusion.patient"), f"{patient['full_name']}, {patient['birth_date']}"),
        (t("conclusion.card"), patient["card_number"]),
        (t("conclusion.doctor"), f"{doctor['full_name']} ({doctor['specialty']})"),
        (t("conclusion.time"), consultation_time),
    ]
    for label, value in rows:
        document.set_font(pdf.FONT, "B", 10)
        document.cell(45, 6, label)
        document.set_font(pdf.FONT, "", 10)
        document.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    for name in SECTIONS:
        text = (sections.get(name) or "").strip()
        if not text:
            continue
        document.ln(2)
        document.set_font(pdf.FONT, "B", 11)
        document.cell(0, 7, t(f"conclusion.sections.{name}"), new_x="LMARGIN", new_y="NEXT")
        document.set_font(pdf.FONT, "", 10)
        document.multi_cell(0, 5.2, text, new_x="LMARGIN", new_y="NEXT")
    # The visible signature block: who, when, which certificate, how to verify.
    document.ln(6)
    top = document.get_y()
    if top > document.h - 60:
        document.add_page()
        top = document.get_y()
    qr = io.BytesIO()
    segno.make(verify_url, error="m").save(qr, kind="png", scale=4, border=1)
    qr.seek(0)
    width = document.w - document.l_margin - document.r_margin
    document.set_xy(document.l_margin + 3, top + 3)
    document.set_font(pdf.FONT, "B", 10)
    document.cell(width - 40, 5, t("conclusion.signed_title"), new_x="LMARGIN", new_y="NEXT")
    document.set_font(pdf.FONT, "", 8.5)
    for line in (
        t("conclusion.signed_by", name=signer["name"]),
        t("conclusion.signed_at", when=signer["when"]),
        signer["certificate"],
        t("conclusion.how_to_verify", url=verify_url),
    ):
        # Left-aligned, ragged right: a justified line of a certificate number or an address stretches apart.
        document.set_x(document.l_margin + 3)
        document.multi_cell(width - 42, 4.4, line, align="L", new_x="LMARGIN", new_y="NEXT")
    # The frame holds the text and the QR code, however many lines the text took.
    document.set_draw_color(11, 92, 171)
    document.set_line_width(0.4)
    document.rect(document.l_margin, top, width, max(38, document.get_y() - top + 3))
    document.image(qr, x=document.w - document.r_margin - 34, y=top + 2, w=32, h=32)
    return pdf.to_bytes(document)
