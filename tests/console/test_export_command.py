import csv
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from breakouts.enums import ChoiceStatus
from symposium.enums import RegistrationStatus, Sector
from symposium.models import ExportRecord
from tests.factories import (
    BreakoutChoiceFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    DelegateNeedsFactory,
    EventFactory,
    ThemeFactory,
)


@pytest.fixture
def event(db):
    event = EventFactory(slug="kent-medway")
    session = BreakoutSessionFactory(theme=ThemeFactory(event=event, number=3))
    amy = DelegateFactory(event=event, first_name="Amy", last_name="Ames", sector=Sector.NHS)
    DelegateNeedsFactory(delegate=amy, dietary_requirement="halal", access_needs="Ramp")
    BreakoutChoiceFactory(session=session, delegate=amy)
    ben = DelegateFactory(
        event=event,
        first_name="Ben",
        last_name="Bell",
        organisation="Kent Police",
        sector=Sector.POLICE,
    )
    BreakoutChoiceFactory(session=session, delegate=ben, status=ChoiceStatus.WAITLISTED)
    DelegateFactory(
        event=event, first_name="Cat", last_name="Cole", status=RegistrationStatus.WAITLISTED
    )
    event.session = session
    return event


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("export_attendees", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def parse_csv(text):
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def test_command_writes_csv_file_and_record(event, tmp_path):
    output = tmp_path / "delegates.csv"

    _, err = run("kent-medway", "--output", str(output))

    rows = parse_csv(output.read_text(encoding="utf-8"))
    assert [row[0] for row in rows[1:]] == ["Amy Ames", "Ben Bell"]
    assert err == f"Exported 2 delegates to {output}.\n"
    record = ExportRecord.objects.get()
    assert (record.event, record.exported_by, record.export) == (event, None, "Attendee list")
    assert (record.file_format, record.row_count) == ("csv", 2)
    assert record.filters == {"include_inactive": False, "include_needs": False}


def test_command_writes_csv_to_stdout_without_output(event):
    out, err = run("kent-medway", "--sector", "police")

    rows = parse_csv(out)
    assert [row[0] for row in rows[1:]] == ["Ben Bell"]
    assert err == "Exported 1 delegate to stdout.\n"
    assert ExportRecord.objects.get().filters["sector"] == "police"


def test_command_writes_xlsx_file_with_filters(event, tmp_path):
    output = tmp_path / "delegates.xlsx"

    run(
        "kent-medway",
        "--format",
        "xlsx",
        "--session",
        str(event.session.pk),
        "--include-waitlist",
        "--include-needs",
        "--output",
        str(output),
    )

    sheet = openpyxl.load_workbook(output).active
    header = [cell.value for cell in sheet[1]]
    assert header[-3:] == ["Dietary needs", "Access needs", "Registered at"]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        "Amy Ames",
        "Ben Bell",
    ]
    assert sheet["I2"].value == "Halal"
    record = ExportRecord.objects.get()
    assert (record.file_format, record.row_count, record.exported_by) == ("xlsx", 2, None)
    assert record.filters == {
        "session": event.session.pk,
        "include_inactive": True,
        "include_needs": True,
    }


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--theme", "3"], ["Amy Ames"]),
        (["--theme", "3", "--include-waitlist"], ["Amy Ames", "Ben Bell"]),
        (["--organisation", "kent police"], ["Ben Bell"]),
        (["--include-waitlist"], ["Amy Ames", "Ben Bell", "Cat Cole"]),
    ],
)
def test_command_filters(event, args, expected):
    out, _ = run("kent-medway", *args)

    assert [row[0] for row in parse_csv(out)[1:]] == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-event"], "No event with the slug “no-such-event”."),
        (["kent-medway", "--format", "xlsx"], "XLSX is a binary file: give --output FILE."),
        (["kent-medway", "--theme", "9"], "Event “kent-medway” has no theme 9."),
    ],
)
def test_command_refuses_bad_arguments(event, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)

    assert not ExportRecord.objects.exists()


def test_command_refuses_session_of_another_event(event):
    other = BreakoutSessionFactory()

    with pytest.raises(CommandError, match=f"has no breakout session {other.pk}"):
        run("kent-medway", "--session", str(other.pk))
