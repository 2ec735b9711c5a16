"""Name badges: a PDF of A4 label sheets whose text holds every name as written."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from checkin.badges import SHEET, badge_delegates, badge_pdf
from checkin.codes import check_in_code
from checkin.models import BadgePrint
from symposium.enums import RegistrationStatus, Sector
from tests.checkin.helpers import desk_url
from tests.factories import (
    BreakoutChoiceFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    EventFactory,
    ThemeFactory,
)
from tests.helpers import staff_user

pytestmark = pytest.mark.django_db

NAMES = [
    ("Zoë", "Ångström", "Médecins du Monde", Sector.VCSE),
    ("Дмитрий", "Смирнов", "Kent Police", Sector.POLICE),
    ("Ελένη", "Παπαδοπούλου", "Medway NHS Foundation Trust", Sector.NHS),
    ("Siobhán", "Ó Briain", "Kent County Council", Sector.COUNCIL),
]


def pdf_text(content: bytes) -> list[str]:
    """Each page's text, lines joined: names and organisations may wrap."""
    pages = PdfReader(io.BytesIO(content)).pages
    return [" ".join(page.extract_text().split()) for page in pages]


@pytest.fixture
def badge_client(client):
    client.force_login(staff_user(groups=["Event staff"]))
    return client


def test_the_badges_pdf_holds_accented_and_non_latin_names(badge_client):
    event = EventFactory()
    delegates = [
        DelegateFactory(event=event, first_name=f, last_name=la, organisation=o, sector=s)
        for f, la, o, s in NAMES
    ]
    response = badge_client.get(desk_url(event, "badges"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    [text] = pdf_text(response.content)
    for first, last, organisation, _ in NAMES:
        assert first in text
        assert last in text
        assert organisation in text
    for label in ["VCSE", "Police", "NHS", "Local council"]:
        assert label in text
    for delegate in delegates:
        assert check_in_code(delegate) in text
    fonts = PdfReader(io.BytesIO(response.content)).pages[0]["/Resources"]["/Font"]
    embedded = {str(font.get_object()["/BaseFont"]) for font in fonts.values()}
    assert any("DejaVuSans" in name for name in embedded), embedded


def test_eight_badges_to_a_sheet(db):
    event = EventFactory()
    delegates = DelegateFactory.create_batch(SHEET.per_page + 1, event=event)
    pages = pdf_text(badge_pdf(event=event, delegates=delegates))
    assert SHEET.per_page == 8
    assert len(pages) == 2
    assert pages[1].count(delegates[0].first_name) == 1


def test_every_label_fits_on_an_a4_page():
    for index in range(SHEET.per_page):
        x, y = SHEET.origin(index)
        assert x >= 0
        assert y >= 0
        assert x + SHEET.label_width <= 595.28
        assert y + SHEET.label_height <= 841.9


def test_only_confirmed_delegates_get_badges(badge_client):
    event = EventFactory()
    DelegateFactory(event=event, last_name="Waiting", status=RegistrationStatus.WAITLISTED)
    DelegateFactory(event=event, last_name="Here")
    [text] = pdf_text(badge_client.get(desk_url(event, "badges")).content)
    assert "Here" in text
    assert "Waiting" not in text


def test_one_session_one_delegate_or_those_added_since_the_last_print(badge_client):
    event = EventFactory()
    session = BreakoutSessionFactory(theme=ThemeFactory(event=event))
    in_session = BreakoutChoiceFactory(session=session, delegate__last_name="Insession").delegate
    other = DelegateFactory(event=event, last_name="Elsewhere")
    [text] = pdf_text(
        badge_client.get(desk_url(event, "badges", scope="session", session=session.pk)).content
    )
    assert "Insession" in text
    assert "Elsewhere" not in text
    [text] = pdf_text(
        badge_client.get(desk_url(event, "badges", scope="delegate", delegate=other.pk)).content
    )
    assert "Elsewhere" in text
    assert "Insession" not in text

    badge_client.get(desk_url(event, "badges"))
    assert BadgePrint.objects.get(event=event).count == 2
    late = DelegateFactory(event=event, last_name="Latecomer")
    late.created_at = timezone.now() + dt.timedelta(seconds=1)
    late.save()
    [text] = pdf_text(badge_client.get(desk_url(event, "badges", scope="new")).content)
    assert "Latecomer" in text
    assert "Insession" not in text
    assert "Elsewhere" not in text
    assert in_session.pk != late.pk


def test_a_scope_without_its_session_is_a_bad_request(badge_client):
    event = EventFactory()
    assert badge_client.get(desk_url(event, "badges", scope="session")).status_code == 400


def test_before_any_print_new_means_everyone(db):
    event = EventFactory()
    DelegateFactory.create_batch(2, event=event)
    assert len(badge_delegates(event=event, scope="new")) == 2
