"""The tracker's data model, split by what each module holds."""

from .evidence import EvidenceFile
from .notifications import EmailNotice
from .recommendations import (
    FollowUpAction,
    ProgressUpdate,
    ProgressUpdateQuerySet,
    Recommendation,
    RecommendationLink,
    RecommendationQuerySet,
)
from .reference import Actor, Document, Forum, FrameworkObjective, Process, Roundtable, Theme, User
from .status import STATUS_COLOURS, Status
from .version import DataVersion

__all__ = [
    "STATUS_COLOURS",
    "Actor",
    "DataVersion",
    "EmailNotice",
    "EvidenceFile",
    "Document",
    "FollowUpAction",
    "Forum",
    "FrameworkObjective",
    "Process",
    "ProgressUpdate",
    "ProgressUpdateQuerySet",
    "Recommendation",
    "RecommendationLink",
    "RecommendationQuerySet",
    "Roundtable",
    "Status",
    "Theme",
    "User",
]
