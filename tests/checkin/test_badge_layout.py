"""Badges laid out in boxes that cannot overlap (issue 20, point 1): read back from the
PDF itself, where every character is, and every QR code on the rendered sheet read by
a barcode reader."""

import io
from pathlib import Path

import pdfplumber
import pypdfium2
import pytest
import zxingcpp
from reportlab.lib.units import mm

from checkin.badges import CODE_BOX, ELLIPSIS, QR_BOX, SHEET, badge_pdf
from checkin.codes import check_in_code
from symposium.enums import Sector
from tests.factories import DelegateFactory, EventFactory

pytestmark = pytest.mark.django_db

CJK_FONT = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
EAST_KENT = "East Kent Hospitals University NHS Foundation Trust"
KENT_MEDWAY = "Kent and Medway Mental Health NHS Trust (Kent and Medway Partnership)"
WORST = [
    ("Maximilian-Alexander", "Featherstonehaugh-Worthington", EAST_KENT, Sector.NHS),
    ("Zoë-Émilie", "Ångström de la Fontaine", KENT_MEDWAY, Sector.NHS),
    (
        "Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaft",
        "Jr",
        "Medway Council",
        Sector.COUNCIL,
    ),
    ("Siobhán", "Ó Briain", "Kent Police", Sector.POLICE),
    (
        "美咲",
        "山田",
        "国立国際医療研究センター病院と東ケント病院の長い名前の共同研究",
        Sector.OTHER,
    ),
    ("محمد", "عبد الرحمن", "مستشفى كينت الجامعي للرعاية الصحية والأبحاث الطبية", Sector.VCSE),
    ("שרה", "כהן-לוי", "המרכז הרפואי של קנט ומדוויי לבריאות הנפש", Sector.VCSE),
    ("Ana", "Able", "Kent and Medway Integrated Care Board " * 4, Sector.NHS),
    ("Bo", "Li", "A", Sector.HOUSING),
]


@pytest.fixture
def worst_case_pdf(settings):
    assert CJK_FONT.is_file(), "apt-get install fonts-droid-fallback (.ci/run does)"
    settings.BADGE_FONT = str(CJK_FONT)
    event = EventFactory()
    delegates = [
        DelegateFactory(event=event, first_name=f, last_name=la, organisation=o, sector=s)
        for f, la, o, s in WORST
    ]
    return badge_pdf(event=event, delegates=delegates), delegates


def label_boxes(index):
    """(label, QR box, code box) of the index-th badge, in PDF points."""
    x, y = SHEET.origin(index % SHEET.per_page)
    label = (x, y, x + SHEET.label_width, y + SHEET.label_height)
    qr = (x + QR_BOX.x, y + QR_BOX.y, x + QR_BOX.x + QR_BOX.width, y + QR_BOX.y + QR_BOX.height)
    code = (
        x + CODE_BOX.x,
        y + CODE_BOX.y,
        x + CODE_BOX.x + CODE_BOX.width,
        y + CODE_BOX.y + CODE_BOX.height,
    )
    return label, qr, code


def intersects(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(a, b, slack=0.5):
    return (
        a[0] >= b[0] - slack
        and a[1] >= b[1] - slack
        and a[2] <= b[2] + slack
        and a[3] <= b[3] + slack
    )


def chars_by_badge(content):
    """Per page, per badge slot: the characters drawn, with their boxes in PDF points."""
    pages = []
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        for page in pdf.pages:
            slots = {n: [] for n in range(SHEET.per_page)}
            for char in page.chars:
                box = (
                    char["x0"],
                    page.height - char["bottom"],
                    char["x1"],
                    page.height - char["top"],
                )
                centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
                for n in range(SHEET.per_page):
                    label = label_boxes(n)[0]
                    if label[0] <= centre[0] <= label[2] and label[1] <= centre[1] <= label[3]:
                        slots[n].append({**char, "box": box})
                        break
                else:
                    raise AssertionError(f"{char['text']!r} at {box} is on no label")
            pages.append(slots)
    return pages


def name_chars(chars, index):
    """The name's characters: bold, above the sector's band."""
    band_top = label_boxes(index)[0][1] + 10 * mm
    return [c for c in chars if "Bold" in c["fontname"] and c["box"][1] > band_top]


def organisation_chars(chars, index):
    """The organisation's characters: regular, above the QR code's bottom, no spaces."""
    floor = label_boxes(index)[1][1]
    return [
        c for c in chars if "Bold" not in c["fontname"] and c["box"][1] > floor and c["text"] != " "
    ]


def test_no_text_touches_the_qr_code_or_leaves_its_label(worst_case_pdf):
    content, delegates = worst_case_pdf
    pages = chars_by_badge(content)
    for index, delegate in enumerate(delegates):
        chars = pages[index // SHEET.per_page][index % SHEET.per_page]
        label, qr, code = label_boxes(index)
        assert chars, delegate
        for char in chars:
            assert not intersects(char["box"], qr), (
                delegate.full_name,
                char["text"],
                char["box"],
                qr,
            )
            assert inside(char["box"], label), (delegate.full_name, char["text"])
        code_chars = [c for c in chars if inside(c["box"], code, slack=1)]
        assert "".join(c["text"] for c in code_chars) == check_in_code(delegate)


def test_both_parts_of_a_name_at_one_size_and_long_organisations_wrap_then_shrink_then_cut(
    worst_case_pdf,
):
    content, delegates = worst_case_pdf
    pages = chars_by_badge(content)
    for index, delegate in enumerate(delegates[:4]):
        name = name_chars(pages[0][index], index)
        shown = "".join(c["text"] for c in name).replace(" ", "")
        whole = (delegate.first_name + delegate.last_name).replace(" ", "")
        # Whole, or at the smallest size cut with an ellipsis (a 29-letter surname).
        assert shown == whole or (ELLIPSIS in shown and whole.startswith(shown.split(ELLIPSIS)[0]))
        assert len({c["size"] for c in name}) == 1
        assert name[0]["size"] >= 8
        assert len({round(c["box"][1]) for c in name}) <= 2
    # The two NHS trusts: whole, on at most two lines, at 7 pt or more.
    for index in (0, 1):
        text = organisation_chars(pages[0][index], index)
        shown = "".join(c["text"] for c in text)
        assert shown == delegates[index].organisation.replace(" ", "")
        assert len({c["size"] for c in text}) == 1
        assert 7 <= text[0]["size"] <= 10
        assert len({round(c["box"][1]) for c in text}) == 2
    # Four times a long name: two lines at 7 pt, cut with an ellipsis.
    small = organisation_chars(pages[0][7], 7)
    assert {c["size"] for c in small} == {7}
    assert "".join(c["text"] for c in small).endswith(ELLIPSIS)
    assert len({round(c["box"][1]) for c in small}) == 2


def test_cjk_names_are_set_in_badge_font_and_right_to_left_names_in_visual_order(
    worst_case_pdf,
):
    content, _ = worst_case_pdf
    pages = chars_by_badge(content)
    cjk = pages[0][4]
    assert {c["fontname"].split("+")[-1] for c in cjk if c["text"] in "美咲山田"} == {
        "DroidSansFallback"
    }
    # Each line in visual order: the logical text read from the right.
    lines = {}
    for char in name_chars(pages[0][5], 5):
        lines.setdefault(round(char["box"][1]), []).append(char["text"])
    logical = [
        "".join(reversed("".join(text))).strip() for _, text in sorted(lines.items(), reverse=True)
    ]
    assert " ".join(logical) == "محمد عبد الرحمن"


def test_every_qr_code_on_a_rendered_sheet_reads_as_its_code(worst_case_pdf):
    content, delegates = worst_case_pdf
    codes = [check_in_code(delegate) for delegate in delegates]
    pdf = pypdfium2.PdfDocument(content)
    found = []
    for number in range(len(pdf)):
        image = pdf[number].render(scale=200 / 72).to_pil()  # 200 dpi, as a desk printer
        on_page = codes[number * SHEET.per_page : (number + 1) * SHEET.per_page]
        read = [barcode.text for barcode in zxingcpp.read_barcodes(image)]
        assert sorted(read) == sorted(on_page), (number, read)
        found += read
    assert sorted(found) == sorted(codes)
