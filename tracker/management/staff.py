"""What the commands that create staff accounts share (`create_focal_point`,
`create_secretariat`): finding the actor, asking for a password, saving the account with staff
status and its role's group in one transaction."""

import getpass
import secrets
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tracker import roles
from tracker.models import Actor, User


class StaffCommand(BaseCommand):
    """A command that creates or updates one staff user (`username`) with a role's group."""

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--generate-password", action="store_true", help="Generate a random password and print it once."
        )
        parser.add_argument("--no-password", action="store_true", help="Keep the current password (updates only).")

    def actor_by_slug(self, slug):
        """The Actor with `slug`; CommandError listing known slugs when there is none."""
        try:
            return Actor.objects.get(slug=slug)
        except Actor.DoesNotExist:
            known = ", ".join(Actor.objects.values_list("slug", flat=True)[:20])
            raise CommandError(f"No actor with slug {slug!r}. Known actors include: {known or 'none'}.") from None

    def save_staff_user(self, username, *, group, actor, email, generate_password, no_password, refuse=None):
        """Create or update `username` as an active staff user of `group` (a group name) with
        `actor` (or None). `refuse(user)` may return a reason to leave an existing user alone.
        Returns (user, created, password shown once or None). Raises CommandError."""
        user = User.objects.filter(username=username).first()
        created = user is None
        if created and no_password:
            raise CommandError("--no-password only applies to an existing user.")
        reason = refuse(user) if refuse and user is not None else None
        if reason:
            raise CommandError(reason)
        if user is None:
            user = User(username=username)
        password = None
        if generate_password:
            password = secrets.token_urlsafe(18)
        elif not no_password:
            password = self._ask_password(user)
        with transaction.atomic():
            roles.ensure_groups()  # a database flushed since it was migrated has lost them
            if actor is not None:
                user.actor = actor
            user.is_staff = True
            user.is_active = True
            if email:
                user.email = email
            if password:
                user.set_password(password)
            user.save()
            # The role's group instead of the other role's, as the user form does.
            role = {group_name: role for role, group_name in roles.ROLE_GROUPS.items()}[group]
            roles.assign_role(user, role)
        return user, created, password if generate_password else None

    def create(self, username, options, *, group, actor, refuse, described):
        """Save the user (`save_staff_user`) from the command's `options` and report it:
        "Created/Updated <described>", then the generated password, once."""
        _user, created, password = self.save_staff_user(
            username,
            group=group,
            actor=actor,
            email=options["email"],
            generate_password=options["generate_password"],
            no_password=options["no_password"],
            refuse=refuse,
        )
        self.stdout.write(self.style.SUCCESS(f"{'Created' if created else 'Updated'} {described}"))
        if password:
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
        return sys.stdin.isatty()
