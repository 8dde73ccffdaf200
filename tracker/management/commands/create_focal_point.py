"""Create or update a government focal point: a staff user who reports for one actor."""

import getpass
import secrets

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tracker import roles
from tracker.models import Actor, User


class Command(BaseCommand):
    help = (
        "Create (or update) a focal-point user for an actor. Asks for a password when run in a "
        "terminal; --generate-password prints a generated one instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--actor", required=True, help="Slug of the actor the user reports for.")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--generate-password", action="store_true", help="Generate a random password and print it once."
        )
        parser.add_argument("--no-password", action="store_true", help="Keep the current password (updates only).")

    def handle(self, *args, username, actor, email, generate_password, no_password, **options):
        try:
            actor_obj = Actor.objects.get(slug=actor)
        except Actor.DoesNotExist:
            known = ", ".join(Actor.objects.values_list("slug", flat=True)[:20])
            raise CommandError(f"No actor with slug {actor!r}. Known actors include: {known or 'none'}.") from None
        user = User.objects.filter(username=username).first()
        created = user is None
        if created and no_password:
            raise CommandError("--no-password only applies to an existing user.")
        if user is not None and (user.is_superuser or roles.is_secretariat(user)):
            raise CommandError(f"{username!r} is a secretariat or superuser account; refusing to demote it.")
        if user is None:
            user = User(username=username)
        password = None
        if generate_password:
            password = secrets.token_urlsafe(18)
        elif not no_password:
            password = self._ask_password(user)
        with transaction.atomic():
            user.actor = actor_obj
            user.is_staff = True
            user.is_active = True
            if email:
                user.email = email
            if password:
                user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=roles.FOCAL_POINT))
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} focal point {username!r} for {actor_obj.name}."))
        if generate_password:
            self.stdout.write(f"Password (shown once): {password}")

    def _ask_password(self, user):
        if not self.stdin_is_tty():
            raise CommandError("No terminal to ask for a password: use --generate-password.")
        for _attempt in range(3):
            first = getpass.getpass("Password: ")
            second = getpass.getpass("Password (again): ")
            if first != second:
                self.stderr.write("Passwords do not match.")
                continue
            try:
                validate_password(first, user)
            except ValidationError as exc:
                self.stderr.write(" ".join(exc.messages))
                continue
            return first
        raise CommandError("No valid password given.")

    def stdin_is_tty(self):
        import sys

        return sys.stdin.isatty()
