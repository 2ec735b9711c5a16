"""`manage.py createorganiser <username> --email …`: an organiser's staff account.

The first account an operator makes, and any after it: a staff account in the
Organisers group (everything an event needs, staff accounts included, without being a
superuser). Run again for an existing account, it puts it back in the group and makes it
staff again, keeping its password unless `--set-password`.

Which events it sees (symposium.teams):
- by default every event, as before teams: it joins the "All events" team;
- `--team NAME`: the events of that team (it must exist), instead;
- `--event SLUG` (once per event): only those events; it joins the team named by
  `--team`, made if need be, or else one named after the events ("Team: slug, slug"),
  and leaves any team of all events it was in.

The password is asked for twice at a terminal, or read from CREATEORGANISER_PASSWORD
(for a provisioning script), and checked against the password rules.
"""

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from symposium import teams
from symposium.models import Event, Team

ORGANISERS = "Organisers"
PASSWORD_VARIABLE = "CREATEORGANISER_PASSWORD"


class Command(BaseCommand):
    help = "Create an organiser (a staff account in the Organisers group), or make one so."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--team",
            help="Put the account in this team (instead of the All events team).",
        )
        parser.add_argument(
            "--event",
            action="append",
            default=[],
            dest="events",
            metavar="SLUG",
            help="Limit the account to this event (repeat for more): it joins a team of "
            "these events instead of the All events team.",
        )
        parser.add_argument(
            "--set-password",
            action="store_true",
            help="For an existing account: set a new password too.",
        )

    def handle(self, *args, username, email, first_name, last_name, set_password, **options):
        User = get_user_model()
        team_name, slugs = options["team"], options["events"]
        events = list(Event.objects.filter(slug__in=slugs))
        unknown = sorted(set(slugs) - {event.slug for event in events})
        if unknown:
            raise CommandError(f"No event with the slug {', '.join(unknown)}.")
        if team_name and not slugs and not Team.objects.filter(name=team_name).exists():
            raise CommandError(f"No team {team_name!r}: name its events with --event.")
        try:
            group = Group.objects.get(name=ORGANISERS)
        except Group.DoesNotExist as missing:
            raise CommandError("No Organisers group: run `manage.py migrate` first.") from missing
        user = User.objects.filter(username=username).first()
        created = user is None
        if created:
            user = User(username=username)
        if email:
            user.email = email
        if first_name:
            user.first_name = first_name
        if last_name:
            user.last_name = last_name
        if created or set_password:
            user.set_password(self._password(user, interactive=options["interactive"]))
        user.is_staff = True
        user.is_active = True
        with transaction.atomic():
            user.save()
            user.groups.add(group)
            team = self._team(user, team_name, events)
        verb = "Created" if created else "Updated"
        self.stdout.write(
            f"{verb} organiser {username!r} (staff, in the Organisers group, "
            f"in the team {team.name!r})."
        )

    def _team(self, user, name, events):
        if not events:
            team = Team.objects.get(name=name) if name else teams.all_events_team()
        else:
            name = name or "Team: " + ", ".join(sorted(event.slug for event in events))
            team, _ = Team.objects.get_or_create(name=name[:100])
            team.limit_events.add(*events)
            # Limited to these events: no longer in a team that sees every event.
            user.event_teams.remove(*user.event_teams.filter(all_events=True))
        team.members.add(user)
        return team

    def _password(self, user, *, interactive):
        password = os.environ.get(PASSWORD_VARIABLE)
        if password is None:
            if not interactive:
                raise CommandError(f"Set {PASSWORD_VARIABLE}, or run it at a terminal.")
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        return password

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help=f"Never prompt: the password comes from {PASSWORD_VARIABLE}.",
        )
        return parser
