"""Comment threads and posts for any tool's artifacts (Allura keeps them in its
platform for the same reason: tools never import each other).

* ``model``: ``Thread`` (one per artifact) and ``Post`` (threaded by slug);
* ``actions``: ``add_post``, ``edit_post``, ``moderate_post``, ``delete_post``,
  ``set_thread_locked``, ``thread_for``;
* ``events``: ``{tool}.post.created|updated|deleted|approved``;
* ``spam``: the pluggable checker, run as an auditor (``config.set_spam_checker``);
* ``render``: ``thread_view(request, node)`` for templates;
* ``views``: ``@@post``, ``@@post-edit``, ``@@post-delete``, ``@@moderate``,
  ``@@post-history`` on every artifact, ``@@moderation`` on every tool and project.

A tool gets comments by declaring the permissions ``post``,
``unmoderated_post`` and ``moderate`` in ``config.add_tool`` and including
``discussion/thread.jinja2`` on its artifact page.
"""
from ..events import ArtifactModified
from . import model  # noqa: F401  (the mapped classes, for ensure_indexes)


def follow_artifact(event):
    """A renamed or moved artifact takes its thread and posts along."""
    from .actions import sync_thread
    if getattr(event.node, "_id", None) and getattr(event.node, "path", None):
        sync_thread(event.node)


def includeme(config):
    config.include(".spam")
    config.add_subscriber(follow_artifact, ArtifactModified)
    config.scan(".views")
