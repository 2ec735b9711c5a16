"""The manage page asks before a move to a full session could cost the delegate a place."""

import pytest

from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice
from tests.factories import (
    BreakoutChoiceFactory,
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    EventFactory,
    ThemeFactory,
)
from tests.helpers import delegate_details as details
from tests.helpers import manage_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def event():
    return EventFactory(name="Kent and Medway ICS symposium", slug="kent-medway")


@pytest.fixture
def round_(event):
    return BreakoutRoundFactory(event=event)


def session_in(round_, title, capacity=1):
    theme = ThemeFactory(event=round_.event, title=title)
    return BreakoutSessionFactory(theme=theme, agenda_item=round_, capacity=capacity)


@pytest.fixture
def housing(round_):
    return session_in(round_, "Health and housing")


@pytest.fixture
def best_start(round_):
    session = session_in(round_, "Best start in life")
    BreakoutChoiceFactory(session=session, status=ChoiceStatus.CONFIRMED)
    return session


@pytest.fixture
def delegate(event, housing):
    delegate = DelegateFactory(event=event, email="sam.okafor@medway.gov.uk")
    BreakoutChoiceFactory(delegate=delegate, session=housing, status=ChoiceStatus.CONFIRMED)
    return delegate


def held(delegate):
    return sorted(
        (choice.session.theme.title, choice.status, bool(choice.replaces_id))
        for choice in BreakoutChoice.objects.filter(delegate=delegate)
    )


def move(delegate, session, **answers):
    return details(delegate, **{f"round_{session.agenda_item_id}": str(session.pk)}, **answers)


def test_moving_to_full_session_asks_first_and_saves_nothing(
    post, delegate, housing, best_start, mailoutbox
):
    response = post(manage_url(delegate), move(delegate, best_start))

    assert response.status_code == 200
    body = response.content.decode()
    assert "<title>Nothing saved yet: Your registration" in body
    assert "Nothing is saved yet" in body
    assert "Best start in life is full. What should happen to your place in" in body
    assert (
        "Keep my place in Health and housing until a place in Best start in life comes up "
        "(recommended)" in body
    )
    assert "Give up my place in Health and housing and join the waitlist for Best start" in body
    field = f"swap_{best_start.pk}"
    assert f'name="{field}" value="keep"' in body
    assert response.context["form"][field].value() == "keep"
    assert held(delegate) == [("Health and housing", ChoiceStatus.CONFIRMED, False)]
    assert mailoutbox == []


def test_keeping_the_place_waits_for_the_new_session(
    post, client, delegate, housing, best_start, mailoutbox
):
    answer = {f"swap_{best_start.pk}": "keep"}

    response = post(manage_url(delegate), move(delegate, best_start, **answer))

    assert response.status_code == 302
    [summary] = mailoutbox
    assert "Health and housing – your place, waiting for Best start in life (position 1)" in (
        summary.body
    )
    assert held(delegate) == [
        ("Best start in life", ChoiceStatus.WAITLISTED, True),
        ("Health and housing", ChoiceStatus.CONFIRMED, False),
    ]
    page = client.get(manage_url(delegate))
    text = " ".join(page.content.decode().split())
    assert "Health and housing – your place, waiting for Best start in life (position 1)" in text
    form = page.context["form"]
    assert form.initial[f"round_{best_start.agenda_item_id}"] == str(best_start.pk)
    assert dict(form.fields[f"round_{best_start.agenda_item_id}"].choices)[str(best_start.pk)] == (
        "Best start in life – you are waiting for a place (position 1)"
    )


def test_saving_again_while_waiting_asks_nothing(post, delegate, housing, best_start):
    post(manage_url(delegate), move(delegate, best_start, **{f"swap_{best_start.pk}": "keep"}))

    response = post(manage_url(delegate), move(delegate, best_start, full_name="New Name"))

    assert response.status_code == 302
    assert held(delegate) == [
        ("Best start in life", ChoiceStatus.WAITLISTED, True),
        ("Health and housing", ChoiceStatus.CONFIRMED, False),
    ]


def test_giving_up_the_place_joins_the_waitlist(post, delegate, housing, best_start):
    queued = BreakoutChoiceFactory(session=housing, status=ChoiceStatus.WAITLISTED)

    response = post(
        manage_url(delegate), move(delegate, best_start, **{f"swap_{best_start.pk}": "give_up"})
    )

    assert response.status_code == 302
    assert held(delegate) == [("Best start in life", ChoiceStatus.WAITLISTED, False)]
    queued.refresh_from_db()
    assert queued.status == ChoiceStatus.CONFIRMED


def test_choosing_the_old_session_again_calls_the_swap_off(post, delegate, housing, best_start):
    post(manage_url(delegate), move(delegate, best_start, **{f"swap_{best_start.pk}": "keep"}))

    response = post(manage_url(delegate), move(delegate, housing))

    assert response.status_code == 302
    assert held(delegate) == [("Health and housing", ChoiceStatus.CONFIRMED, False)]


def test_no_question_when_the_new_session_has_room_or_there_is_no_place(
    post, event, round_, delegate, best_start
):
    roomy = session_in(round_, "Ageing well", capacity=5)
    waiting = DelegateFactory(event=event)

    moved = post(manage_url(delegate), move(delegate, roomy))
    chose = post(manage_url(waiting), move(waiting, best_start))

    assert (moved.status_code, chose.status_code) == (302, 302)
    assert held(delegate) == [("Ageing well", ChoiceStatus.CONFIRMED, False)]
    assert held(waiting) == [("Best start in life", ChoiceStatus.WAITLISTED, False)]


def test_answer_for_another_session_does_not_count(post, round_, delegate, best_start):
    ageing = session_in(round_, "Ageing well")
    BreakoutChoiceFactory(session=ageing, status=ChoiceStatus.CONFIRMED)

    response = post(
        manage_url(delegate), move(delegate, ageing, **{f"swap_{best_start.pk}": "give_up"})
    )

    assert response.status_code == 200
    assert "Ageing well is full" in response.content.decode()
    assert held(delegate) == [("Health and housing", ChoiceStatus.CONFIRMED, False)]
