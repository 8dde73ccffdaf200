"""What the API shows of a deletion (incremental sync, tracker.models.sync)."""

from rest_framework import serializers

from tracker.models import Deletion
from tracker.models.sync import RESOURCES


class DeletionSerializer(serializers.ModelSerializer):
    resource = serializers.ChoiceField(
        choices=sorted(name for name, _column in RESOURCES.values()),
        help_text="The list the record left: its name in the API's URLs, singular (recommendation, update, ...).",
    )
    key = serializers.CharField(help_text="What the API named it by: slug, code, or the id of a progress update.")

    class Meta:
        model = Deletion
        fields = ["resource", "key", "change_key", "deleted_at"]
