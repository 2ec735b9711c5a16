"""Attendee lists: one column per question, in the questions' order, after the rounds
and needs; sensitive answers only with the needs; spreadsheet-safe; fixed queries."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from console.exports.attendees import AttendeeFilters, AttendeeList, attendees
from symposium.exports.base import csv_lines
from tests.factories import DelegateFactory, DelegateNeedsFactory
from tests.helpers import staff_user
from tests.questions.factories import AnswerFactory, QuestionFactory, choice_question

pytestmark = pytest.mark.django_db

QUESTION_COLUMNS = [
    "Name for your badge",
    "What do you hope to get from the day?",
    "Will you drive to the venue?",
    "Your car's registration number",
    "Your role",
    "Topics you work on",
    "How many colleagues will you bring?",
    "When did you join your organisation?",
]


def answer_everything(asked, delegate):
    AnswerFactory(delegate=delegate, question=asked.badge, value='=HYPERLINK("x")')
    AnswerFactory(delegate=delegate, question=asked.driving, value="yes")
    AnswerFactory(delegate=delegate, question=asked.car, value="KE70 ABC")
    AnswerFactory(
        delegate=delegate,
        question=asked.topics,
        value="",
        options=list(asked.topics.options.filter(label__in=["Workforce", "Prevention"])),
    )
    AnswerFactory(delegate=delegate, question=asked.colleagues, value="2.5")
    AnswerFactory(delegate=delegate, question=asked.joined, value="2019-04-01")
    AnswerFactory(
        delegate=delegate, question=asked.health, value="Asthma", consented_at=timezone.now()
    )


def read(response):
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def export(client, event, **params):
    url = reverse("staff:attendee-export", kwargs={"slug": event.slug})
    query = {"delegates": "event", "statuses": "confirmed", "file_format": "csv", **params}
    response = client.get(url, query)
    assert response.status_code == 200
    return response


def test_one_column_per_question_in_order_with_the_answers(client, asked):
    delegate = DelegateFactory(event=asked.event, full_name="Ana Able")
    DelegateNeedsFactory(delegate=delegate)
    answer_everything(asked, delegate)
    DelegateFactory(event=asked.event, full_name="Bo Brown")  # Answered nothing.
    client.force_login(staff_user(groups=["Event staff"]))

    header, ana, bo = read(export(client, asked.event, include_needs="on"))
    start = header.index("Access needs") + 1
    assert header[start : start + 9] == [*QUESTION_COLUMNS, asked.health.label]
    assert header[start + 9] == "Registered at"
    assert ana[start : start + 9] == [
        '\'=HYPERLINK("x")',  # Spreadsheet-safe: text, never a formula.
        "",
        "Yes",
        "KE70 ABC",
        "",
        "Prevention, Workforce",  # In the options' order.
        "2.5",
        "2019-04-01",
        "Asthma",
    ]
    assert bo[start : start + 9] == [""] * 9


def test_sensitive_answers_only_for_those_who_may_see_needs(client, asked):
    delegate = DelegateFactory(event=asked.event)
    answer_everything(asked, delegate)
    client.force_login(staff_user(groups=["Event staff"]))
    header, row = read(export(client, asked.event))
    assert asked.health.label not in header
    assert "Asthma" not in row
    start = header.index("Your car's registration number")
    assert header[start - 3 : start + 5] == QUESTION_COLUMNS


def test_the_xlsx_has_the_same_columns(client, asked):
    delegate = DelegateFactory(event=asked.event)
    answer_everything(asked, delegate)
    client.force_login(staff_user(groups=["Event staff"]))
    response = export(client, asked.event, file_format="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    start = rows[0].index(QUESTION_COLUMNS[0])
    assert rows[0][start : start + 8] == QUESTION_COLUMNS
    assert rows[1][start + 2] == "Yes"


@pytest.mark.parametrize("count", [2, 20])
def test_the_list_with_questions_takes_a_fixed_number_of_queries(
    asked, django_assert_num_queries, count
):
    for _ in range(count):
        answer_everything(asked, DelegateFactory(event=asked.event))
    for order in range(20, 25):
        QuestionFactory(event=asked.event, order=order)
        choice_question(asked.event, f"More {order}", "A", order=order)
    delegates = attendees(event=asked.event, filters=AttendeeFilters(include_needs=True))
    # Rounds, questions and their options, themes, then one chunk: delegates with their
    # needs, their choices, their answers and the options chosen.
    with django_assert_num_queries(8):
        exporter = AttendeeList(event=asked.event, delegates=delegates, include_needs=True)
        lines = list(csv_lines(exporter.table()))
    assert len(lines) == count + 2  # The byte-order mark, the header, the rows.
