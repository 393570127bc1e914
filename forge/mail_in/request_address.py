"""``request.mail_address(node)``: the address that takes mail for a tool or
an artifact, for a page to show (``mailto:``), or None.

A tool's address when its type takes new artifacts by mail, an artifact's
when its tool's type takes comments by mail (``config.add_mail_comments``);
None when mail in is off, the tool refuses mail, the reader may not do what
the mail would do (``create`` on the tool, ``post`` on the artifact), or the
address would be too long.  Example, in an artifact's template::

    {% set address = request.mail_address(context) %}
    {% if address %}<p>Comment by mail:
      <a href="mailto:{{ address }}">{{ address }}</a></p>{% endif %}
"""
from ..interfaces import IArtifact, ITool
from .addresses import artifact_address, tool_address
from .policy import REFUSED, mail_policy


def mail_address(request, node):
    registry, settings = request.registry, request.registry.settings
    if not settings.get("forge.mail_in.domain") or node is None:
        return None
    if IArtifact.providedBy(node):
        tool = node.tool_node
        if tool.doc.tool not in registry.forge_mail_comments or not request.can("post", node):
            return None
        address = artifact_address(settings, tool.project.doc.shortname, tool.doc.mount,
                                   node.doc._id)
    elif ITool.providedBy(node):
        tool = node
        if tool.doc.tool not in registry.forge_mail_handlers or not request.can("create", node):
            return None
        address = tool_address(settings, tool.project.doc.shortname, tool.doc.mount)
    else:
        return None
    return address if mail_policy(tool.doc) != REFUSED else None
