"""The tracker's data model, split by what each module holds."""

from .aggregates import ActorReportCount, StatusCount
from .cache_scopes import CacheScope
from .cycles import ReportingCycle, ReportingRequest, RequestState
from .evidence import EvidenceFile
from .follows import Follow, FollowThrottle
from .notifications import EmailNotice
from .preferences import StaffPreference
from .provenance import Basis, EditorialFact, ObjectiveMapping
from .querysets import ProgressUpdateQuerySet, RecommendationQuerySet
from .recommendations import FollowUpAction, Recommendation, RecommendationLink
from .reference import Actor, Document, Forum, FrameworkObjective, Process, Roundtable, Theme, User
from .status import STATUS_COLOURS, Status, not_reported_cutoff, not_reported_since
from .sync import Deletion, Synced
from .updates import ProgressUpdate
from .version import DataVersion
from .webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "STATUS_COLOURS",
    "Actor",
    "ActorReportCount",
    "Basis",
    "CacheScope",
    "EditorialFact",
    "ObjectiveMapping",
    "DataVersion",
    "Deletion",
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
    "StaffPreference",
    "Status",
    "StatusCount",
    "Synced",
    "Theme",
    "User",
    "not_reported_cutoff",
    "not_reported_since",
    "WebhookDelivery",
    "WebhookEndpoint",
]
