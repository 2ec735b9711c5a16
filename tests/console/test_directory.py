"""The partner directory in the console: merging duplicates through an intermediate
page, the names to match, and importing from CSV or XLSX with a column-mapping preview;
each only for staff with the directory's permissions."""

import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from partners.models import Affiliation, Network, Organisation, OrganisationAlias, OrganisationMerge
from partners.services import match_registration
from symposium.enums import Sector
from tests.factories import DelegateFactory, OrganisationFactory
from tests.helpers import staff_user

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:partners_organisation_changelist"
TO_MATCH = "admin:partners_organisation_to_match"
IMPORT = "admin:partners_organisation_import"


def affiliated(organisation, count):
    for _ in range(count):
        match_registration(delegate=DelegateFactory(organisation=organisation.name))


# Merging ---------------------------------------------------------------------------


def merge_post(client, organisations, **extra):
    return client.post(
        reverse(CHANGELIST),
        {
            "action": "merge_selected",
            ACTION_CHECKBOX_NAME: [o.pk for o in organisations],
            **extra,
        },
    )


def test_merge_asks_which_to_keep_showing_each_ones_delegates(organiser_client):
    police = OrganisationFactory(name="Kent Police", sector=Sector.POLICE)
    constabulary = OrganisationFactory(name="Kent Constabulary", sector=Sector.OTHER)
    affiliated(police, 3)
    affiliated(constabulary, 1)

    response = merge_post(organiser_client, [police, constabulary])

    assert response.status_code == 200
    html = response.content.decode()
    assert "Organisation to keep" in html
    rows = [(o.name, o.delegates) for o in response.context["organisations"]]
    assert rows == [("Kent Constabulary", 1), ("Kent Police", 3)]
    assert f'value="{police.pk}" id="keep-{police.pk}" checked' in html  # The most delegates.
    assert not OrganisationMerge.objects.exists()  # Nothing merged by asking.


def test_merge_confirmed_merges_into_the_one_kept_and_shows_the_history(
    organiser_client, organiser
):
    police = OrganisationFactory(name="Kent Police", sector=Sector.POLICE)
    constabulary = OrganisationFactory(name="Kent Constabulary", sector=Sector.OTHER)
    affiliated(constabulary, 2)

    response = merge_post(
        organiser_client, [police, constabulary], confirm="yes", keep=str(police.pk)
    )

    change = reverse("admin:partners_organisation_change", args=[police.pk])
    assert response.status_code == 302
    assert response["Location"] == change
    record = OrganisationMerge.objects.get()
    assert (record.kept, record.merged_name, record.delegates_moved, record.merged_by) == (
        police,
        "Kent Constabulary",
        2,
        organiser,
    )
    assert set(Affiliation.objects.values_list("organisation", flat=True)) == {police.pk}
    page = organiser_client.get(change).content.decode()
    assert "Kent Constabulary" in page
    assert "merged into this organisation" in page.lower()


def test_merge_needs_two_and_the_change_permission(client):
    police = OrganisationFactory(name="Kent Police")
    constabulary = OrganisationFactory(name="Kent Constabulary")
    viewer = staff_user("view_organisation")
    client.force_login(viewer)

    merge_post(client, [police, constabulary], confirm="yes", keep=str(police.pk))

    assert not OrganisationMerge.objects.exists()
    assert Organisation.objects.current().count() == 2


def test_merging_one_is_refused_with_a_message(organiser_client):
    police = OrganisationFactory(name="Kent Police")

    response = merge_post(organiser_client, [police], confirm="yes", keep=str(police.pk))

    assert response.status_code == 302
    assert not OrganisationMerge.objects.exists()


# To match --------------------------------------------------------------------------


def test_to_match_lists_typed_names_with_their_delegates(organiser_client):
    for name in ["Dover Youth Club", "dover youth club", "Swale Food Bank"]:
        DelegateFactory(organisation=name)

    response = organiser_client.get(reverse(TO_MATCH))

    assert response.status_code == 200
    assert [(u.name, u.delegates) for u in response.context["unmatched"]] == [
        ("Dover Youth Club", 2),
        ("Swale Food Bank", 1),
    ]


def test_to_match_runs_the_same_queries_whatever_the_number_of_names(organiser_client):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert organiser_client.get(reverse(TO_MATCH)).status_code == 200
        return len(queries)

    DelegateFactory(organisation="Dover Youth Club")
    one = count()
    for name in ["Swale Food Bank", "Canterbury Mind", "Thanet Carers"]:
        DelegateFactory(organisation=name)
    assert count() == one


def test_matching_a_name_affiliates_its_delegates_and_remembers_it(organiser_client):
    mind = OrganisationFactory(name="Mind in Brighton and Hove", sector=Sector.VCSE)
    delegates = [DelegateFactory(organisation=n) for n in ["B&H Mind", "b & h mind"]]

    response = organiser_client.post(
        reverse(TO_MATCH),
        {
            "action": "match",
            "match-name": "B&H Mind",
            "match-organisation": "mind in brighton & hove",
        },
    )

    assert response.status_code == 302
    for delegate in delegates:
        delegate.refresh_from_db()
        assert (delegate.organisation, delegate.affiliation.organisation) == (mind.name, mind)
    assert OrganisationAlias.objects.get().name == "B&H Mind"


def test_matching_to_a_name_not_in_the_directory_says_so_and_changes_nothing(organiser_client):
    DelegateFactory(organisation="Dover Youth Club")

    response = organiser_client.post(
        reverse(TO_MATCH),
        {"action": "match", "match-name": "Dover Youth Club", "match-organisation": "Nobody"},
    )

    assert response.status_code == 200
    assert "No organisation of this name in the directory" in response.content.decode()
    assert not Affiliation.objects.exists()


def test_adding_a_typed_name_to_the_directory(organiser_client):
    delegate = DelegateFactory(organisation="Dover Youth Club", sector=Sector.OTHER)

    organiser_client.post(
        reverse(TO_MATCH),
        {"action": "create", "create-name": "Dover Youth Club", "create-sector": "vcse"},
    )

    new = Organisation.objects.get(name="Dover Youth Club")
    assert new.sector == Sector.VCSE
    delegate.refresh_from_db()
    assert (delegate.affiliation.organisation, delegate.sector) == (new, Sector.VCSE)


def test_adding_a_name_needs_a_sector(organiser_client):
    DelegateFactory(organisation="Dover Youth Club")

    response = organiser_client.post(
        reverse(TO_MATCH), {"action": "create", "create-name": "Dover Youth Club"}
    )

    assert "Choose the new organisation&#x27;s sector" in response.content.decode()
    assert not Organisation.objects.exists()


def test_to_match_needs_the_change_permission_and_adding_the_add_one(client):
    DelegateFactory(organisation="Dover Youth Club")
    client.force_login(staff_user("view_organisation"))
    assert client.get(reverse(TO_MATCH)).status_code == 403

    client.force_login(staff_user("change_organisation"))
    assert client.get(reverse(TO_MATCH)).status_code == 200
    response = client.post(
        reverse(TO_MATCH),
        {"action": "create", "create-name": "Dover Youth Club", "create-sector": "vcse"},
    )
    assert response.status_code == 403
    assert not Organisation.objects.exists()


# Importing -------------------------------------------------------------------------

CSV = (
    "Organisation name,Type,Also known as,Member of,Web\n"
    "Kent County Council,Local council,KCC,Kent and Medway Better Mental Health Network,"
    "kent.gov.uk\n"
    "Kent Police,police,Kent Constabulary,Suicide Prevention Network;"
    "Kent and Medway Better Mental Health Network,https://www.kent.police.uk\n"
    ",vcse,,,\n"
    "Dover Youth Club,Youth work,,,\n"
    "Swale Food Bank,VCSE,,,not a web address\n"
    "KENT POLICE,police,,,\n"
    "Medway Council,council,,,https://www.medway.gov.uk\n"
)


def upload(client, content, name="directory.csv"):
    return client.post(reverse(IMPORT), {"file": SimpleUploadedFile(name, content)})


def test_import_previews_the_guessed_columns_and_each_rows_problem(organiser_client):
    response = upload(organiser_client, CSV.encode())
    assert response.status_code == 302
    preview = organiser_client.get(response["Location"])

    assert preview.status_code == 200
    assert preview.context["mapping"] == {
        "name": 0,
        "sector": 1,
        "aliases": 2,
        "networks": 3,
        "website": 4,
    }
    assert [row.name for row in preview.context["preview"]][:2] == [
        "Kent County Council",
        "Kent Police",
    ]
    assert [(row.number, row.errors) for row in preview.context["errors"]] == [
        (4, ["No name."]),
        (5, ["Unknown sector “Youth work”."]),
        (6, ["Not a web address: “not a web address”."]),
        (7, ["The same name as row 3."]),
    ]
    assert preview.context["good"] == 3
    assert not Organisation.objects.exists()  # Nothing saved by looking.


def test_import_confirmed_saves_the_good_rows_and_lists_the_skipped(organiser_client):
    OrganisationFactory(name="Medway Council", sector=Sector.OTHER)
    location = upload(organiser_client, CSV.encode())["Location"]
    token = location.split("upload=")[1]

    response = organiser_client.post(
        reverse(IMPORT),
        {
            "upload": token,
            "confirm": "Import",
            "name": "0",
            "sector": "1",
            "aliases": "2",
            "networks": "3",
            "website": "4",
        },
    )

    assert response.status_code == 200
    assert (response.context["result"].created, response.context["result"].updated) == (2, 1)
    assert [number for number, _ in response.context["skipped"]] == [4, 5, 6, 7]
    kcc = Organisation.objects.get(name="Kent County Council")
    assert (kcc.sector, kcc.website) == (Sector.COUNCIL, "https://kent.gov.uk")
    assert list(kcc.aliases.values_list("name", flat=True)) == ["KCC"]
    police = Organisation.objects.get(name="Kent Police")
    assert sorted(police.networks.values_list("name", flat=True)) == [
        "Kent and Medway Better Mental Health Network",
        "Suicide Prevention Network",
    ]
    assert Network.objects.count() == 2
    assert Organisation.objects.get(name="Medway Council").sector == Sector.COUNCIL
    # The upload is gone once imported.
    again = organiser_client.get(location)
    assert again.status_code == 302


def test_import_reads_an_excel_workbook_with_a_mapping_chosen_by_hand(organiser_client):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Sector", "Title"])
    sheet.append(["NHS", "NHS Kent and Medway"])
    sheet.append(["Police", "Kent Police"])
    out = io.BytesIO()
    workbook.save(out)
    location = upload(organiser_client, out.getvalue(), "partners.xlsx")["Location"]
    token = location.split("upload=")[1]

    guessed = organiser_client.get(location)
    assert guessed.context["mapping"]["name"] is None  # "Title" says nothing.
    chosen = organiser_client.get(location, {"upload": token, "name": "1", "sector": "0"})
    assert chosen.context["good"] == 2
    organiser_client.post(
        reverse(IMPORT), {"upload": token, "confirm": "Import", "name": "1", "sector": "0"}
    )

    assert dict(Organisation.objects.values_list("name", "sector")) == {
        "NHS Kent and Medway": Sector.NHS,
        "Kent Police": Sector.POLICE,
    }


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("partners.txt", b"name,sector\n", "Upload a CSV file (.csv) or an Excel workbook"),
        ("partners.xlsx", b"name,sector\nKent,nhs\n", "not an Excel workbook"),
        ("partners.csv", b"", "The submitted file is empty"),
        ("partners.csv", b"x" * (2 * 1024 * 1024 + 1), "larger than 2 MB"),
    ],
)
def test_import_refuses_a_file_it_cannot_read(organiser_client, name, content, error):
    response = upload(organiser_client, content, name)

    assert response.status_code == 200
    assert error in response.content.decode()


def test_import_needs_the_add_and_change_permissions(client):
    client.force_login(staff_user("change_organisation", "view_organisation"))
    assert client.get(reverse(IMPORT)).status_code == 403
    assert upload(client, CSV.encode()).status_code == 403
    assert not Organisation.objects.exists()


def test_an_upload_is_its_uploaders_only(client, organiser_client):
    location = upload(organiser_client, CSV.encode())["Location"]
    token = location.split("upload=")[1]
    other = staff_user("add_organisation", "change_organisation")
    client.force_login(other)

    response = client.post(
        reverse(IMPORT), {"upload": token, "confirm": "Import", "name": "0", "sector": "1"}
    )

    assert response.status_code == 302  # "Upload the file again."
    assert not Organisation.objects.exists()


def test_import_refuses_a_workbook_that_unpacks_too_large(organiser_client, settings):
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (51 * 1024 * 1024))

    response = upload(organiser_client, out.getvalue(), "bomb.xlsx")

    assert "too large once unpacked" in response.content.decode()
