"""Each section's figures against the hand-built event of conftest.world."""

import pytest

from console.report import selectors
from console.report.suppression import SMALL, WITHHELD
from console.services import copy_event
from feedback.models import Response, Survey
from symposium.enums import RegistrationStatus, Sector
from tests.report.conftest import people

pytestmark = pytest.mark.django_db


def test_attendance_counts_confirmed_delegates_who_came_and_who_did_not(world):
    table = selectors.attendance(world)["by_sector"]

    assert table["rows"] == [
        {"label": "NHS", "attended": 10, "no_shows": 5, "registered": 15},
        {"label": "Local council", "attended": 12, "no_shows": 6, "registered": 18},
    ]
    assert (table["attended"], table["no_shows"], table["registered"]) == (22, 11, 33)


def test_organisations_with_fewer_than_five_are_merged_then_suppressed(world):
    people(world, 3, sector=Sector.VCSE, organisation="Tiny Charity", came=2)

    organisations = selectors.attendance(world)["by_organisation"]

    labels = [row["label"] for row in organisations["rows"]]
    assert "Tiny Charity" not in labels
    merged = organisations["rows"][-1]
    assert merged["label"] == selectors.SMALL_ORGANISATIONS
    assert merged["registered"] == SMALL
    assert (merged["attended"], merged["no_shows"]) == (SMALL, SMALL)
    # The sector table too: 3 VCSE delegates, and whatever would give them away.
    sectors = selectors.attendance(world)["by_sector"]
    vcse = next(row for row in sectors["rows"] if row["label"].startswith("Voluntary"))
    assert vcse == {
        "label": vcse["label"],
        "attended": SMALL,
        "no_shows": SMALL,
        "registered": SMALL,
    }
    assert WITHHELD in [figure for row in sectors["rows"] for figure in row.values()]
    assert sectors["registered"] == 36


def test_partners_come_from_the_directory_affiliation(world):
    from tests.factories import AffiliationFactory, OrganisationFactory

    trust = OrganisationFactory(name="Directory Trust")
    for delegate in world.delegates.filter(sector=Sector.COUNCIL)[:6]:
        AffiliationFactory(delegate=delegate, organisation=trust)

    partners = selectors.attendance(world)["by_partner"]["rows"]

    assert [row["label"] for row in partners] == ["Directory Trust", selectors.NOT_IN_DIRECTORY]
    assert partners[0]["registered"] == 6
    assert partners[1]["registered"] == 27


def test_breakout_uptake_and_sector_mix_per_session(world):
    sessions = selectors.breakouts(world)

    housing = next(s for s in sessions if s["theme"] == "Housing and health")
    quiet = next(s for s in sessions if s["theme"] == "Quiet theme")
    assert housing["uptake"] == 13
    assert housing["sectors"] == [
        {"label": "NHS", "count": 6},
        {"label": "Local council", "count": 7},
    ]
    assert quiet["uptake"] == SMALL
    assert quiet["sectors"] == [{"label": "Local council", "count": SMALL}]


def test_feedback_scores_rate_and_the_picked_quotes(world):
    answers = selectors.feedback(world)

    assert (answers["invited"], answers["responses"], answers["rate"]) == (22, 8, 36)
    assert answers["overall"]["mean"] == 4.0
    assert answers["overall"]["answers"] == 8
    assert [(item["kind"], item["title"]) for item in answers["items"]] == [
        ("Plenary", "Opening plenary"),
        ("Presentation", "Data talk"),
        ("Breakout", f"Housing and health ({items_round(world)})"),
    ]
    items = {item["title"]: item for item in answers["items"]}
    assert items["Opening plenary"]["mean"] == 3.5
    assert items["Data talk"]["mean"] == SMALL  # 3 answers
    assert items["Data talk"]["answers"] == SMALL
    assert items["Housing and health (" + items_round(world) + ")"]["mean"] == 4.4
    assert answers["quotes"] == {
        "comments": ["Brilliant networking with the council."],
        "do_differently": ["Invite housing colleagues."],
    }


def items_round(event):
    return event.themes.get(title="Housing and health").sessions.get().agenda_item.title


def test_scores_of_each_value_are_suppressed_too(world):
    scores = selectors.feedback(world)["overall"]["scores"]

    # 1 two, 1 three, 3 fours, 3 fives: every one under 5.
    assert [row["count"] for row in scores] == [SMALL] * 5


def test_fewer_than_five_responses_show_no_figure_and_no_quote(world):
    Response.objects.filter(survey__event=world).exclude(
        pk__in=Response.objects.filter(survey__event=world).order_by("pk")[:4]
    ).delete()

    answers = selectors.feedback(world)

    assert answers["responses"] == SMALL
    assert answers["rate"] == SMALL
    assert answers["overall"]["mean"] == SMALL
    assert all(item["mean"] == SMALL for item in answers["items"])
    assert answers["quotes"] == {"comments": [], "do_differently": []}


def test_no_survey_no_feedback_section(world):
    world.survey.delete()

    assert selectors.feedback(world) is None


def test_only_published_outcomes_with_owners_named_if_they_agreed(world):
    outcomes = selectors.outcomes(world)

    assert len(outcomes["sessions"]) == 1
    session = outcomes["sessions"][0]
    assert session["key_points"] == "Share housing data."
    assert session["actions"] == [
        {
            "description": "Set up a data-sharing agreement",
            "owner": "Kent County Council",
            "due_on": "2027-03-31",
            "status": "Not started",
        },
        {
            "description": "Pilot joint visits",
            "owner": selectors.NOT_NAMED,
            "due_on": None,
            "status": "Not started",
        },
    ]
    assert session["pledges"] == [
        {"text": "We will publish our waiting times.", "owner": "Medway Council"}
    ]
    assert outcomes["action_status"] == [{"label": "Not started", "count": 2}]


def test_a_copy_records_its_source_and_the_years_stand_side_by_side(world):
    import datetime as dt

    copy = copy_event(
        event=world,
        name="Kent symposium 2027",
        slug="kent-2027",
        starts_on=world.starts_on + dt.timedelta(days=364),
    )
    people(copy, 7, sector=Sector.POLICE, organisation="Kent Police", came=5)
    people(
        copy,
        1,
        sector=Sector.POLICE,
        organisation="Kent Police",
        came=0,
        status=RegistrationStatus.WAITLISTED,
    )

    # feedback makes a survey with each event: this copy's was never sent, and went.
    Survey.objects.filter(event=copy).delete()
    years = selectors.report_figures(copy)["year_on_year"]

    assert copy.copied_from == world
    assert [year["event"] for year in years] == ["Kent symposium 2027", "Kent symposium 2026"]
    # 5 came and 2 did not: the 2 is small, and 7 - 5 would give it away.
    assert (years[0]["registered"], years[0]["attended"], years[0]["no_shows"]) == (
        7,
        WITHHELD,
        SMALL,
    )
    assert years[0]["responses"] is None  # no survey
    assert (years[1]["registered"], years[1]["attended"], years[1]["no_shows"]) == (33, 22, 11)
    assert (years[1]["responses"], years[1]["rate"], years[1]["overall"]) == (8, 36, 4.0)


def test_the_overall_scores_are_shown_all_or_none(world):
    from tests.report.factories import ResponseFactory

    survey = world.survey
    for score, count in [(1, 6), (2, 5), (3, 7), (4, 9)]:
        ResponseFactory.create_batch(count, survey=survey, overall=score)

    # 1: 6, 2: 6, 3: 8, 4: 12, 5: 3. With the mean and the number printed, the 3 fives
    # and one withheld count beside them could be worked out from the other three.
    scores = selectors.feedback(world)["overall"]["scores"]

    assert [row["count"] for row in scores] == [WITHHELD] * 4 + [SMALL]
    ResponseFactory.create_batch(2, survey=survey, overall=5)
    scores = selectors.feedback(world)["overall"]["scores"]
    assert [row["count"] for row in scores] == [6, 6, 8, 12, 5]
