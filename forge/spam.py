"""Spam checking of what people write: one auditor on every content event
(``#.created``, ``#.updated``) that asks the site's pluggable checker about the
text of a comment or an artifact (wiki page, ticket, forum thread, ...).

A checker is any callable ``checker(text, change) -> Verdict``::

    from forge.api import Verdict

    def akismet(text, change):
        if ask_akismet(text, change.actor):
            return Verdict.hold("Akismet says spam")
        return Verdict.ok()

    def includeme(config):
        config.set_spam_checker(akismet)

For a comment, ``hold`` keeps it as ``status="spam"`` (hidden, in the
moderation queue, like a pending post) and ``reject`` refuses it (422, nothing
saved).  An artifact has no moderation queue, so both refuse it (422).
The default is ``BuiltinChecker``: a few plain rules, enough to stop the crude
kind.  Not checked: comments by people who may moderate (``trusted``), and
artifacts by site admins and by people who hold a role in the project (or an
ancestor whose roles it uses).  Other changes (projects, tools, users) are not
content and pass.  Tools add their own auditors on the same topics with
``config.add_auditor``.
"""
import re
from dataclasses import dataclass

from ming.odm import Mapper
from pyramid.settings import aslist
from pyramid.threadlocal import get_current_request

from .bus.auditing import Rejected
from .model import Artifact, Project, ProjectRole, ToolInstance
from .model.cache import cached_raw, tree_generation
from .model.session import collection

SPAM_PRIORITY = 50          # before the tools' own auditors (default 100)
CONTENT_TOPICS = ("#.created", "#.updated")
# fields of an artifact change that are not what its author wrote
NOT_WRITTEN = frozenset({"path", "project_id", "tool_id", "type", "status", "acl",
                         "parent_path", "hidden", "deleted"})

KNOWN_PHRASES = (
    "buy cheap", "cheap viagra", "casino bonus", "online casino", "payday loan",
    "crypto giveaway", "double your bitcoin", "work from home and earn",
    "click here to claim", "free followers", "weight loss pills", "replica watches",
)
LINK = re.compile(r"(?:https?://|www\.)", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    action: str          # "ok", "hold" or "reject"
    reason: str = ""

    @classmethod
    def ok(cls):
        return cls("ok")

    @classmethod
    def hold(cls, reason):
        return cls("hold", reason)

    @classmethod
    def reject(cls, reason):
        return cls("reject", reason)


class BuiltinChecker:
    """One rule hit holds the text for a moderator; two rules (or a flood of
    links) reject it.  Settings: ``forge.discussion.spam.max_links`` (default 8)
    and ``forge.discussion.spam.phrases`` (more phrases, one a line)."""

    def __init__(self, settings=None):
        settings = settings or {}
        self.max_links = int(settings.get("forge.discussion.spam.max_links", 8))
        extra = settings.get("forge.discussion.spam.phrases", "")
        extra = aslist(extra, flatten=False) if isinstance(extra, str) else list(extra)
        self.phrases = tuple(p.lower() for p in KNOWN_PHRASES + tuple(extra) if p.strip())

    def __call__(self, text, change=None):
        reasons = []
        lowered = " ".join(text.lower().split())
        phrase = next((p for p in self.phrases if p in lowered), None)
        if phrase:
            reasons.append("contains %r" % phrase)
        links = len(LINK.findall(text))
        if links > self.max_links:
            reasons.append("%d links" % links)
        letters = [c for c in text if c.isalpha()]
        if len(letters) >= 30 and sum(c.isupper() for c in letters) > 0.8 * len(letters):
            reasons.append("written in capitals")
        if len(reasons) >= 2 or links > 3 * self.max_links:
            return Verdict.reject("; ".join(reasons))
        if reasons:
            return Verdict.hold(reasons[0])
        return Verdict.ok()


def checker_of(registry):
    return getattr(registry, "forge_spam_checker", None) or BuiltinChecker()


def spam_auditor(change):
    """Hold or reject a comment, or refuse an artifact, whose text the
    site's checker does not like."""
    kind = node_type_name(change.node_type)
    if kind == "Post":
        return check_post(change)
    if kind in artifact_type_names():
        return check_artifact(change)


def check_post(change):
    if change.detail.get("trusted"):
        return
    text = change.new.get("text")
    if not text:
        return
    verdict = checker_of(change.registry)(text, change)
    if verdict.action == "reject":
        raise Rejected("This looks like spam (%s), so it was not posted. If it is not, "
                       "rewrite it or ask a moderator." % verdict.reason, status=422)
    if verdict.action == "hold":
        change.new["status"] = "spam"
        change.new["status_reason"] = verdict.reason


def check_artifact(change):
    text = written_text(change.new)
    if not text.strip() or trusted_author(change):
        return
    verdict = checker_of(change.registry)(text, change)
    if verdict.action in ("hold", "reject"):
        raise Rejected("This looks like spam (%s), so it was not saved. If it is not, "
                       "rewrite it or ask the project's admins." % verdict.reason, status=422)


def written_text(new):
    """The text fields of an artifact change, one after the other (custom
    fields included)."""
    parts = []
    for name, value in new.items():
        if name in NOT_WRITTEN:
            continue
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, dict):
            parts.extend(v for v in value.values() if isinstance(v, str))
    return "\n".join(parts)


def trusted_author(change):
    """The system, site admins, and people with a role in the project.  The
    tool, the roles and the projects are tree documents: read through the
    tree cache when the current request (a web request or the mail-in
    server's per-message one) knows its tree generation, so a post costs no
    find here; straight from the database otherwise."""
    actor = change.actor
    if actor is None or actor.site_admin:
        return True
    request = get_current_request()
    if request is not None and tree_generation(request) is None:
        request = None
    project_id = change.new.get("project_id") or getattr(change.node, "project_id", None)
    if project_id is None and change.detail.get("tool_id"):
        tool = _tree_document(request, ToolInstance, change.detail["tool_id"], "project_id")
        project_id = tool.get("project_id") if tool else None
    if request is None:
        held = {role.project_id for role in ProjectRole.held_by(actor._id)}
    else:
        held = {raw.get("project_id") for raw in cached_raw(
            request, ProjectRole, {"user_ids": {"$in": [actor._id]}})}
    seen = set()
    while project_id and project_id not in seen:
        if project_id in held:
            return True
        seen.add(project_id)
        raw = _tree_document(request, Project, project_id, "parent_id")
        project_id = raw.get("parent_id") if raw else None
    return False


def _tree_document(request, cls, _id, field):
    """A tree document by id (the stored one, shared: never change it)."""
    if request is None:
        return collection(cls).find_one({"_id": _id}, {field: 1})
    found = cached_raw(request, cls, {"_id": _id})
    return found[0] if found else None


def node_type_name(node_type):
    return node_type if isinstance(node_type, str) or node_type is None \
        else node_type.__name__


def artifact_type_names():
    """Names of the mapped artifact classes (the core's and every tool's)."""
    return {m.mapped_class.__name__ for m in Mapper.all_mappers()
            if issubclass(m.mapped_class, Artifact)}


def set_spam_checker(config, checker):
    """``config.set_spam_checker(callable_or_dotted_name)``: the site's checker
    (one per site; a second registration is a configuration conflict)."""
    checker = config.maybe_dotted(checker)

    def register():
        config.registry.forge_spam_checker = checker

    config.action(("forge.spam_checker",), register)


def includeme(config):
    config.registry.forge_spam_checker = BuiltinChecker(config.registry.settings)
    config.add_directive("set_spam_checker", set_spam_checker, action_wrap=False)
    for topic in CONTENT_TOPICS:
        config.add_auditor(topic, spam_auditor, priority=SPAM_PRIORITY)
