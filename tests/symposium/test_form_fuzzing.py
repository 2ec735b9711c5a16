"""Whatever is posted to the registration and manage forms, the answer is a page with
errors or a redirect, never a 500, and the database keeps only valid rows."""

from urllib.parse import quote

import pytest
from django.db.models import Count, F, Q
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutSession
from symposium.enums import DietaryRequirement, Sector
from symposium.models import Delegate, DelegateNeeds
from symposium.tokens import make_manage_token
from tests.factories import BreakoutSessionFactory, DelegateFactory, EventFactory, ThemeFactory

pytestmark = pytest.mark.django_db

FIELDS = [
    "first_name",
    "last_name",
    "email",
    "organisation",
    "sector",
    "job_title",
    "privacy_consent",
    "needs_consent",
    "dietary_requirement",
    "dietary_details",
    "access_needs",
]

# Plausible values mixed with hostile ones: any unicode (NUL, control characters,
# right-to-left marks), far too long, and the valid choices so some posts get through.
VALUES = st.one_of(
    st.text(max_size=40),
    st.text(min_size=201, max_size=600),
    st.emails().map(str),
    st.sampled_from(
        [*Sector.values, *DietaryRequirement.values, "on", "", "\x00", "ö'\"<script>", "=1+1"]
    ),
    # Header and calendar injection, Unicode line breaks, and text just over each limit.
    st.sampled_from(
        ["Eve\r\nBcc: eve@example.org", "Eve\nX-WR-CALNAME:x", "a\u2028b", "tab\there"]
    ),
    st.sampled_from([100, 101, 200, 201, 300, 301, 2000, 2001]).map(lambda size: "x" * size),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)


def post_data(round_field):
    """A dict of field -> one value or several (a duplicated field); fields may be missing."""
    keys = st.sampled_from([*FIELDS, round_field])
    return st.dictionaries(keys, st.one_of(VALUES, st.lists(VALUES, min_size=2, max_size=3)))


@pytest.fixture
def fuzz_event(settings):
    settings.RATELIMIT_ENABLE = False
    event = EventFactory(delegate_capacity=1000)
    session = BreakoutSessionFactory(theme=ThemeFactory(event=event), capacity=3)
    return event, session


def assert_page_or_redirect(response):
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        assert response.context["form"].errors


def assert_database_holds_only_valid_rows():
    for delegate in Delegate.objects.all():
        delegate.full_clean()
    for needs in DelegateNeeds.objects.all():
        needs.full_clean()
    overfull = BreakoutSession.objects.annotate(
        taken=Count("choices", filter=Q(choices__status=ChoiceStatus.CONFIRMED))
    ).filter(taken__gt=F("capacity"))
    assert not overfull.exists()


FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(data=st.data())
def test_registration_form_survives_anything(fuzz_event, data):
    event, session = fuzz_event
    url = reverse("registration:register", kwargs={"event_slug": event.slug})
    posted = data.draw(post_data(f"round_{session.agenda_item_id}"))
    assert_page_or_redirect(Client().post(url, posted))
    assert_database_holds_only_valid_rows()


@FUZZ
@given(data=st.data())
def test_manage_form_survives_anything(fuzz_event, data):
    event, session = fuzz_event
    delegate = DelegateFactory(event=event)
    url = reverse(
        "registration:manage",
        kwargs={"event_slug": event.slug, "token": make_manage_token(delegate)},
    )
    posted = data.draw(post_data(f"round_{session.agenda_item_id}"))
    assert_page_or_redirect(Client().post(url, posted))
    assert_database_holds_only_valid_rows()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(token=st.text(min_size=1, max_size=300))
def test_manage_link_with_any_token_is_a_plain_not_found(fuzz_event, token):
    event, _ = fuzz_event
    DelegateFactory(event=event)
    response = Client().get(f"/events/{event.slug}/manage/{quote(token, safe='')}/")
    assert response.status_code == 404
    assert "link" in response.content.decode().lower()
