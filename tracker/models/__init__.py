"""The tracker's data model, split by what each module holds."""

from .cycles import ReportingCycle, ReportingRequest, RequestState
from .evidence import EvidenceFile
from .follows import Follow, FollowThrottle
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
from .status import STATUS_COLOURS, Status, not_reported_cutoff, not_reported_since
from .version import DataVersion
from .webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "STATUS_COLOURS",
    "Actor",
    "DataVersion",
    "EmailNotice",
    "EvidenceFile",
    "Follow",
    "FollowThrottle",
    "Document",
    "FollowUpAction",
    "Forum",
    "FrameworkObjective",
    "Process",
    "ProgressUpdate",
    "ProgressUpdateQuerySet",
    "Recommendation",
    "ReportingCycle",
    "ReportingRequest",
    "RequestState",
    "RecommendationLink",
    "RecommendationQuerySet",
    "Roundtable",
    "Status",
    "Theme",
    "User",
    "not_reported_cutoff",
    "not_reported_since",
    "WebhookDelivery",
    "WebhookEndpoint",
]
