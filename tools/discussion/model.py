"""The discussion tool's two artifact types, forums and the threads in them, and their forms.

Posts are the core's (``forge.discussion``): a ``ForumThread`` is the artifact
a core comment thread hangs on, and its opening post is the thread's first
core post.  What the forum and thread lists sort and show (post counts, the
last post) is copied here by the ``discussion.counters`` reactor
(``tools.discussion.reactors``), so a list page is one indexed range scan.
"""
from ming.odm import FieldProperty

from forge.api import (ActionError, ArtifactForm, CheckboxField, CheckedField, InvalidName,
                       MarkdownField, StoredFields, TitleField, VersionedArtifact,
                       check_shortname, check_text, check_title, shown_as)

FORUM = "discussion.forum"
THREAD = "discussion.thread"


class Forum(VersionedArtifact):
    """A forum; ``path`` is its short name ("general")."""

    class __mongometa__:
        polymorphic_identity = FORUM
        # the tool page lists the tool's forums by title
        indexes = [("tool_id", "type", "deleted", "title")]

    type = FieldProperty(str, if_missing=FORUM)
    description = FieldProperty(str, if_missing="")
    # denormalised by the counters reactor (numbers and strings only: they are $set)
    num_threads = FieldProperty(int, if_missing=0)
    num_posts = FieldProperty(int, if_missing=0)
    last_post_at = FieldProperty(float, if_missing=0.0)
    last_thread_path = FieldProperty(str, if_missing="")
    last_thread_title = FieldProperty(str, if_missing="")
    last_author_id = FieldProperty(str, if_missing="")
    versioned_fields = ("title", "description", "labels", "custom", "ext")


class ForumThread(VersionedArtifact):
    """A thread of a forum; ``path`` is "{forum}/{id}", ``title`` its subject.

    ``status`` mirrors the status of the opening post ("ok", "pending",
    "spam", "deleted"): a thread whose opening post waits for a moderator is
    listed only for moderators and its author.
    """

    class __mongometa__:
        polymorphic_identity = THREAD
        # the forum page: sticky threads first, then by last activity
        indexes = [("tool_id", "forum", "deleted", "sticky", "last_post_at")]

    type = FieldProperty(str, if_missing=THREAD)
    forum = FieldProperty(str, if_missing="")          # the forum's path
    sticky = FieldProperty(bool, if_missing=False)
    locked = FieldProperty(bool, if_missing=False)
    status = FieldProperty(str, if_missing="ok")
    first_post_id = FieldProperty(str, if_missing="")
    # denormalised by the counters reactor
    num_posts = FieldProperty(int, if_missing=0)
    last_post_at = FieldProperty(float, if_missing=0.0)
    last_author_id = FieldProperty(str, if_missing="")
    versioned_fields = ("title", "sticky", "locked", "labels", "custom", "ext")


class StoredForumThread(StoredFields):
    """A thread as stored, read like a ``ForumThread`` without building its
    Ming object (a copy and a schema validation); missing fields read as
    ``ForumThread``'s defaults.  ``shown_thread(node)`` gives one, or the Ming
    object when the request already built it (it may hold a change not yet
    saved)."""

    __slots__ = ()
    DEFAULTS = {"forum": "", "sticky": False, "locked": False, "status": "ok",
                "first_post_id": "", "num_posts": 0, "last_post_at": 0.0,
                "last_author_id": "", "version": 0, "title": "", "labels": (),
                "custom": {}, "ext": {}, "author_id": None, "deleted": False, "acl": (),
                "type": THREAD}


def shown_thread(node):
    """What the thread page reads of ``node``'s thread (see ``StoredForumThread``)."""
    return shown_as(StoredForumThread, node)


def check_forum_name(name):
    try:
        return check_shortname((name or "").strip(), "forum's short name")
    except InvalidName as e:
        raise ActionError(str(e)) from None


def check_subject(subject):
    try:
        return check_title(subject)
    except ActionError as e:
        raise ActionError(str(e).replace("title", "subject")) from None


class ForumForm(ArtifactForm):
    title = TitleField()
    name = CheckedField(check_forum_name, "Short name", on_edit=False, required=True, max_length=63,
                   note="(in the address: lowercase letters, digits, '-')")
    description = MarkdownField("Description", max_length=20000)
    private = CheckboxField("Private", note="(only the project's members can read it)",
                            on_edit=False)


class ThreadForm(ArtifactForm):
    """A new thread's subject and opening post; when editing, the subject (its title)."""

    subject = CheckedField(check_subject, "Subject", required=True, max_length=200)
    text = CheckedField(check_text, "Message", widget="markdown", note="(Markdown)", on_edit=False)

    def fill_from(self, doc):
        super().fill_from(doc)
        self.values["subject"] = doc.title

    def clean(self):
        fields = super().clean()
        return dict(fields, title=fields["subject"], comment=fields["comment"] or "new subject")


def forum_document(doc, node):
    """A forum's search document: its title and description."""
    return {"title": doc.title, "text": doc.description or ""}


def thread_document(doc, node):
    """A thread's search document (its visible posts are added as comments);
    a held thread's subject is shown only to its author and moderators: none."""
    if (doc.status or "ok") != "ok":
        return None
    return {"title": doc.title, "text": "", "labels": list(doc.labels or ()),
            "fields": {"forum": doc.forum}}
