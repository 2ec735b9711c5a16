"""Issue 23's whole partner flow in Chromium, as people do it by clicking: an organiser
imports 50 partners (CSV, with the column-mapping preview) and 200 personal
invitations, and sends them (built and emailed by the task queue's worker); an invitee
registers from her email; her partner lead opens the link he is emailed and passes her
place to a colleague, who gets a manage link of her own; the lead is warned before the
release, and at the release the unused seats go to the general pool and the quota's
waitlist waits with everyone else. What each person is told is read from their page or
their email."""

import datetime as dt
import importlib
import re
import threading
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from partners.models import (
    InvitationStatus,
    Organisation,
    PartnerLead,
    PersonalInvitation,
    SeatQuota,
)
from registration import services
from registration import tasks as registration_tasks
from symposium.enums import RegistrationStatus, Sector
from symposium.models import Delegate
from symposium.tokens import make_manage_token
from tests.background import run_background_jobs as run_jobs
from tests.factories import EventFactory, UserFactory

pytestmark = [pytest.mark.postgres]

SLUG = "partners-day"
EVENT = "Kent and Medway partners' symposium"
PASSWORD = "correct-horse-battery"
GRANTS = [
    ("symposium.migrations.0003_groups", "create_groups"),
    ("mailings.migrations.0002_organisers_can_email_delegates", "grant"),
    ("partners.migrations.0002_organisers_manage_the_directory", "grant"),
    ("partners.migrations.0003_organisers_manage_partner_leads", "grant"),
    ("partners.migrations.0004_organisers_invite", "grant"),
    ("partners.migrations.0006_organisers_manage_seat_quotas", "grant"),
]
PLACES = ["Ashford", "Canterbury", "Dartford", "Dover", "Folkestone", "Gravesend",
          "Maidstone", "Sevenoaks", "Swale", "Thanet", "Tonbridge", "Whitstable"]  # fmt: skip
KINDS = [("Mind", "Charity"), ("Primary Care Network", "NHS"),
         ("Town Council", "Local council"), ("Academy", "Education")]  # fmt: skip
CAPACITY = 5  # 3 kept for Medway Council, 1 for Kent Police, 1 for everyone.


def organiser_account():
    """The groups and grants come from data migrations, which a live-server test's
    flush removes: made again as the migrations leave them."""
    if not Group.objects.filter(name="Organisers").exists():
        editor = SimpleNamespace(connection=connection)
        for module, function in GRANTS:
            getattr(importlib.import_module(module), function)(apps, editor)
    user = UserFactory(username="olu", is_staff=True)
    user.groups.add(Group.objects.get(name="Organisers"))
    return user


def sign_in(page, user):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def run_background_jobs():
    """The worker in a thread of its own: Playwright's sync API keeps an event loop
    running in this one, and the worker starts its own."""
    worker = threading.Thread(target=run_jobs)
    worker.start()
    worker.join(timeout=180)
    assert not worker.is_alive()


def partners_csv(path):
    """50 partners and one row the import must skip, under headers of the partners'
    own: two of them the page cannot guess."""
    rows = [
        ("Medway Council", "Local council", "Medway Borough Council",
         "Better Mental Health Network; Suicide Prevention Network", "medway.gov.uk"),
        ("Kent Police", "Police", "Kent Constabulary", "Suicide Prevention Network",
         "kent.police.uk"),
    ]  # fmt: skip
    rows += [
        (f"{place} {kind}", sector, "", "Better Mental Health Network", "")
        for kind, sector in KINDS
        for place in PLACES
    ]
    rows.append(("Canterbury Cake Co", "Bakery", "", "", ""))
    lines = ["Partner,Kind of body,Known as,Member of,Web"]
    lines += [",".join(f'"{cell}"' for cell in row) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return [row[0] for row in rows[:50]]


def invitations_csv(path, partners):
    """200 people of the 50 partners (their organisation typed in any case), and one
    row with a bad address."""
    lines = ["Name,Email,Organisation", "Ann Achebe,ann.achebe@medway.example.org,medway council"]
    for number in range(1, 200):
        organisation = partners[number % len(partners)]
        lines.append(f"Invitee Number{number},invitee{number}@partners.example.org,{organisation}")
    lines.append("Bad Address,not-an-address,Kent Police")
    path.write_text("\n".join(lines) + "\n")


def links(message, kind):
    """The paths of the message's links to a page of this kind, each once."""
    found = re.findall(rf"https?://\S+?/{kind}/[^/\s]+/", message.body)
    return list(dict.fromkeys(urlsplit(url).path for url in found))


def one_email(to, subject_start):
    found = [m for m in mail.outbox if m.to == [to] and m.subject.startswith(subject_start)]
    assert len(found) == 1, [(m.to, m.subject) for m in mail.outbox if m.to == [to]]
    return found[0]


def warnings_to(address):
    return [m for m in mail.outbox if m.to == [address] and m.subject.startswith("Your places")]


def register(event, name, organisation=None):
    first, last = name.split()
    return services.register_delegate(
        event=event,
        first_name=first,
        last_name=last,
        email=f"{first.lower()}@example.org",
        organisation=organisation.name if organisation else "Hythe Men's Shed",
        sector=organisation.sector if organisation else Sector.VCSE,
        directory_entry=organisation,
    ).delegate


def status(delegate):
    delegate.refresh_from_db()
    return delegate.status


def test_an_organiser_imports_invites_a_lead_substitutes_and_the_quotas_release(
    new_page, settings, tmp_path
):
    settings.QUOTA_RELEASE_WARNING_DAYS = 3
    event = EventFactory(slug=SLUG, name=EVENT, delegate_capacity=CAPACITY)
    organiser = organiser_account()
    admin = new_page()
    sign_in(admin, organiser)

    # 1. The directory: 50 partners from a CSV, the columns mapped on the preview. -----
    names = partners_csv(tmp_path / "partners.csv")
    admin.goto("/admin/partners/organisation/import/")
    admin.get_by_label("Spreadsheet").set_input_files(tmp_path / "partners.csv")
    admin.get_by_role("button", name="Upload and check").click()
    summary = admin.locator("#import-summary")
    expect(summary).to_have_text("0 rows can be imported; 51 cannot and will be skipped.")
    expect(admin.locator("#import-errors")).to_contain_text("No sector.")
    admin.get_by_label("Sector:", exact=True).select_option(label="Kind of body")
    admin.get_by_label("Other names (separated by ;)").select_option(label="Known as")
    admin.get_by_role("button", name="Check again with these columns").click()
    expect(summary).to_have_text("50 rows can be imported; 1 cannot and will be skipped.")
    expect(admin.locator("#import-errors")).to_contain_text("Unknown sector “Bakery”.")
    expect(admin.locator("#import-preview")).to_contain_text("Medway Borough Council")
    admin.get_by_role("button", name="Import 50 organisations").click()
    expect(admin.locator("#import-result")).to_have_text(
        "50 organisations added, 0 updated, 1 row skipped."
    )
    assert Organisation.objects.current().count() == 50
    medway = Organisation.objects.get(name="Medway Council")
    police = Organisation.objects.get(name="Kent Police")
    assert (medway.sector, police.sector) == (Sector.COUNCIL, Sector.POLICE)
    assert sorted(medway.networks.values_list("name", flat=True)) == [
        "Better Mental Health Network",
        "Suicide Prevention Network",
    ]

    # Seats kept until a release date, and the people already registered or waiting.
    # A week ahead: beyond the warning's 3 days, so the worker's periodic runs below
    # warn nobody yet.
    release_at = timezone.now() + dt.timedelta(days=7)
    for organisation, seats in ((medway, 3), (police, 1)):
        SeatQuota.objects.create(
            event=event, organisation=organisation, seats=seats, release_at=release_at
        )
    PartnerLead.objects.create(
        name="Mo Medway", email="mo@medway.example.org", organisation=medway
    ).events.add(event)
    register(event, "Gil General")
    pat = register(event, "Pat Police", police)
    waiting = [register(event, name) for name in ("Gus General", "Wen General", "Yan General")]
    pia = register(event, "Pia Police", police)  # On the Kent Police quota's waitlist.
    assert [status(d) for d in (pat, *waiting, pia)] == [RegistrationStatus.CONFIRMED] + [
        RegistrationStatus.WAITLISTED
    ] * 4

    # 2. 200 personal invitations from a CSV, checked before anything is saved. --------
    invitations_csv(tmp_path / "invitations.csv", names)
    admin.goto("/admin/partners/personalinvitation/import/")
    admin.get_by_label("Event").select_option(label=EVENT)
    admin.get_by_label("Tag").fill("network members")
    admin.get_by_label("CSV file").set_input_files(tmp_path / "invitations.csv")
    admin.get_by_role("button", name="Preview").click()
    expect(admin.locator("#import-summary")).to_have_text(
        f"200 people will be invited to {EVENT}; 1 row with problems will be left out. "
        "Nothing has been saved yet."
    )
    expect(admin.locator("#import-errors")).to_contain_text("is not an email address")
    expect(admin.locator("#import-rows tbody tr").first).to_contain_text(
        "Medway Council (organisation and sector locked)"
    )
    assert not PersonalInvitation.objects.exists()
    admin.get_by_role("button", name="Invite 200 people").click()
    expect(admin.locator(".messagelist")).to_contain_text(
        f"200 people invited to {EVENT}. Select them and send the invitation when you are ready."
    )
    counts = admin.locator("#invitation-counts tbody td")
    expect(counts).to_have_text(["200", "0", "0", "0", "0"])  # Not sent yet, …

    # 3. Sent: every one of them selected across the list's pages, then the worker. ----
    admin.locator("#action-toggle").check()
    admin.get_by_text("Select all 200 personal invitations").click()
    admin.get_by_label("Action:").select_option(
        label="Send the invitation to those selected not yet sent it"
    )
    admin.get_by_role("button", name="Go").click()
    expect(admin.locator(".messagelist")).to_contain_text(
        "Sending 200 invitations: they are being emailed in the background."
    )
    assert not [m for m in mail.outbox if m.subject == f"You are invited to {EVENT}"]
    run_background_jobs()
    invited = [m for m in mail.outbox if m.subject == f"You are invited to {EVENT}"]
    assert len(invited) == 200
    assert len({m.to[0] for m in invited}) == 200
    admin.reload()
    expect(counts).to_have_text(["0", "200", "0", "0", "0"])  # …, no answer yet, …

    # 4. Ann registers from her email: her organisation is Medway Council, locked. -----
    ann_page = new_page()
    (ann_invitation,) = links(one_email("ann.achebe@medway.example.org", "You are"), "invitation")
    ann_page.goto(ann_invitation)
    expect(ann_page.get_by_role("heading", level=1)).to_have_text("Ann Achebe, you are invited")
    ann_page.get_by_role("link", name="Register with this invitation").click()
    expect(ann_page.get_by_label("Organisation")).to_have_value("Medway Council")
    expect(ann_page.get_by_label("Organisation")).to_be_disabled()
    ann_page.get_by_label("I have read the privacy notice").check()
    ann_page.get_by_role("button", name="Register").click()
    expect(ann_page.get_by_role("heading", level=1)).to_have_text("You are registered")
    ann = Delegate.objects.get(email="ann.achebe@medway.example.org")
    assert (ann.status, ann.quota_place.quota.organisation) == (
        RegistrationStatus.CONFIRMED,
        medway,
    )
    (ann_manage,) = links(one_email(ann.email, f"Your place at {EVENT} is confirmed"), "manage")
    admin.reload()
    expect(counts).to_have_text(["0", "199", "1", "0", "0"])

    # 5. Medway's partner lead, emailed his link by the organiser, passes Ann's place. --
    admin.goto("/admin/partners/partnerlead/")
    admin.get_by_role("row").filter(has_text="Mo Medway").get_by_role("checkbox").check()
    admin.get_by_label("Action:").select_option(label="Email their link to the selected leads")
    admin.get_by_role("button", name="Go").click()
    expect(admin.locator(".messagelist")).to_contain_text("1 link email(s) queued for 1 lead(s).")
    run_background_jobs()
    (lead_link,) = links(one_email("mo@medway.example.org", "Your link to your people"), "partners")
    lead = new_page()
    lead.goto(lead_link)
    expect(lead.get_by_role("heading", level=1)).to_have_text(f"Medway Council at {EVENT}")
    when = timezone.localtime(release_at)
    kept_until = f"{when.day} {when:%B %Y} at {when:%H:%M}"
    expect(lead.locator("#quota-use")).to_have_text(
        f"3 places kept for Medway Council until {kept_until}: 1 taken, 2 still free. "
        "Places not taken by then return to the general pool."
    )
    lead.get_by_role("link", name="Pass Ann Achebe's place to a colleague").click()
    lead.get_by_label("Colleague's first name").fill("Dee")
    lead.get_by_label("Colleague's last name").fill("Dlamini")
    lead.get_by_label("Colleague's email address").fill("dee.dlamini@medway.example.org")
    lead.get_by_role("button", name="Pass the place to this colleague").click()
    expect(lead.locator("main")).to_contain_text("Ann Achebe's place has passed to Dee Dlamini")

    passed = one_email(ann.email, f"Your place at {EVENT} has passed to a colleague")
    assert "as Medway Council's partner lead for the event asked" in passed.body
    assert "your link to it no longer works" in passed.body  # True: below.
    confirmation = one_email("dee.dlamini@medway.example.org", f"Your place at {EVENT}")
    assert confirmation.subject == f"Your place at {EVENT} is confirmed"
    (dee_manage,) = links(confirmation, "manage")
    dee_page = new_page()
    dee_page.goto(dee_manage)
    expect(dee_page.get_by_label("First name")).to_have_value("Dee")
    expect(dee_page.locator("main")).to_contain_text(f"Your place at {EVENT} is confirmed.")
    assert ann_page.goto(ann_manage).status == 404  # Her link died with the place.
    expect(ann_page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    dee = Delegate.objects.get(email="dee.dlamini@medway.example.org")
    assert dee.quota_place.quota.organisation == medway  # The seat stays Medway's.

    # 6. Warned two days before, then released: the unused seats to the general pool. --
    assert warnings_to("mo@medway.example.org") == []
    release_at = timezone.now() + dt.timedelta(days=2)  # Five days on, say.
    SeatQuota.objects.update(release_at=release_at)
    registration_tasks.release_quotas()
    run_background_jobs()
    (warning,) = warnings = warnings_to("mo@medway.example.org")
    when = timezone.localtime(release_at)
    assert warning.subject == (
        f"Your places at {EVENT}: unused seats are released on {when.day} {when:%B}"
    )
    assert "keeps 3 places for Medway Council. 1 is taken." in warning.body
    assert "the 2 places not yet taken return to the general pool" in warning.body
    registration_tasks.release_quotas()  # Again: nobody is warned twice.
    run_background_jobs()
    assert warnings_to("mo@medway.example.org") == warnings

    SeatQuota.objects.update(release_at=timezone.now() - dt.timedelta(minutes=1))
    registration_tasks.release_quotas()
    registration_tasks.release_quotas()  # Late or repeated: released once.
    run_background_jobs()
    gus, wen, yan = waiting
    assert [status(d) for d in (gus, wen, yan, pia)] == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.WAITLISTED,
    ]
    for delegate in (gus, wen):
        one_email(delegate.email, f"A place has come up: you are now confirmed for {EVENT}")
    assert Delegate.objects.filter(event=event).confirmed().count() == CAPACITY
    lead.goto(lead_link)
    expect(lead.locator("#quota-use")).to_have_text(
        f"The 3 places kept for Medway Council returned to the general pool on "
        f"{timezone.localtime().day} {timezone.localtime():%B %Y} (1 taken)."
    )

    # Kent Police's waitlist now waits with everyone, in time order: the seat Pat gives
    # up goes to Yan, who asked before Pia, not to Pia as it would before the release.
    pat_page = new_page()
    pat_page.goto(f"/events/{SLUG}/manage/{make_manage_token(pat)}/cancel/")
    pat_page.get_by_role("button", name="Yes, cancel my registration").click()
    expect(pat_page.locator("main")).to_contain_text("This registration was cancelled on")
    assert (status(yan), status(pia)) == (
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    )
    pia_page = new_page()
    pia_page.goto(f"/events/{SLUG}/manage/{make_manage_token(pia)}/")
    expect(pia_page.locator("main")).to_contain_text(
        f"You are on the waitlist for {EVENT}. We will email you if a place comes up."
    )
    assert PersonalInvitation.objects.get(delegate=ann).status == InvitationStatus.REGISTERED
    for page in (admin, ann_page, lead, dee_page, pat_page, pia_page):
        assert not page.script_errors
