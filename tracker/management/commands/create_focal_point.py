"""Create or update a government focal point: a staff user who reports for one actor."""

from tracker import roles
from tracker.management.staff import StaffCommand


class Command(StaffCommand):
    help = (
        "Create (or update) a focal-point user for an actor. Asks for a password when run in a "
        "terminal; --generate-password prints a generated one instead."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--actor", required=True, help="Slug of the actor the user reports for.")

    def handle(self, *args, username, actor, **options):
        actor_obj = self.actor_by_slug(actor)

        def refuse(user):
            if user.is_superuser or roles.is_secretariat(user):
                return f"{username!r} is a secretariat or superuser account; refusing to demote it."
            return None

        described = f"focal point {username!r} for {actor_obj.name}."
        self.create(username, options, group=roles.FOCAL_POINT, actor=actor_obj, refuse=refuse, described=described)
