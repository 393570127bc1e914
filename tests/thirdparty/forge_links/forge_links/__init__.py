"""Links: shared bookmarks, a PyForge tool built on ``forge.api`` only."""
from forge.api import AUTHOR

from .model import ILink, Link, LinkForm, link_document


def includeme(config):
    config.add_tool("links", title="Links",
                    permissions=("read", "create", "update", "delete", "admin"),
                    default_acl=[("allow", "Member", "create")],
                    description="Shared bookmarks.")
    # a private link is read by its author and the project's developers only
    config.add_artifact_type(Link, tool="links", form=LinkForm, interface=ILink,
                             private_readers=("Developer", AUTHOR),
                             to_document=link_document)
    config.add_auditor("links.link.*", "forge_links.hooks.strip_tracking")
    config.add_reactor("links.link.*", "forge_links.hooks.record_host",
                       name="links.host", idempotent=True)
    config.scan(".views")
