"""Public pages: no login; nothing here changes state but following by e-mail (`follow`).

Split by page: the dashboard, forums, the browse list with its exports, recommendation detail,
actors and themes, the indexes of actors, themes and processes with the process pages
(`indexes`), documents, the open-data package. Query logic lives in QuerySet methods and
`tracker.breakdowns`; filters in `tracker.filters`, shared with the API.
"""

from .actors_themes import actor_detail, theme_detail
from .browse import recommendation_list
from .dashboard import home
from .data import data_page, datapackage, dcat_description, package_zip, table_csv
from .detail import recommendation_detail
from .documents import document_detail, document_list
from .evidence import evidence_file
from .follow import follow, follow_confirm, follow_requested, follow_unsubscribe
from .forums import forum_detail, forum_list
from .health import healthz
from .indexes import actor_list, process_detail, process_list, theme_list

__all__ = [
    "actor_detail",
    "actor_list",
    "document_detail",
    "document_list",
    "data_page",
    "datapackage",
    "dcat_description",
    "evidence_file",
    "follow",
    "follow_confirm",
    "follow_requested",
    "follow_unsubscribe",
    "forum_detail",
    "forum_list",
    "healthz",
    "home",
    "package_zip",
    "process_detail",
    "process_list",
    "recommendation_detail",
    "recommendation_list",
    "table_csv",
    "theme_detail",
    "theme_list",
]
