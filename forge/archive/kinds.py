"""Which collections make up a project, found from the mapped classes.

A collection belongs to a project when its documents carry ``project_id``
(selected per project) or, without it, ``tool_id`` (selected per tool), so a
tool's own collection is exported with no code of its own. ``snapshot`` is
selected per artifact (its ``artifact_id``). What is left out is named in
``LEFT_OUT`` with the reason. Users are not a kind of their own here: the
exporter writes the users the records name (name, e-mail, display name only).
"""
from dataclasses import dataclass, field

from ming.odm import Mapper

# collections never exported, and why (secrets, per-process bookkeeping, caches)
LEFT_OUT = {
    "outbox": "events already delivered; the import publishes its own",
    "api_token": "secrets",
    "web_session": "secrets",
    "feed_key": "secrets",
    "webhook": "secrets (signing keys) and outside addresses",
    "webhook_delivery": "delivery bookkeeping",
    "webhook_attempt": "delivery bookkeeping",
    "inbound_mail": "raw mail as received, held for processing",
    "bus_processed": "delivery bookkeeping",
    "digest_item": "mail not yet sent",
    "digest_run": "mail bookkeeping",
    "sent_notification": "mail bookkeeping",
    "mail_preference": "a user's own setting",
    "throttle_counter": "sign-in throttles",
    "code_pushed_commit": "push mail bookkeeping (the repository itself is a tool part)",
    "code_push_mail_sent": "push mail bookkeeping",
    "tracker_commit_ref": "commit reactor marks",
    "tracker_counter": "kept by the tracker's tool part",
    "wiki_link_state": "a cache generation",
    "site_config": "the site's, not a project's",
    "neighborhood": "the site's, not a project's",
    "user": "written as the users the records name, without secrets",
    "archive_export": "exports asked for on @@export (the archives themselves)",
    "archive_import": "imports asked for on @@admin-import (the site's)",
    "project_redirect": "old paths in the source's neighborhood: not the imported project's",
}

# the kinds whose records are written first, in this order (import order too:
# what others name comes before them); other discovered kinds follow by name
FIRST = ("project", "project_role", "tool_instance", "artifact", "snapshot", "thread",
         "post", "attachment")

# reference fields by name: the kind of record the id names ("user" for people)
REFERENCES = {
    "project_id": "project", "tool_id": "tool_instance", "artifact_id": "artifact",
    "ref_id": "artifact", "thread_id": "thread", "post_id": "post",
    "first_post_id": "post", "attachment_ids": "attachment", "implied_ids": "project_role",
    "author_id": "user", "user_id": "user", "user_ids": "user", "actor_id": "user",
    "editor_id": "user", "reporter_id": "user", "assigned_to_id": "user",
    "watcher_ids": "user", "last_author_id": "user", "owner_id": "user",
}
# ``parent_id`` names a record of the same kind (a project's parent, a post's)
SAME_KIND = ("parent_id",)
USER_KEYS = frozenset(k for k, v in REFERENCES.items() if v == "user")


@dataclass
class Kind:
    """One collection of the archive (``records/<name>.jsonl``)."""

    name: str
    scope: str                  # "project", "tool", "artifact" or "root"
    fields: dict = field(default_factory=dict)     # field name → Ming schema item
    types: list = field(default_factory=list)      # polymorphic identities seen

    def references(self):
        """{field: kind} of the references a record of this kind may hold."""
        refs = {}
        for name in self.fields:
            if name in SAME_KIND:
                refs[name] = self.name
            elif name in REFERENCES and not (self.name == "activity" and name == "artifact_id"):
                refs[name] = REFERENCES[name]
        if self.name == "project":
            refs.pop("project_id", None)
        return refs


def discover_kinds():
    """Every exported kind, from Ming's mapped classes (tools' included)."""
    by_collection = {}
    for mapper in Mapper.all_mappers():
        collection = getattr(mapper.collection.m, "collection_name", None)
        if not collection or collection in LEFT_OUT:
            continue
        kind = by_collection.setdefault(collection, Kind(collection, ""))
        for prop in mapper.properties:
            item = getattr(prop, "field", None)
            if item is not None:
                kind.fields.setdefault(prop.name, item)
        identity = getattr(mapper.mapped_class.query.mapper.collection.m,
                           "polymorphic_identity", None)
        if identity:
            kind.types.append(identity)
    kinds = []
    for name, kind in by_collection.items():
        if name == "project":
            kind.scope = "root"
        elif name == "snapshot":
            kind.scope = "artifact"
        elif "project_id" in kind.fields:
            kind.scope = "project"
        elif "tool_id" in kind.fields:
            kind.scope = "tool"
        else:
            continue      # not a project's (or not known how): see LEFT_OUT
        kinds.append(kind)
    order = {name: i for i, name in enumerate(FIRST)}
    kinds.sort(key=lambda k: (order.get(k.name, len(FIRST)), k.name))
    return kinds
