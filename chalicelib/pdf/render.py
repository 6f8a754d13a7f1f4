"""Documents as PDF: the clinic's header, a Cyrillic font embedded and subset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

FONTS = Path(__file__).resolve().parent.parent / "data" / "fonts"
FONT = "DejaVu"


def new_document(title: str, clinic_name: str, clinic_address: str) -> Any:
    from fpdf import FPDF  # heavy (fpdf2): only a PDF copy or a conclusion needs it

    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_author(clinic_name)
    pdf.set_creator("Центр телемедицины")
    pdf.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    pdf.set_font(FONT, "B", 12)
    pdf.set_text_color(11, 92, 171)
    pdf.cell(0, 6, "Центр телемедицины", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(87, 96, 106)
    pdf.cell(0, 5, f"{clinic_name}, {clinic_address}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(11, 92, 171)
    pdf.set_line_width(0.6)
    pdf.line(pdf.l_margin, pdf.get_y() + 1.5, pdf.w - pdf.r_margin, pdf.get_y() + 1.5)
    pdf.ln(5)
    pdf.set_text_color(27, 31, 36)
    pdf.set_font(FONT, "", 10)
    return pdf


def html_block(pdf: Any, html: str) -> None:
    pdf.set_font(FONT, "", 10)
    pdf.write_html(html, font_family=FONT, tag_styles=_tag_styles())


def _tag_styles() -> dict[str, Any]:
    from fpdf.fonts import FontFace  # heavy (fpdf2), as above

    return {
        "h1": FontFace(family=FONT, emphasis="BOLD", size_pt=14),
        "h2": FontFace(family=FONT, emphasis="BOLD", size_pt=11),
    }


def info_box(pdf: Any, lines: list[str]) -> None:
    pdf.ln(4)
    pdf.set_fill_color(246, 248, 250)
    pdf.set_font(FONT, "", 8.5)
    pdf.multi_cell(0, 4.6, "\n".join(lines), border=1, fill=True, padding=2, new_x="LMARGIN", new_y="NEXT")


def to_bytes(pdf: Any) -> bytes:
    return bytes(pdf.output())
