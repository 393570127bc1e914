"""Site-wide singleton settings (the root node's ACL lives here)."""
from ming.odm import FieldProperty, MappedClass

from .acl import ACE_SCHEMA
from .session import new_id, session


class SiteConfig(MappedClass):
    class __mongometa__:
        session = session
        name = "site_config"
        unique_indexes = [("key",)]

    _id = FieldProperty(str, if_missing=new_id)
    key = FieldProperty(str, if_missing="site")
    title = FieldProperty(str, if_missing="PyForge")
    acl = FieldProperty(ACE_SCHEMA)
    # no longer used: the generations have their own document (forge.model.cache)
    generation = FieldProperty(int, if_missing=0)
