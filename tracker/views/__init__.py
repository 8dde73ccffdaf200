"""Public pages: no login; nothing here changes state but following by e-mail (`follow`).

Split by page: the dashboard, forums, the browse list with its exports, recommendation detail,
actors and themes. Query logic lives in QuerySet methods and `tracker.breakdowns`; filters in
`tracker.filters`, shared with the API.
"""

from .actors_themes import actor_detail, theme_detail
from .browse import recommendation_list
from .dashboard import home
from .detail import recommendation_detail
from .evidence import evidence_file
from .follow import follow, follow_confirm, follow_requested, follow_unsubscribe
from .forums import forum_detail, forum_list
from .health import healthz

__all__ = [
    "actor_detail",
    "evidence_file",
    "follow",
    "follow_confirm",
    "follow_requested",
    "follow_unsubscribe",
    "forum_detail",
    "forum_list",
    "healthz",
    "home",
    "recommendation_detail",
    "recommendation_list",
    "theme_detail",
]
