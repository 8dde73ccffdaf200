"""The API's additions to the shared FilterSets (tracker.filters), for signed-in staff."""

import django_filters
from django.utils.translation import gettext_lazy as _

from tracker.filters import ProgressUpdateFilterSet
from tracker.models import ProgressUpdate


class ProgressUpdateAPIFilterSet(ProgressUpdateFilterSet):
    """The public filters plus the review state, so the secretariat can list what awaits review
    (`?review_state=submitted`). The public only ever sees approved updates anyway."""

    review_state = django_filters.ChoiceFilter(label=_("Review state"), choices=ProgressUpdate.ReviewState.choices)

    class Meta(ProgressUpdateFilterSet.Meta):
        pass
