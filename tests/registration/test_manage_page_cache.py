"""The manage page without crispy's cost (issue 22): its breakout rounds rendered by one
lean template, the rest of its form kept blank in the page cache per event and content
version, each delegate's values set in when served. The HTML is the one crispy writes;
each delegate sees only their own values; what changes elsewhere shows on the next load."""

import re

import pytest
from crispy_forms.utils import render_crispy_form
from django.template import Context, Template
from django.test import Client
from django.test.html import parse_html

from breakouts.enums import ChoiceStatus
from breakouts.services import delegate_choices
from registration.forms import ManageForm, RadioGroups, blank_form_html, filled_form_html
from registration.views import event_sessions
from tests.factories import (
    BreakoutChoiceFactory,
    DelegateFactory,
    DelegateNeedsFactory,
    EventFactory,
)
from tests.helpers import manage_url
from tests.registration.test_registration import form_data, make_round, register_url

pytestmark = [pytest.mark.postgres]

CHECKED = re.compile(r'<input type="radio"[^>]*name="(round_\d+)" value="(\d*)"[^>]*checked')


def manage_form(delegate, data=None):
    event = delegate.event
    return ManageForm(
        data,
        event=event,
        delegate=delegate,
        sessions=list(event_sessions(event)),
        choices=delegate_choices(delegate=delegate),
    )


def crispy_field(form, name):
    template = Template("{% load crispy_forms_tags %}{{ field|as_crispy_field }}")
    return template.render(Context({"field": form[name]}))


def checked_rounds(html):
    return dict(CHECKED.findall(html))


def form_part(response):
    """The manage form, without the visitor's CSRF token."""
    html = response.content.decode()
    html = html[html.index('<form method="post"') : html.index("</form>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


@pytest.mark.django_db
def test_breakout_rounds_are_the_html_crispy_writes_errors_and_all():
    event = EventFactory()
    first = make_round(event, 20, 3, hour=11)
    make_round(event, 1, 1, hour=14)
    delegate = DelegateFactory(event=event)
    BreakoutChoiceFactory(delegate=delegate, session=first[1], status=ChoiceStatus.CONFIRMED)
    blank = manage_form(delegate)
    names = blank.round_fields
    # A choice that is not offered: the message by the field, aria-invalid on each
    # option, the fieldset described by the message, what was picked kept.
    bound = manage_form(delegate, {**form_data(), names[0]: "999999", names[1]: ""})
    assert not bound.is_valid()
    assert names[0] in bound.errors
    for form in (blank, bound):
        for name in names:
            lean = RadioGroups(name).render(form, Context())
            assert parse_html(lean) == parse_html(crispy_field(form, name)), (name, lean)
    invalid = RadioGroups(names[0]).render(bound, Context())
    assert f'aria-describedby="id_{names[0]}_error"' in invalid
    assert "Choose one of the breakouts listed for Breakout round at 11" in invalid
    assert invalid.count('aria-invalid="true"') == 3


@pytest.mark.django_db
@pytest.mark.parametrize("with_needs", [True, False])
def test_blank_form_filled_in_is_the_form_crispy_renders(with_needs):
    event = EventFactory()
    sessions = make_round(event, 20, 3, hour=11)
    delegate = DelegateFactory(
        event=event,
        first_name='Zoë "Zed"',
        last_name="O'Neill & <Sons>",
        organisation="Kent & Medway <ICB>",
        sector="police",
        job_title="",
    )
    if with_needs:
        DelegateNeedsFactory(
            delegate=delegate,
            dietary_requirement="other",
            dietary_details='No <nuts> & no "seeds"',
            access_needs="Hearing loop\nand a seat near the front & <aisle>",
        )
    BreakoutChoiceFactory(delegate=delegate, session=sessions[0], status=ChoiceStatus.CONFIRMED)
    delegate.refresh_from_db()
    form = manage_form(delegate)

    filled = filled_form_html(blank_form_html(form), form)

    assert parse_html(filled) == parse_html(render_crispy_form(form))
    assert "&lt;Sons&gt;" in filled
    assert "<Sons>" not in filled


@pytest.mark.django_db
def test_each_delegate_sees_their_own_choices_and_details(client, django_assert_num_queries):
    event = EventFactory()
    morning = make_round(event, 20, 20, hour=11)
    afternoon = make_round(event, 20, 20, hour=14)
    ana = DelegateFactory(event=event, full_name="Anwen Able", organisation="Medway Foodbank")
    DelegateNeedsFactory(delegate=ana, access_needs="An induction loop, please")
    bo = DelegateFactory(event=event, full_name="Bo Brown", organisation="Kent Police")
    BreakoutChoiceFactory(delegate=ana, session=morning[0], status=ChoiceStatus.CONFIRMED)
    BreakoutChoiceFactory(delegate=ana, session=afternoon[1], status=ChoiceStatus.CONFIRMED)
    BreakoutChoiceFactory(delegate=bo, session=morning[1], status=ChoiceStatus.CONFIRMED)
    ana, bo = (type(ana).objects.get(pk=d.pk) for d in (ana, bo))
    morning_field, afternoon_field = manage_form(ana).round_fields

    ana_url, bo_url = manage_url(ana), manage_url(bo)

    first = form_part(client.get(ana_url))  # Renders the blank form, keeps it.
    # The second visitor gets the kept form, with their own values set in: the event,
    # the delegate with their needs, their choices; the sessions come from the cache.
    with django_assert_num_queries(3):
        second = form_part(Client().get(bo_url))
    again = form_part(Client().get(ana_url))

    assert parse_html(again) == parse_html(first)
    assert checked_rounds(first) == {
        morning_field: str(morning[0].pk),
        afternoon_field: str(afternoon[1].pk),
    }
    assert 'value="Anwen"' in first
    assert 'value="Medway Foodbank"' in first
    assert "An induction loop, please" in first
    assert re.search(r'name="needs_consent"[^>]*checked', first)
    assert f"{morning[0].theme.title} – your current choice" in first

    assert checked_rounds(second) == {morning_field: str(morning[1].pk), afternoon_field: ""}
    assert 'value="Bo"' in second
    assert 'value="Kent Police"' in second
    assert "Anwen" not in second
    assert "Foodbank" not in second
    assert "induction" not in second
    assert not re.search(r'name="needs_consent"[^>]*checked', second)
    assert f"{morning[1].theme.title} – your current choice" in second
    assert f"{morning[0].theme.title} – Places available" in second


@pytest.mark.django_db(transaction=True)
def test_changes_made_elsewhere_show_on_the_next_load(client):
    """Committed for real: another delegate takes the last place, an organiser renames
    a theme and changes how long needs are kept; the kept sessions and blank form are
    out of date as soon as each commits."""
    event = EventFactory(retention_days=180)
    mine, other = make_round(event, 20, 1, hour=11)
    delegate = DelegateFactory(event=event)
    BreakoutChoiceFactory(delegate=delegate, session=mine, status=ChoiceStatus.CONFIRMED)
    url = manage_url(delegate)
    page = client.get(url).content.decode()
    assert f"{other.theme.title} – Few places left" in page
    assert "delete it 180 days after the event" in page

    round_field = f"round_{other.agenda_item_id}"
    registered = Client().post(
        register_url(event), form_data(email="sam@example.org", **{round_field: other.pk})
    )
    assert registered.status_code == 302
    page = client.get(url).content.decode()
    assert f"{other.theme.title} – Full — join the waitlist" in page

    mine.theme.title = "Housing first"
    mine.theme.save()
    event.retention_days = 90
    event.save()
    page = client.get(url).content.decode()
    assert "Housing first – your current choice" in page
    assert "delete it 90 days after the event" in page
    assert "delete it 180 days" not in page
