"""Site-wide singleton settings (the root node's ACL lives here)."""
from ming.odm import FieldProperty, MappedClass

from .acl import ACE_SCHEMA, AUTHENTICATED, EVERYONE, ace
from .project import Neighborhood
from .session import new_id, session


class SiteConfig(MappedClass):
    class __mongometa__:
        session = session
        name = "site_config"
        unique_indexes = [("key",)]

    _id = FieldProperty(str, if_missing=new_id)
    key = FieldProperty(str, if_missing="site")
    title = FieldProperty(str, if_missing="PyForge")
    # a notice every page shows (maintenance, an incident); plain text, one line
    banner = FieldProperty(str, if_missing="")
    version = FieldProperty(int, if_missing=0)
    acl = FieldProperty(ACE_SCHEMA)
    # no longer used: the generations have their own document (forge.model.cache)
    generation = FieldProperty(int, if_missing=0)


def ensure_site():
    """The site config and the two neighborhoods; idempotent.  It only seeds
    documents, so it lives with them: the model imports nothing above it."""
    if SiteConfig.query.get(key="site") is None:
        SiteConfig(key="site", acl=[ace("allow", EVERYONE, "read")])
    if Neighborhood.query.get(name="p") is None:
        Neighborhood(name="p", title="Projects", kind="projects",
                     acl=[ace("allow", AUTHENTICATED, "create_project")])
    if Neighborhood.query.get(name="u") is None:
        Neighborhood(name="u", title="Users", kind="users", acl=[])
    session.flush()
