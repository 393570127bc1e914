"""The ``forge.activity`` reactor: every event worth showing becomes an entry.

Registered on ``#`` (all topics); it records

* artifact events ``{type}.created|updated|deleted`` with the artifact's title;
* comments ``{tool}.post.created`` (only when the post is visible, status "ok")
  and ``{tool}.post.approved`` (a held post once a moderator let it through),
  titled "Re: <artifact title>" with an excerpt of the text;
* ``project.created|updated`` and ``project.tool.installed|uninstalled``;
* ``scm.commit`` (a commit a push brought), titled with its subject.

A post deleted or marked as spam (``*.post.deleted``, ``*.post.updated`` with
a status other than "ok") takes its entries away.  ACL, role and user events
are not activity.  Idempotent: the entry's ``_id`` is the event id.  Each
entry also names its project tree (``family_key``, for a project's stream
with its subprojects) and the artifact it is about (``artifact_id``: the
artifact, or the one a comment is on).

It takes its events in batches (``forge.bus.batches``): the comments of a
batch are read in one query, its artifacts (their titles) in another, each
project's family once, and the entries written in one insert (one content
generation bump), so a backlog costs a few commands per batch rather than
four per comment or two per new artifact.  A new comment's event
tells its project's family (``forge.discussion.actions.post_facts``), and so
does an artifact's event when its change had the project or its tool at hand
(``forge.events.held_family_key``: every create through the declared type's
actions, and mail in's), so those read no project; an event without it (an
older outbox record, a change made without them) reads the project once per
batch.  The text and title are read from the post or the artifact (events
carry no content).
"""
import re

from ..bus.batches import takes_batches
from ..rendering import markdown_to_text
from ..model import Artifact, Project, ToolInstance
from ..model.session import collection, find_by_ids, insert_all_new
from .model import ActivityEntry

SKIP_TOPICS = ("acl.changed", "roles.changed", "project.tool.updated")
ARTIFACT_VERBS = ("created", "updated", "deleted")
EXCERPT = 200


@takes_batches(max_events=100, max_seconds=0.02)
def record_activity(events, context):
    """The reactor: a tuple of frozen bus messages (the worker hands it a
    batch: ``forge.bus.batches``), or one message.  A batch reads its
    comments in one query and each project's family once, and writes its
    entries in one insert (one generation bump); idempotent, so a batch that
    fails half-way is simply run again one event at a time."""
    if not isinstance(events, tuple):
        events = (events,)
    batch = Batch(events)
    for event in events:
        topic = event["topic"]
        if not event.get("project_id") or topic.endswith(SKIP_TOPICS):
            continue
        words = topic.split(".")
        verb = words[-1]
        node_type = event.get("node_type")
        if node_type == "Post":
            entry = _post_entry(event, verb, batch)
        elif node_type == "Thread":
            entry = None
        elif node_type == "Project":
            entry = _project_entry(event, verb)
        elif node_type == "ToolInstance":
            entry = _tool_entry(event, words)
        else:
            entry = _artifact_entry(event, verb, batch)
        if entry is not None:
            batch.store(event, entry.pop("verb", verb), **entry)
    batch.write()


class Batch:
    """What one call of the reactor reads once and writes together."""

    def __init__(self, events):
        recorded = [e for e in events
                    if e.get("project_id") and not e["topic"].endswith(SKIP_TOPICS)]
        self.posts = find_by_ids(collection_named("post"), {
            e.get("node_id") for e in recorded if e.get("node_type") == "Post"})
        # the artifacts of its artifact events, as its comments: one read
        self.artifacts = find_by_ids(collection(Artifact), {
            e.get("node_id") for e in recorded if _is_artifact_event(e)},
            {"title": 1, "path": 1})
        self.families = {}
        self.documents = []

    def family_key(self, project_id, told=None):
        if told:                # the event's (``forge.discussion.actions.post_facts``)
            self.families.setdefault(project_id, told)
            return told
        if project_id not in self.families:
            self.families[project_id] = _family_key(project_id)
        return self.families[project_id]

    def store(self, event, verb, title, summary, **extra):
        document = {
            "_id": event["id"], "event_id": event["id"], "project_id": event.get("project_id"),
            "tool_id": event.get("tool_id"), "node_type": event.get("node_type"),
            "node_id": event.get("node_id"), "path": event.get("path"), "topic": event["topic"],
            "verb": verb, "actor_id": event.get("actor_id"), "title": title or "",
            "summary": summary or "", "timestamp": float(event.get("timestamp") or 0.0),
            "family_key": self.family_key(event.get("project_id"),
                                          (event.get("detail") or {}).get("family_key")),
            "artifact_id": None}
        document.update(extra)
        self.documents.append(document)

    def remove(self, node_id):
        """Take a post's entries away, after writing those stored before (in order)."""
        self.write()
        collection(ActivityEntry).delete_many({"node_id": node_id})

    def write(self):
        documents, self.documents = self.documents, []
        if not documents:
            return
        insert_all_new(collection(ActivityEntry), documents)


def _is_artifact_event(event):
    return event.get("node_type") not in ("Post", "Thread", "Project", "ToolInstance") \
        and event["topic"].rsplit(".", 1)[-1] in ARTIFACT_VERBS


def _family_key(project_id):
    """``{neighborhood_id}/{family}``: one index finds a project with its subprojects."""
    raw = collection(Project).find_one({"_id": project_id},
                                       {"neighborhood_id": 1, "family": 1}) \
        if project_id else None
    return "%s/%s" % (raw.get("neighborhood_id"), raw.get("family")) if raw else None


def excerpt(text, length=EXCERPT):
    text = re.sub(r"\s+", " ", text or "").strip()
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"


def _post_entry(event, verb, batch):
    post = batch.posts.get(event.get("node_id"))
    if post is None:
        return None
    detail = event.get("detail") or {}
    hidden = post.get("deleted") or post.get("status", "ok") != "ok"
    if verb == "deleted" or (verb == "updated" and detail.get("status", "ok") != "ok"):
        batch.remove(post["_id"])
        return None
    if verb not in ("created", "approved") or hidden:
        return None
    if verb == "created" and detail.get("status", "ok") != "ok":
        return None         # held when written: its approval records it, once
    ref_title = post.get("ref_title") or _artifact_title(post.get("ref_id"))
    # a comment is its author's, whoever's action made it visible (a moderator's
    # approval): activity, feeds and contributions all read actor_id
    return {"title": "Re: %s" % ref_title if ref_title else "Comment",
            "summary": excerpt(markdown_to_text(post.get("text"))), "verb": "commented",
            "artifact_id": post.get("ref_id"),
            "actor_id": post.get("author_id") or event.get("actor_id")}


def _artifact_title(artifact_id):
    raw = collection(Artifact).find_one({"_id": artifact_id}, {"title": 1}) \
        if artifact_id else None
    return raw.get("title", "") if raw else ""


def _artifact_entry(event, verb, batch):
    if verb not in ARTIFACT_VERBS:
        return None
    raw = batch.artifacts.get(event.get("node_id"))
    if raw is None:
        return None
    detail = event.get("detail") or {}
    if detail.get("attachments"):
        summary = "attached %s" % ", ".join(detail["attachments"])
    elif detail.get("deleted_attachment"):
        summary = "removed the attachment %s" % detail["deleted_attachment"]
    elif verb == "updated" and detail.get("fields"):
        summary = ", ".join(str(f) for f in detail["fields"][:8])
    else:
        summary = verb
    return {"title": raw.get("title") or raw.get("path", ""), "summary": summary,
            "artifact_id": raw["_id"]}


def _project_entry(event, verb):
    if verb not in ("created", "updated"):
        return None
    project = Project.query.get(_id=event.get("node_id"))
    if project is None:
        return None
    return {"title": project.title, "summary": "%s the project" % verb}


def _tool_entry(event, words):
    if words == ["scm", "commit"]:
        # a pushed commit (the code tool): its subject, short id and branch
        detail = event.get("detail") or {}
        return {"title": detail.get("subject", ""), "verb": "committed",
                "summary": "%s on %s" % (str(detail.get("sha", ""))[:10],
                                         str(detail.get("ref", "")).replace("refs/heads/", ""))}
    if words[:2] != ["project", "tool"] or words[-1] not in ("installed", "uninstalled"):
        return None
    tool = ToolInstance.query.get(_id=event.get("node_id"))
    if tool is None:
        return None
    return {"title": tool.label or tool.mount, "summary": "%s the tool" % words[-1]}


def collection_named(name):
    from ..model.session import session
    return session.db[name]
