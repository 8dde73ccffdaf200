"""The staff product: the secretariat edits and approves everything; a government focal point
sees, adds and edits only its own actor's progress updates.

Scoping is enforced here on the server (querysets and permission methods), not by hiding
buttons. Every change of status goes through `tracker.services`.

One module per thing administered: `reference` (processes, forums, roundtables, actors, themes,
documents, objectives), `recommendations` (recommendations, their links, import and export),
`updates` (progress updates and their review), `cycles` (reporting cycles and their chase lists),
`notices` (the review e-mails), `webhooks` (outbound webhooks), `users`; the forms
they edit with are in `forms`, the bulk actions in `actions`, what they share in `common`.
Importing the package registers them.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

# Importing each module registers its model admins.
from . import cycles, notices, recommendations, reference, updates, users, webhooks  # noqa: F401

admin.site.site_header = _("Migration Dialogues Tracker: staff")
admin.site.site_title = _("Migration Dialogues Tracker")
admin.site.index_title = _("Recommendations and progress")
