import re

from django.apps import apps
from django.contrib import admin
from django.utils.html import escape

from breakouts.enums import ChoiceStatus
from breakouts.models import (
    AllocationRun,
    BreakoutChoice,
    BreakoutPreference,
    BreakoutSession,
    Theme,
)
from tests.factories import (
    AllocationRunFactory,
    BreakoutChoiceFactory,
    BreakoutPreferenceFactory,
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    RoomFactory,
    ThemeFactory,
)
from tests.helpers import admin_url


def make_session():
    """A session with two places taken and one delegate waiting."""
    session = BreakoutSessionFactory(capacity=2)
    BreakoutChoiceFactory.create_batch(2, session=session)
    BreakoutChoiceFactory(session=session, status=ChoiceStatus.WAITLISTED)
    return session


def make_theme():
    return make_session().theme


def make_choice():
    return BreakoutChoiceFactory()


MAKERS = {
    Theme: make_theme,
    BreakoutSession: make_session,
    BreakoutChoice: make_choice,
    BreakoutPreference: BreakoutPreferenceFactory,
    AllocationRun: AllocationRunFactory,
}


def test_every_breakouts_model_is_registered_and_under_test():
    models = set(apps.get_app_config("breakouts").get_models())

    assert models == set(MAKERS)
    assert all(admin.site.is_registered(model) for model in models)


def test_theme_page_shows_each_sessions_places_and_waitlist(organiser_client):
    session = make_session()

    response = organiser_client.get(admin_url(Theme, "change", session.theme.pk))

    inline = response.context["inline_admin_formsets"][0]
    row = inline.formset.forms[0].instance
    assert (row.capacity, row.places_taken, row.waitlist_length) == (2, 2, 1)
    content = re.sub(r">\s+<", "><", response.content.decode())
    assert '<td class="field-places_taken"><p>2</p></td>' in content
    assert '<td class="field-waitlist_length"><p>1</p></td>' in content


def test_theme_page_offers_only_the_events_rooms_and_rounds(organiser_client):
    session = make_session()
    room = RoomFactory(event=session.theme.event)
    other_session = BreakoutSessionFactory()
    RoomFactory(event=other_session.theme.event)

    response = organiser_client.get(admin_url(Theme, "change", session.theme.pk))

    form = response.context["inline_admin_formsets"][0].formset.empty_form
    assert list(form.fields["room"].queryset) == [room]
    assert list(form.fields["agenda_item"].queryset) == [session.agenda_item]


def theme_form(theme, sessions):
    data = {
        "event": theme.event.pk,
        "number": theme.number,
        "title": theme.title,
        "description": "",
        "sessions-TOTAL_FORMS": len(sessions),
        "sessions-INITIAL_FORMS": 0,
    }
    for index, (agenda_item, room) in enumerate(sessions):
        data |= {
            f"sessions-{index}-agenda_item": agenda_item.pk,
            f"sessions-{index}-room": room.pk,
            f"sessions-{index}-facilitator": "",
            f"sessions-{index}-capacity": 20,
        }
    return data


def test_theme_page_refuses_two_new_sessions_in_one_room_and_round(organiser_client):
    theme = ThemeFactory()
    breakout_round = BreakoutRoundFactory(event=theme.event, title="Morning breakouts")
    room = RoomFactory(event=theme.event, name="Crypt")

    response = organiser_client.post(
        admin_url(Theme, "change", theme.pk),
        theme_form(theme, [(breakout_round, room), (breakout_round, room)]),
    )

    assert response.status_code == 200
    message = "Crypt is given to two sessions in “Morning breakouts”: choose another room."
    assert escape(message) in response.content.decode()
    assert BreakoutSession.objects.count() == 0


def test_theme_page_saves_sessions_in_two_rooms_of_one_round(organiser_client):
    theme = ThemeFactory()
    breakout_round = BreakoutRoundFactory(event=theme.event)
    crypt, nave = RoomFactory(event=theme.event), RoomFactory(event=theme.event)

    response = organiser_client.post(
        admin_url(Theme, "change", theme.pk),
        theme_form(theme, [(breakout_round, crypt), (breakout_round, nave)]),
    )

    assert response.status_code == 302
    assert set(theme.sessions.values_list("room", flat=True)) == {crypt.pk, nave.pk}


def test_session_changelist_shows_places_taken_capacity_and_waitlist(organiser_client):
    make_session()

    response = organiser_client.get(admin_url(BreakoutSession, "changelist"))

    content = response.content.decode()
    assert '<td class="field-places_taken">2</td>' in content
    assert '<td class="field-capacity">2</td>' in content
    assert '<td class="field-waitlist_length">1</td>' in content


def test_session_changelist_filters_by_event(organiser_client):
    session = make_session()
    make_session()

    response = organiser_client.get(
        admin_url(BreakoutSession, "changelist"),
        {"theme__event__id__exact": session.theme.event.pk},
    )

    assert list(response.context["cl"].result_list) == [session]


def test_choice_changelist_filters_by_session_and_status(organiser_client):
    session = make_session()
    waiting = session.choices.get(status=ChoiceStatus.WAITLISTED)
    make_session()

    response = organiser_client.get(
        admin_url(BreakoutChoice, "changelist"),
        {"session": session.pk, "status__exact": ChoiceStatus.WAITLISTED},
    )

    assert list(response.context["cl"].result_list) == [waiting]


def choice_form(delegate, session, status=ChoiceStatus.CONFIRMED):
    return {"delegate": delegate.pk, "session": session.pk, "status": status}


def test_choice_admin_refuses_a_second_breakout_in_the_same_round(organiser_client):
    choice = BreakoutChoiceFactory()
    other = BreakoutSessionFactory(
        theme=ThemeFactory(event=choice.session.theme.event),
        agenda_item=choice.session.agenda_item,
    )

    response = organiser_client.post(
        admin_url(BreakoutChoice, "add"), choice_form(choice.delegate, other)
    )

    assert response.status_code == 200
    message = (
        f"{choice.delegate.full_name} already has a breakout in "
        f"“{other.agenda_item.title}”: change or delete that choice instead."
    )
    assert escape(message) in response.content.decode()
    assert list(BreakoutChoice.objects.all()) == [choice]


def test_choice_admin_refuses_a_breakout_at_another_event(organiser_client):
    delegate = DelegateFactory()
    session = BreakoutSessionFactory()

    response = organiser_client.post(
        admin_url(BreakoutChoice, "add"), choice_form(delegate, session)
    )

    assert response.status_code == 200
    assert escape("Choose a breakout at the delegate's event.") in response.content.decode()
    assert BreakoutChoice.objects.count() == 0


def test_choice_admin_adds_a_choice_in_a_free_round(organiser_client):
    session = BreakoutSessionFactory()
    delegate = DelegateFactory(event=session.theme.event)

    response = organiser_client.post(
        admin_url(BreakoutChoice, "add"), choice_form(delegate, session)
    )

    assert response.status_code == 302
    choice = BreakoutChoice.objects.get()
    assert (choice.delegate, choice.session, choice.agenda_item) == (
        delegate,
        session,
        session.agenda_item,
    )


def swap_in_one_round():
    """A delegate's place, and the swap waiting to replace it in a full session."""
    place = BreakoutChoiceFactory(session=BreakoutSessionFactory(capacity=1))
    full = BreakoutSessionFactory(
        theme=ThemeFactory(event=place.session.theme.event),
        agenda_item=place.session.agenda_item,
        capacity=1,
    )
    swap = BreakoutChoiceFactory(
        delegate=place.delegate, session=full, status=ChoiceStatus.WAITLISTED, replaces=place
    )
    return place, swap


def test_choice_admin_edits_a_place_kept_for_a_swap(organiser_client):
    place, swap = swap_in_one_round()
    form = choice_form(place.delegate, place.session)

    saved = organiser_client.post(admin_url(BreakoutChoice, "change", place.pk), form)
    refused = organiser_client.post(
        admin_url(BreakoutChoice, "change", swap.pk), choice_form(swap.delegate, swap.session)
    )

    assert saved.status_code == 302
    assert refused.status_code == 200
    assert "This choice is waiting to replace the delegate&#x27;s place" in (
        refused.content.decode()
    )
    swap.refresh_from_db()
    assert (swap.status, swap.replaces) == (ChoiceStatus.WAITLISTED, place)


def test_deleting_the_place_kept_leaves_the_swap_an_ordinary_queue_entry(organiser_client):
    place, swap = swap_in_one_round()

    response = organiser_client.post(admin_url(BreakoutChoice, "delete", place.pk), {"post": "yes"})

    assert response.status_code == 302
    swap.refresh_from_db()
    assert (swap.status, swap.replaces) == (ChoiceStatus.WAITLISTED, None)
