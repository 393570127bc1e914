"""Ming documents of the forge core."""
from .artifact import Artifact, Snapshot, VersionedArtifact  # noqa: F401
from .change_log import ChangeLogEntry  # noqa: F401
from .auth import ProjectRole, User  # noqa: F401
from .outbox import OutboxEvent, emit  # noqa: F401
from .project import Neighborhood, Project, ToolInstance  # noqa: F401
from .session import bind_datastore, ensure_indexes, session, utcnow  # noqa: F401
from .site import SiteConfig  # noqa: F401
from .token import ApiToken  # noqa: F401
