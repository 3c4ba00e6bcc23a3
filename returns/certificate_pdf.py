"""The destruction certificate as a PDF, for the seller to file and forward.

Made with fpdf2 (pure Python, from PyPI) and uharfbuzz for text shaping, so
Thai vowels and tone marks sit where they belong. Shop names and contents may
be Thai, Chinese or Vietnamese: each piece of text is set in the Noto font that
has its script — Noto Sans (Latin, Vietnamese), Noto Sans Thai or Noto Sans SC,
each of which also has the Latin letters and digits — vendored with their
licences (OFL) in returns/fonts/; only the glyphs used are embedded. (fpdf2's own
fallback fonts drop the Latin text after a fallback in 2.8.9, so the font is
chosen here, per piece.) A single piece mixing Thai and Chinese is set in Noto
Sans SC, which has no Thai.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext

from portal.formatting import local_datetime
from returns import certificates
from returns.models import FailedPackage

if TYPE_CHECKING:
    from fpdf import FPDF

FONTS = Path(__file__).resolve().parent / "fonts"
BASE_FONT = ("NotoSans", "NotoSans-Regular.ttf")  # Latin, Vietnamese, Malay, Indonesian
# Each script's font with the test for the text that needs it, the first that matches
# wins. Noto Sans SC is 10 MB, read in most of a second: loaded only when needed.
SCRIPT_FONTS = [
    ("NotoSansSC", "NotoSansSC-Regular.ttf", lambda ch: ch >= "\u2e80"),
    ("NotoSansThai", "NotoSansThai-Regular.ttf", lambda ch: "\u0e00" <= ch <= "\u0e7f"),
]
LABEL_WIDTH = 52  # mm
LINE = 7  # mm
QUIET = (90, 90, 90)
INK = (20, 20, 20)


@dataclass
class Section:
    heading: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""


def _sections(package: FailedPackage) -> list[Section]:
    provider, seller = package.provider, package.seller
    destroyed_at = package.destroyed_at
    if destroyed_at is None:
        # A destroyed package always has the moment (a check constraint on FailedPackage).
        raise ValueError("Only a destroyed package has a certificate.")
    destruction = Section("")
    destruction.rows += [
        (gettext("Reference"), package.destruction_reference),
        (gettext("Destroyed on"), local_datetime(destroyed_at, seller.time_zone)),
        (gettext("Method"), package.get_destruction_method_display()),
    ]
    batch = certificates.batch_of(package)
    if batch:
        destruction.rows.append((gettext("Batch"), batch))
    destruction.rows.append(
        (gettext("Destroyed by"), f"{provider.name}\n{provider.warehouse_address}")
    )

    contents = Section(gettext("Package"))
    contents.rows += [
        (gettext("Tracking number"), package.tracking_number),
        (gettext("Order id"), package.order_id),
    ]
    if package.return_id:
        contents.rows.append((gettext("Return id"), package.return_id))
    if package.description:
        contents.rows.append((gettext("Contents"), package.description))
    contents.rows.append((gettext("Seller"), f"{seller.name} ({seller.shop_code})"))
    if package.reason:
        contents.rows.append((gettext("Why"), package.get_reason_display()))
    sections = [destruction, contents]

    if package.certificate_code:  # every certificate has one since migration 0019
        check = gettext(
            "Anyone holding this certificate can confirm it at %(url)s: the page shows the "
            "reference, date, method, batch and provider, and nothing about the seller or "
            "the package's contents."
        )
        sections.append(
            Section(
                gettext("Verification"),
                [(gettext("Verification code"), package.certificate_code)],
                note=check % {"url": certificates.verify_url(package)},
            )
        )
    return sections


def _family(text: str) -> str:
    for family, _, needs in SCRIPT_FONTS:
        if any(map(needs, text)):
            return family
    return BASE_FONT[0]


def _document(title: str, text: str) -> FPDF:
    """An A4 page with the fonts of the scripts in `text`."""
    # Imported when a certificate is made, not with the views: fpdf2 with fontTools and
    # Pillow adds 40 MB to every web worker that would otherwise never make a PDF.
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator(gettext("Returns portal"))
    pdf.set_margins(20, 20, 20)
    pdf.add_font(BASE_FONT[0], fname=str(FONTS / BASE_FONT[1]))
    for family, name, needs in SCRIPT_FONTS:
        if any(map(needs, text)):
            pdf.add_font(family, fname=str(FONTS / name))
    pdf.set_text_shaping(True)
    pdf.add_page()
    return pdf


def _cell(pdf: FPDF, width: float, height: float, text: str, size: int, **line: Any) -> None:
    pdf.set_font(_family(text), size=size)
    pdf.cell(width, height, text, **line)


def _lines(pdf: FPDF, text: str, size: int = 11) -> None:
    pdf.set_font(_family(text), size=size)
    pdf.multi_cell(0, LINE, text, align="L", new_x="LMARGIN", new_y="NEXT")


def document(package: FailedPackage) -> FPDF:
    """The certificate of a destroyed package, in the active language."""
    title = gettext("Certificate of destruction")
    issued = gettext("Issued by the returns portal on behalf of %(provider)s") % {
        "provider": package.provider.name
    }
    sections = _sections(package)
    words = [title, issued] + [
        piece for s in sections for piece in (s.heading, s.note, *sum(s.rows, ()))
    ]
    pdf = _document(title, "".join(words))
    if package.certificate_code:
        # Readable by a machine without a text extractor: the code the paper carries.
        pdf.set_keywords(package.certificate_code)
    _cell(pdf, 0, 12, title, 20, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*QUIET)
    _lines(pdf, issued)
    for section in sections:
        pdf.ln(4)
        if section.heading:
            pdf.set_text_color(*INK)
            _cell(pdf, 0, LINE + 2, section.heading, 13, new_x="LMARGIN", new_y="NEXT")
        for label, value in section.rows:
            pdf.set_text_color(*QUIET)
            _cell(pdf, LABEL_WIDTH, LINE, label, 11)
            pdf.set_text_color(*INK)
            _lines(pdf, value)
        if section.note:
            pdf.set_text_color(*QUIET)
            _lines(pdf, section.note)
    return pdf


def render(package: FailedPackage) -> bytes:
    return bytes(document(package).output())
