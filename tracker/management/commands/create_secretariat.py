"""Create or update a secretariat user: staff status and the Secretariat group in one step, so
the account can log in at /admin/ and edit and approve everything."""

from tracker import roles
from tracker.management.staff import StaffCommand


class Command(StaffCommand):
    help = (
        "Create (or update) a secretariat user, with staff status. Asks for a password when run in a "
        "terminal; --generate-password prints a generated one instead. Without --actor, what the "
        "user records itself is recorded under the secretariat's actor (TRACKER_SECRETARIAT_ACTOR)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--actor", default=None, help="Slug of the actor the user reports for (optional).")

    def handle(self, *args, username, actor, **options):
        actor_obj = self.actor_by_slug(actor) if actor else None

        def refuse(user):
            if roles.is_focal_point(user):
                return f"{username!r} is a government focal point; refusing to give it secretariat powers."
            return None

        described = f"secretariat user {username!r}; log in at /admin/."
        self.create(username, options, group=roles.SECRETARIAT, actor=actor_obj, refuse=refuse, described=described)
