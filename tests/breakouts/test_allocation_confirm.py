"""The allocation's promises on PostgreSQL: confirming writes exactly the preview, a
preview made stale by any change is refused with the count of changes, every delegate
is emailed in plain words what they got (a delegate moved by a rule is told so), later
registrants get the best place left within the rules, and the preview runs as
background work with its progress on the page."""

import re
import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from breakouts import allocation_services
from breakouts.enums import ChoiceStatus, RunStatus
from breakouts.models import AllocationRun, BreakoutChoice
from symposium.enums import RegistrationStatus, Sector
from symposium.models import Delegate
from tests.background import run_background_jobs
from tests.factories import (
    BreakoutChoiceFactory,
    BreakoutPreferenceFactory,
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    RankedEventFactory,
    ThemeFactory,
    UserFactory,
)
from tests.helpers import admin_url

pytestmark = [pytest.mark.postgres]

SECTORS = [Sector.NHS, Sector.POLICE, Sector.COUNCIL]


def make_event(capacities, people, held=()):
    """A ranked event with one round: sessions of `capacities`; `people` as (sector,
    organisation, [session index, ...]); `held`: (sector, session index) of places
    already given."""
    event = RankedEventFactory()
    breakout_round = BreakoutRoundFactory(event=event)
    sessions = [
        BreakoutSessionFactory(
            theme=ThemeFactory(event=event, number=n + 1, title=f"Group {n + 1}"),
            agenda_item=breakout_round,
            capacity=capacity,
        )
        for n, capacity in enumerate(capacities)
    ]
    delegates = []
    for sector, organisation, ranking in people:
        delegate = DelegateFactory(event=event, sector=sector, organisation=organisation)
        for rank, index in enumerate(ranking, start=1):
            BreakoutPreferenceFactory(delegate=delegate, session=sessions[index], rank=rank)
        delegates.append(delegate)
    for sector, index in held:
        BreakoutChoiceFactory(
            delegate=DelegateFactory(event=event, sector=sector), session=sessions[index]
        )
    return event, sessions, delegates


def preview(event, **settings):
    run = AllocationRun(event=event, **settings)
    return allocation_services.preview_allocation(run=run)


def written(event):
    return {
        (choice.delegate_id, choice.session_id)
        for choice in BreakoutChoice.objects.filter(
            delegate__event=event, status=ChoiceStatus.CONFIRMED
        )
    }


@st.composite
def small_events(draw):
    capacities = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    people = [
        (
            draw(st.sampled_from(SECTORS)),
            draw(st.sampled_from(["Org A", "Org B"])),
            draw(st.permutations(range(len(capacities))))[: draw(st.integers(0, 3))],
        )
        for _ in range(draw(st.integers(0, 8)))
    ]
    held = draw(
        st.lists(
            st.tuples(st.sampled_from(SECTORS), st.integers(0, len(capacities) - 1)),
            max_size=2,
        )
    )
    rules = {
        "max_sector_share": draw(st.none() | st.integers(30, 100)),
        "min_sectors": draw(st.none() | st.integers(1, 3)),
        "max_colleagues": draw(st.none() | st.integers(1, 3)),
        "strict_sector_share": draw(st.booleans()),
        "allow_unranked": draw(st.booleans()),
    }
    return capacities, people, held, rules


@pytest.mark.django_db
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(small_events())
def test_confirm_writes_exactly_the_preview(case):
    capacities, people, held, rules = case
    # Held places beyond a session's capacity are not a state the site allows.
    held = [h for h in held if sum(1 for o in held if o[1] == h[1]) <= capacities[h[1]]]
    event, _sessions, _delegates = make_event(capacities, people, held)
    before = written(event)
    run = preview(event, **rules)

    allocation_services.confirm_allocation(run=run, confirmed_by=None)

    previewed = {
        (int(pk), place["session"])
        for pk, rounds in run.places.items()
        for place in rounds.values()
        if place["session"] is not None
    }
    assert written(event) == before | previewed
    # Everyone allocated is in the preview: every delegate without a place in the round.
    assert {int(pk) for pk in run.places} == {d.pk for d in _delegates}


CHANGES = ["rerank", "register", "cancel", "capacity", "sector"]


@pytest.mark.django_db
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sets(st.sampled_from(CHANGES)))
def test_a_stale_preview_is_refused_with_the_number_of_changes(changes):
    people = [(Sector.NHS, "Org A", [0, 1]), (Sector.POLICE, "Org B", [1]), (Sector.NHS, "C", [])]
    event, sessions, delegates = make_event([2, 2], people)
    run = preview(event, max_sector_share=50)
    if "rerank" in changes:
        delegates[0].breakout_preferences.all().delete()
        BreakoutPreferenceFactory(delegate=delegates[0], session=sessions[1], rank=1)
    if "register" in changes:
        DelegateFactory(event=event)
    if "cancel" in changes:
        Delegate.objects.filter(pk=delegates[1].pk).update(status=RegistrationStatus.CANCELLED)
    if "capacity" in changes:
        sessions[0].capacity = 3
        sessions[0].save()
    if "sector" in changes:
        Delegate.objects.filter(pk=delegates[2].pk).update(sector=Sector.POLICE)

    if not changes:
        allocation_services.confirm_allocation(run=run, confirmed_by=None)
        assert len(written(event)) == 3
        return
    with pytest.raises(ValidationError) as refused:
        allocation_services.confirm_allocation(run=run, confirmed_by=None)

    word = "thing" if len(changes) == 1 else "things"
    assert refused.value.messages == [
        f"{len(changes)} {word} changed since this preview: preview again."
    ]
    assert written(event) == set()
    event.refresh_from_db()
    assert event.breakouts_allocated_at is None


@pytest.mark.django_db
def test_the_admin_refuses_a_stale_preview(organiser_client, django_capture_on_commit_callbacks):
    event, sessions, delegates = make_event(
        [2, 2], [(Sector.NHS, "A", [0]), (Sector.NHS, "B", [0])]
    )
    run = preview(event, max_sector_share=None, min_sectors=None)
    BreakoutPreferenceFactory(delegate=delegates[0], session=sessions[1], rank=2)

    response = organiser_client.post(
        reverse("admin:breakouts_allocationrun_confirm", args=[run.pk]), follow=True
    )

    assert "1 thing changed since this preview: preview again." in response.content.decode()
    run.refresh_from_db()
    assert run.status == RunStatus.PREVIEW
    assert not BreakoutChoice.objects.exists()


def allocation_lines(body):
    """The "What you got" lines of an allocation email."""
    block = body.split("What you got:\n", 1)[1].split("\n\n", 1)[0]
    return [line.removeprefix("- ") for line in block.splitlines()]


@pytest.mark.django_db
def test_each_delegate_is_emailed_what_they_got_in_plain_words(django_capture_on_commit_callbacks):
    # Two NHS colleagues want only Group 1; two police officers want Group 1 / Group 2.
    # Without a rule the NHS pair fills Group 1; "at least 2 sectors" moves one NHS
    # delegate to Group 2, which they did not rank (allowed: Group 1 is full). A council
    # delegate ranked nothing and gets the place left.
    people = [
        (Sector.NHS, "Trust", [0]),
        (Sector.NHS, "Trust", [0]),
        (Sector.POLICE, "Kent Police", [0, 1]),
        (Sector.POLICE, "Kent Police", [1]),
        (Sector.COUNCIL, "Kent County Council", []),
    ]
    event, _sessions, delegates = make_event([2, 2, 1], people)
    run = preview(event, max_sector_share=None, min_sectors=2)
    [report] = run.report["rounds"]
    assert report["optimal"]["none"] == 0
    assert report["moved"] == 1

    with django_capture_on_commit_callbacks(execute=True):
        allocation_services.confirm_allocation(run=run, confirmed_by=None)

    emails = {message.to[0]: message for message in mail.outbox}
    assert set(emails) == {d.email for d in delegates}  # the one who ranked nothing too
    lines = {d.pk: allocation_lines(emails[d.email].body) for d in delegates}
    nhs = [d for d in delegates if d.sector == Sector.NHS]
    moved = [d for d in nhs if run.places[str(d.pk)].popitem()[1]["reason"] == "moved"]
    [moved] = moved
    [stayed] = [d for d in nhs if d != moved]
    round_title = delegates[0].breakout_preferences.get().agenda_item.title
    assert lines[stayed.pk] == [f"{round_title}: “Group 1”, your first choice."]
    # Group 2 or 3 (a tie: either leaves one group with one sector).
    [moved_line] = lines[moved.pk]
    assert re.fullmatch(
        f"{round_title}: “Group [23]”. None of your choices could be kept: we placed you "
        "here to mix sectors, as the organisers chose.",
        moved_line,
    )
    [not_ranked_line] = lines[delegates[4].pk]
    assert re.fullmatch(
        f"{round_title}: “Group [23]”. You did not rank any groups in this round, so we "
        "gave you a place in one with room.",
        not_ranked_line,
    )
    for message in emails.values():
        assert "none chosen" not in message.body
        assert "Your ranked breakout choices" not in message.body
        assert "place confirmed" in message.body
        html = message.alternatives[0][0]
        assert re.search(r'<ul class="allocation-outcome">\s*<li>', html)


@pytest.mark.django_db
def test_a_delegate_left_out_by_full_groups_is_told_so(django_capture_on_commit_callbacks):
    event, _sessions, _delegates = make_event([1], [(Sector.NHS, "A", [0]), (Sector.NHS, "B", [0])])
    run = preview(event, max_sector_share=None, min_sectors=None)

    with django_capture_on_commit_callbacks(execute=True):
        allocation_services.confirm_allocation(run=run, confirmed_by=None)

    told = sorted(allocation_lines(m.body)[0].split(": ", 1)[1] for m in mail.outbox)
    assert told == ["no place: every group was full.", "“Group 1”, your first choice."]


@pytest.mark.django_db
def test_a_later_registrant_gets_the_best_place_left_within_the_rules():
    # Group 1 holds two NHS people and has room; at most 50 % of one sector. An NHS
    # registrant ranking Group 1 then Group 2 gets Group 2, where the NHS share holds.
    event, sessions, _ = make_event([4, 4], [(Sector.POLICE, "P", [0]), (Sector.NHS, "N", [1])])
    run = preview(event, max_sector_share=50, min_sectors=None)
    allocation_services.confirm_allocation(run=run, confirmed_by=None)
    BreakoutChoiceFactory(
        delegate=DelegateFactory(event=event, sector=Sector.NHS), session=sessions[0]
    )
    event.refresh_from_db()
    late = DelegateFactory(event=event, sector=Sector.NHS, organisation="Late")
    BreakoutPreferenceFactory(delegate=late, session=sessions[0], rank=1)
    BreakoutPreferenceFactory(delegate=late, session=sessions[1], rank=2)

    [choice] = allocation_services.place_by_preference(delegate=Delegate.objects.get(pk=late.pk))

    assert (choice.session, choice.status) == (sessions[1], ChoiceStatus.CONFIRMED)


@pytest.mark.django_db(transaction=True)
def test_the_preview_runs_in_the_background_with_its_progress_on_the_page(client):
    # A superuser: the Organisers group is made by a migration, and a transactional test
    # run before this one empties its table (what organisers may do is tested above).
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    people = [(Sector.NHS, "A", [0, 1]), (Sector.POLICE, "B", [0, 1]), (Sector.NHS, "C", [1])]
    event, _sessions, _ = make_event([2, 2], people)

    response = client.post(
        admin_url(AllocationRun, "add"),
        {"event": event.pk, "max_sector_share": 50, "min_sectors": 2, "time_limit": 20, "seed": 1},
    )

    run = AllocationRun.objects.get()
    assert run.status == RunStatus.RUNNING  # nothing solved in the request
    page = client.get(response.url).content.decode()
    status_url = reverse("admin:breakouts_allocationrun_status", args=[run.pk])
    assert f'data-status-url="{status_url}"' in page
    assert "breakouts/allocation_progress.js" in page
    assert "<script>" not in page  # a static script only (strict CSP)
    assert client.get(status_url).json() == {
        "status": "running",
        "progress": 0,
        "progress_text": "Waiting to start",
    }

    run_background_jobs()

    run.refresh_from_db()
    assert run.status == RunStatus.PREVIEW
    assert client.get(status_url).json()["status"] == "preview"
    page = client.get(response.url).content.decode()
    assert "Confirm this allocation and email delegates" in page
    assert "people placed: 3, the best possible" in page


def test_the_report_says_when_the_solver_stopped_at_its_time_limit():
    from breakouts.allocation import Stage

    assert allocation_services._stage_text(Stage("rules", 12, False, 9.0))["text"] == (
        "people short of the mix rules: 12, best found at the time limit, within 3 of the optimum"
    )
    assert allocation_services._stage_text(Stage("rules", 12, False, None))["text"].endswith(
        "the solver found none within the time limit, so the mix rules were not optimised"
    )
    assert allocation_services._stage_text(Stage("placed", 40))["text"] == (
        "people placed: 40, the best possible"
    )


@pytest.mark.django_db(transaction=True)
def test_a_ranking_changed_while_the_organiser_confirms_is_not_lost():
    # A delegate's manage form is saving a new ranking (the delegate's row locked, as
    # update_registration holds it) when the organiser confirms: the confirmation waits
    # for it, sees the change and refuses, instead of writing the old ranking's place.
    event, sessions, delegates = make_event(
        [2, 2], [(Sector.NHS, "A", [0]), (Sector.NHS, "B", [0])]
    )
    run = preview(event, max_sector_share=None, min_sectors=None)
    saving, release, outcome = threading.Event(), threading.Event(), {}

    def change_ranking():
        try:
            with transaction.atomic():
                delegate = Delegate.objects.select_for_update().get(pk=delegates[0].pk)
                allocation_services.set_preferences(
                    delegate=delegate,
                    preferences={sessions[1].agenda_item_id: [sessions[1], sessions[0]]},
                )
                saving.set()
                release.wait(10)
        finally:
            connection.close()

    def confirm():
        try:
            allocation_services.confirm_allocation(run=run, confirmed_by=None)
            outcome["confirmed"] = True
        except ValidationError as error:
            outcome["refused"] = error.messages
        finally:
            connection.close()

    changer = threading.Thread(target=change_ranking)
    changer.start()
    assert saving.wait(10)
    confirmer = threading.Thread(target=confirm)
    confirmer.start()
    confirmer.join(1.5)
    waited = confirmer.is_alive()  # blocked on the delegate's row
    release.set()
    changer.join(10)
    confirmer.join(20)

    assert waited
    assert outcome == {"refused": ["1 thing changed since this preview: preview again."]}
    assert not BreakoutChoice.objects.exists()
