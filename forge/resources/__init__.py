"""The resource tree: site -> neighborhood -> project -> subproject... -> tool -> artifacts."""
from .base import Node, lineage_list  # noqa: F401
from .neighborhood import NeighborhoodResource  # noqa: F401
from .project import ProjectResource  # noqa: F401
from .root import SiteRoot, root_factory  # noqa: F401
from .tool import (  # noqa: F401
    ArtifactResource, ToolResource, VersionedArtifactResource)
