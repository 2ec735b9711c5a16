"""Ranked breakout preferences on PostgreSQL: delegates rank on the public forms, the
organiser previews, re-runs and confirms in the admin, places and emails follow, later
registrants are placed at once, and organisers move people by hand within capacity."""

import datetime as dt

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from breakouts import allocation_services, tasks
from breakouts.enums import ChoiceStatus, RunStatus
from breakouts.models import AllocationRun, BreakoutChoice, BreakoutSession
from symposium.enums import Sector
from symposium.models import Delegate
from tests.factories import (
    BreakoutChoiceFactory,
    BreakoutPreferenceFactory,
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    EventFactory,
    RankedEventFactory,
    ThemeFactory,
)
from tests.helpers import admin_url, delegate_details, manage_url, staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

THEMES = ["Prevention", "Crisis care", "Housing"]


@pytest.fixture
def event():
    event = RankedEventFactory(slug="kent-medway")
    round_ = BreakoutRoundFactory(event=event, title="Breakout round 1")
    for number, title in enumerate(THEMES, start=1):
        BreakoutSessionFactory(
            theme=ThemeFactory(event=event, number=number, title=title),
            agenda_item=round_,
            capacity=2,
        )
    return event


def sessions_of(event):
    sessions = BreakoutSession.objects.filter(theme__event=event).select_related("theme")
    return {session.theme.title: session for session in sessions}


def ranking(event, *titles):
    sessions = sessions_of(event)
    round_id = sessions[titles[0]].agenda_item_id
    return {
        f"rank_{round_id}_{rank}": str(sessions[title].pk)
        for rank, title in enumerate(titles, start=1)
    }


def register_data(event, *titles, **details):
    data = {
        "first_name": "Priya",
        "last_name": "Shah",
        "email": "priya@nhs.net",
        "organisation": "Kent and Medway ICB",
        "sector": "nhs",
        "privacy_consent": "on",
    }
    return data | details | ranking(event, *titles)


def register_url(event):
    return reverse("registration:register", kwargs={"event_slug": event.slug})


def rank(event, delegate, *titles):
    sessions = sessions_of(event)
    for number, title in enumerate(titles, start=1):
        BreakoutPreferenceFactory(delegate=delegate, session=sessions[title], rank=number)


# Delegates rank ------------------------------------------------------------------------


def test_register_page_asks_for_three_ranked_choices_and_says_when_places_are_given(client, event):
    response = client.get(register_url(event))

    form = response.context["form"]
    round_id = next(iter(form.round_sessions))
    assert [form.fields[f"rank_{round_id}_{n}"].label for n in (1, 2, 3)] == [
        "First choice",
        "Second choice",
        "Third choice",
    ]
    assert form.round_fields == []  # no first come, first served radios
    body = response.content.decode()
    assert f'<select name="rank_{round_id}_1"' in body
    on = timezone.localtime(event.breakout_allocation_on)
    assert f"We allocate places on {on:%-d %B %Y} at {on:%H:%M}" in body


def test_same_session_twice_is_refused_next_to_the_later_field(client, event):
    data = register_data(event, "Prevention", "Crisis care")
    round_id = next(iter(sessions_of(event).values())).agenda_item_id
    data[f"rank_{round_id}_3"] = data[f"rank_{round_id}_1"]

    response = client.post(register_url(event), data)

    assert response.context["form"].errors == {
        f"rank_{round_id}_3": [
            "You chose “Prevention” as your first choice: choose a different group, or no choice"
        ]
    }
    assert not Delegate.objects.exists()


def test_register_stores_ranking_gives_no_place_and_says_allocation_pending(post, client, event):
    response = post(register_url(event), register_data(event, "Crisis care", "Prevention"))

    assert response.status_code == 302
    delegate = Delegate.objects.get()
    assert [(p.rank, p.session.theme.title) for p in delegate.breakout_preferences.all()] == [
        (1, "Crisis care"),
        (2, "Prevention"),
    ]
    assert not BreakoutChoice.objects.exists()
    page = client.get(manage_url(delegate)).content.decode()
    assert "Allocation pending:" in page
    assert "choice 1: Crisis care" in page
    [email] = mail.outbox
    assert "allocation pending" in email.body
    assert "- Breakout round 1, choice 1: Crisis care" in email.body


def test_manage_page_changes_ranking_until_allocation(post, client, event):
    delegate = DelegateFactory(event=event)
    rank(event, delegate, "Prevention")
    url = manage_url(delegate)
    form = client.get(url).context["form"]
    round_id = next(iter(form.round_sessions))
    assert form.initial[f"rank_{round_id}_1"] == str(sessions_of(event)["Prevention"].pk)

    post(url, delegate_details(delegate) | ranking(event, "Housing", "Prevention"))

    assert [p.session.theme.title for p in delegate.breakout_preferences.all()] == [
        "Housing",
        "Prevention",
    ]
    assert mail.outbox[-1].subject.startswith("Your registration for")


def test_preference_constraints_hold_in_the_database(event):
    delegate = DelegateFactory(event=event)
    sessions = sessions_of(event)
    BreakoutPreferenceFactory(delegate=delegate, session=sessions["Prevention"], rank=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        BreakoutPreferenceFactory(delegate=delegate, session=sessions["Housing"], rank=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        BreakoutPreferenceFactory(delegate=delegate, session=sessions["Prevention"], rank=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        BreakoutPreferenceFactory(delegate=delegate, session=sessions["Housing"], rank=4)


def test_first_come_first_served_events_keep_their_radios(client):
    event = EventFactory()
    BreakoutSessionFactory(theme=ThemeFactory(event=event))

    form = client.get(register_url(event)).context["form"]

    assert len(form.round_fields) == 1
    assert not any(name.startswith("rank_") for name in form.fields)


# Organisers allocate -------------------------------------------------------------------


def crowd(event):
    """Six delegates who all want Prevention first: three NHS, two police, one VCSE."""
    people = []
    for number, sector in enumerate(["nhs", "nhs", "nhs", "police", "police", "vcse"]):
        delegate = DelegateFactory(
            event=event, sector=sector, organisation=f"Organisation {number}"
        )
        rank(event, delegate, "Prevention", "Crisis care", "Housing")
        people.append(delegate)
    return people


def preview(organiser_client, event, **settings):
    data = {
        "event": event.pk,
        "max_sector_share": 50,
        "min_sectors": 2,
        "time_limit": 20,
        "seed": 1,
    }
    response = organiser_client.post(admin_url(AllocationRun, "add"), data | settings)
    assert response.status_code == 302, response.context["adminform"].form.errors
    run = AllocationRun.objects.latest("pk")
    # The job the admin queued (tests/breakouts/test_allocation_confirm.py runs it with a
    # real worker), run here in the test's transaction.
    tasks.preview_allocation(run_id=run.pk)
    run.refresh_from_db()
    return run, organiser_client.get(response.url)


def test_preview_shows_the_report_and_writes_nothing(organiser_client, organiser, event):
    crowd(event)

    run, page = preview(organiser_client, event)

    assert run.status == RunStatus.PREVIEW
    assert run.created_by == organiser
    assert not BreakoutChoice.objects.exists()
    [report] = run.report["rounds"]
    assert report["optimal"] == {"first": 2, "second": 2, "third": 2, "other": 0, "none": 0}
    assert report["fcfs"] == {"first": 2, "second": 2, "third": 2, "other": 0, "none": 0}
    assert report["fcfs_breaches"] > 0  # FCFS puts the first two NHS people together
    assert report["breaches"] == []
    assert run.report["rules_met"] is True
    body = page.content.decode()
    assert "Every mix rule is met" in body
    assert "First come, first served" in body
    assert "Confirm this allocation and email delegates" in body
    for group in report["groups"]:
        assert group["mix"].count("(50 %)") == 2  # two sectors, one each


def test_unmeetable_rule_is_named_with_where_and_how_much(organiser_client, event):
    for number in range(3):
        delegate = DelegateFactory(event=event, sector=Sector.NHS, organisation=f"Org {number}")
        rank(event, delegate, "Prevention")

    run, page = preview(organiser_client, event, max_sector_share="", min_sectors=2)

    texts = [breach["text"] for breach in run.report["rounds"][0]["breaches"]]
    # Everyone placed first: two in Prevention, the third (Prevention full) elsewhere;
    # each group with someone in it has only the NHS.
    assert run.report["rounds"][0]["optimal"]["none"] == 0
    assert len(texts) == 2
    assert (
        "“Prevention”: 1 sector among 2 people, 1 short of the 2 asked for: it needs "
        "1 person more from other sectors."
    ) in texts
    assert any(
        text.endswith(
            ": 1 sector among 1 person, 1 short of the 2 asked for: it needs 1 person more "
            "from other sectors."
        )
        for text in texts
    )
    assert "at least 2 sectors in every group: not met, 2 people short" in page.content.decode()


def test_rerun_link_carries_the_settings(organiser_client, event):
    crowd(event)
    _run, page = preview(organiser_client, event, max_colleagues=1, seed=7)

    assert page.context["rerun_url"] == (
        f"{admin_url(AllocationRun, 'add')}?max_sector_share=50&min_sectors=2"
        f"&max_colleagues=1&time_limit=20&seed=7&event={event.pk}"
    )
    form = organiser_client.get(page.context["rerun_url"]).context["adminform"].form
    assert (form.initial["seed"], form.initial["max_colleagues"]) == ("7", "1")


def test_confirm_writes_places_emails_each_delegate_and_records_it(
    organiser_client, organiser, event, django_capture_on_commit_callbacks
):
    people = crowd(event)
    run, _ = preview(organiser_client, event)

    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            reverse("admin:breakouts_allocationrun_confirm", args=[run.pk])
        )

    assert response.status_code == 302
    run.refresh_from_db()
    event.refresh_from_db()
    assert (run.status, run.confirmed_by) == (RunStatus.CONFIRMED, organiser)
    assert event.breakouts_allocated_at == run.confirmed_at
    choices = BreakoutChoice.objects.filter(status=ChoiceStatus.CONFIRMED)
    assert {(c.delegate_id, c.session_id) for c in choices} == {
        (int(pk), place["session"])
        for pk, rounds in run.places.items()
        for place in rounds.values()
    }
    assert choices.count() == len(people)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert all("place confirmed" in m.body for m in mail.outbox)
    # Confirmed once: a second confirmation, or a new preview, is refused.
    organiser_client.post(reverse("admin:breakouts_allocationrun_confirm", args=[run.pk]))
    assert BreakoutChoice.objects.count() == len(people)
    again = organiser_client.post(
        admin_url(AllocationRun, "add"), {"event": event.pk, "seed": 1, "time_limit": 20}
    )
    assert "already been allocated" in again.content.decode()


def test_event_staff_cannot_confirm(client, event):
    crowd(event)
    run = allocation_services.preview_allocation(run=AllocationRun(event=event))
    client.force_login(staff_user(groups=["Event staff"]))

    response = client.post(reverse("admin:breakouts_allocationrun_confirm", args=[run.pk]))

    assert response.status_code == 403
    assert not BreakoutChoice.objects.exists()


def allocate_now(event, **settings):
    run = allocation_services.preview_allocation(run=AllocationRun(event=event, **settings))
    allocation_services.confirm_allocation(run=run, confirmed_by=None)
    event.refresh_from_db()
    return run


def test_later_registrant_gets_best_place_left_at_once(post, event):
    for _ in range(2):
        rank(event, DelegateFactory(event=event), "Prevention")
    allocate_now(event)

    post(register_url(event), register_data(event, "Prevention", "Housing"))

    delegate = Delegate.objects.get(email="priya@nhs.net")
    [choice] = delegate.breakout_choices.all()
    assert (choice.session.theme.title, choice.status) == ("Housing", ChoiceStatus.CONFIRMED)
    assert "Housing" in mail.outbox[-1].body


def test_manage_page_after_allocation_shows_places_and_keeps_them(post, client, event):
    delegate = DelegateFactory(event=event)
    rank(event, delegate, "Crisis care")
    allocate_now(event)
    url = manage_url(delegate)

    page = client.get(url)

    assert not any(name.startswith("rank_") for name in page.context["form"].fields)
    assert "Places were allocated on" in page.content.decode()
    post(url, delegate_details(delegate, job_title="Director"))
    [choice] = delegate.breakout_choices.all()
    assert choice.session.theme.title == "Crisis care"


def test_preferences_cannot_change_after_allocation(event):
    delegate = DelegateFactory(event=event)
    rank(event, delegate, "Crisis care")
    allocate_now(event)
    sessions = sessions_of(event)

    with pytest.raises(Exception, match="can no longer change"):
        allocation_services.set_preferences(
            delegate=Delegate.objects.get(pk=delegate.pk),
            preferences={sessions["Housing"].agenda_item_id: [sessions["Housing"]]},
        )


def test_organiser_moves_a_delegate_within_capacity(organiser_client, event):
    sessions = sessions_of(event)
    moving = BreakoutChoiceFactory(session=sessions["Prevention"])
    BreakoutChoiceFactory.create_batch(2, session=sessions["Housing"])
    waiting = BreakoutChoiceFactory(session=sessions["Prevention"], status="waitlisted")
    BreakoutChoiceFactory(session=sessions["Prevention"])
    url = admin_url(BreakoutChoice, "change", moving.pk)
    data = {"delegate": moving.delegate_id, "status": "confirmed"}

    full = organiser_client.post(url, data | {"session": sessions["Housing"].pk})
    moved = organiser_client.post(url, data | {"session": sessions["Crisis care"].pk})

    assert full.context["adminform"].form.errors["session"] == [
        "“Housing” is full (2 of 2 places): choose another session or raise its capacity first."
    ]
    assert moved.status_code == 302
    moving.refresh_from_db()
    waiting.refresh_from_db()
    assert moving.session == sessions["Crisis care"]
    assert waiting.status == ChoiceStatus.CONFIRMED  # the place freed went to the queue


def test_ranked_event_needs_an_allocation_date():
    event = EventFactory.build(breakout_allocation="ranked", breakout_allocation_on=None)

    with pytest.raises(Exception, match="Say when places will be allocated"):
        event.full_clean()


def test_allocation_runs_in_registration_order_for_fcfs(event):
    first = DelegateFactory(event=event, sector=Sector.NHS)
    rank(event, first, "Prevention")
    second = DelegateFactory(event=event, sector=Sector.NHS)
    rank(event, second, "Prevention", "Housing")
    third = DelegateFactory(event=event, sector=Sector.NHS)
    rank(event, third, "Prevention")
    Delegate.objects.filter(pk=first.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))

    run = allocation_services.preview_allocation(
        run=AllocationRun(event=event, max_sector_share=None, min_sectors=None)
    )

    [report] = run.report["rounds"]
    # FCFS: first and second take Prevention, third gets nothing; the optimum moves the
    # second to Housing instead.
    assert report["fcfs"]["none"] == 1
    assert report["optimal"] == {"first": 2, "second": 1, "third": 0, "other": 0, "none": 0}
