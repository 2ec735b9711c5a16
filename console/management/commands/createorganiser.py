"""`manage.py createorganiser <username> --email …`: an organiser's staff account.

The first account an operator makes, and any after it: a staff account in the
Organisers group (everything an event needs, staff accounts included, without being a
superuser). Run again for an existing account, it puts it back in the group and makes it
staff again, keeping its password unless `--set-password`.

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
            "--set-password",
            action="store_true",
            help="For an existing account: set a new password too.",
        )

    def handle(self, *args, username, email, first_name, last_name, set_password, **options):
        User = get_user_model()
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
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} organiser {username!r} (staff, in the Organisers group).")

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
