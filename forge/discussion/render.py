"""What a page needs to show an artifact's comment thread: ``thread_view``.

A tool's artifact view puts ``thread_view(request, node)`` in its template
context as ``thread`` and includes the shared template::

    return {"page": page, "thread": thread_view(request, context)}

    {% include "forge:templates/discussion/thread.jinja2" %}

or imports ``forge:templates/discussion/macros.jinja2`` to interleave top-level posts with its
own timeline (``thread.tree`` is the list of top-level items in time order).

Two queries whatever the thread's size (the thread, its posts by slug),
none while the generations stay (the stored documents are kept per generation);
author names come through the tree cache and each post's HTML from the
render cache, keyed by (post id, version, link context).  A signed-in
reader's rendered posts (reply and moderation forms included) are kept per
generation and reader (``ThreadView.fragment``, ``forge.fragments``).  A
page that keeps the whole thread's HTML for every reader who may do the same
there (``forge.fragments.verdict_cached``) asks ``thread_view(...,
shared=True)``: its forms carry ``CSRF_SLOT``, and ``ThreadView.verdicts()``
names what else decides what the reader is shown.
"""
import functools
from urllib.parse import quote

from markupsafe import Markup
from pyramid.decorator import reify

from ..attachments.files import INLINE_TYPES
from ..autolinks import MARK
from ..fragments import CSRF_SLOT, generation_cached, reader_cached
from ..links import link_context
from ..model import User
from ..model.cache import cached_find
from ..model.session import collection
from ..rendering import render_versioned
from ..resources.base import stored_id
from ..stored_fields import StoredFields
from .model import Post, Thread

MAX_POSTS = 2000


class PostItem:
    """One post as a page shows it; ``replies`` are PostItems too.

    ``placeholder`` is true for a post the viewer may not see (deleted, or
    held) that stays in the tree because replies the viewer sees hang under it.
    """

    def __init__(self, post, html, author_name, author_url, placeholder=False):
        self.post = post
        self.id = post._id
        self._html = html
        self.author_name = author_name
        self.author_url = author_url
        self.placeholder = placeholder
        self.replies = []
        self.attachments = []
        self.may_edit = False
        self.may_delete = False

    @property
    def html(self):
        """The post's HTML; rendered (or read from the render cache) when the
        page shows it, not when its fragment is kept (``ThreadView.fragment``)."""
        if callable(self._html):
            self._html = self._html()
        return self._html

    @property
    def pending(self):
        """Waiting for a moderator (``pending``) or held as spam."""
        return self.post.status != "ok"

    @property
    def edited(self):
        return (self.post.version or 1) > 1


class ThreadView:
    """Everything the thread template needs (see the module docstring).

    What a page may not show is worked out when it is first asked for: a
    page whose posts are kept as HTML (the ticket's timeline, a forum
    thread's posts) asks for the forms' permissions and addresses only, so it
    builds no post items, link context or author names."""

    def __init__(self, request, node, thread, posts, links=None, kept_whole=False,
                 shared=False):
        self.request = request
        self._links = links
        self.shared = shared
        self.kept_whole = kept_whole or shared
        self._posts = posts
        self.node = node
        self.thread = thread
        self.user = request.user
        self.locked = bool(thread and thread.locked)
        self.count = thread.num_posts if thread else 0

    @reify
    def links(self):
        return self._links if self._links is not None else link_context(
            self.request, self.node)

    @reify
    def csrf_token(self):
        """What the forms carry: the reader's token, or the slot for it in
        HTML kept for every reader with the same ``verdicts()``."""
        return CSRF_SLOT if self.shared else self.request.csrf_token

    def verdicts(self):
        """What decides what this reader is shown of the thread, besides the
        generations (the posts, their authors' names) and the page's URL:
        what they may do here, which posts are theirs (they see their own
        held posts, and may edit them), what the short links resolve to for
        them (``links.key``: the tools they may read) and what the bare
        ``#12`` / ``@name`` marks become for them.  None when the links
        cannot say (no key): the thread is then made for this reader alone."""
        if self.links.key is None:
            return None
        user_id = self.user._id if self.user is not None else None
        mine = tuple(p._id for p in self._posts if user_id is not None
                     and p.author_id == user_id)
        return (self.base_url, self.may_post_here, self.may_moderate,
                self.may_skip_moderation, self.locked, mine, self.links.key,
                self._mark_answers())

    def _mark_answers(self):
        """((kind, value, what this reader's links make of it)) for each
        mark in the posts' HTML (``forge.autolinks``: resolved per reader
        after the render cache, where a private ticket's title may show)."""
        marks = generation_cached(self.request, ("thread-marks", stored_id(self.node)),
                                  self._marks)
        links = self.links
        return tuple((kind, value, links.hash_reference(int(value))
                      if kind == "ref" and value.isdigit()
                      else links.mention(value) if kind == "mention" else None)
                     for kind, value in marks)

    def _marks(self):
        left = _MarksLeft(self.links)
        found = {}
        for post in self._posts:
            html = render_versioned(post._id, post.version, post.text, links=left)
            if "forge-" in html:
                found.update(dict.fromkeys(MARK.findall(str(html))))
        return tuple(found)

    @reify
    def may_moderate(self):
        return self.request.can("moderate", self.node)

    @reify
    def may_skip_moderation(self):
        return self.request.can("unmoderated_post", self.node)

    @reify
    def may_post_here(self):
        return self.request.can("post", self.node)

    @reify
    def may_post(self):
        return self.may_post_here and not self.locked

    @reify
    def base_url(self):
        return self.request.forge_url(self.node)         # ends with "/"

    post_url = property(lambda self: self.base_url + "@@post")
    edit_url = property(lambda self: self.base_url + "@@post-edit")
    delete_url = property(lambda self: self.base_url + "@@post-delete")
    moderate_url = property(lambda self: self.base_url + "@@moderate")
    history_url = property(lambda self: self.base_url + "@@post-history")
    attachment_base = property(lambda self: self.base_url + "@@attachment/")

    @reify
    def tree(self):
        return self._build(self._posts)

    def _shown(self, post):
        if post.deleted:
            return False
        if post.status == "ok" or self.may_moderate:
            return True
        return self.user is not None and post.author_id == self.user._id

    def _build(self, posts):
        shown = {p._id: self._shown(p) for p in posts}
        # a hidden post stays (as a placeholder) when a shown reply hangs under it
        keep = dict(shown)
        for post in reversed(posts):              # slug order: replies after parents
            if keep[post._id] and post.parent_id in keep:
                keep[post.parent_id] = True
        items, tree = {}, []
        names = {}
        for post in posts:
            if not keep[post._id]:
                continue
            if shown[post._id]:
                name, url = self._author(post.author_id, names)
                item = PostItem(post, functools.partial(
                    render_versioned, post._id, post.version, post.text, links=self.links),
                    name, url)
                # inline: an image the forge serves as one (previewed under the post)
                item.attachments = [dict(a, url=self.attachment_base + "%s/%s" % (
                    quote(a["id"], safe=""), quote(a["filename"], safe="")),
                    inline=a.get("content_type") in INLINE_TYPES)
                    for a in (post.attachments or ())]
                mine = self.user is not None and post.author_id == self.user._id
                item.may_edit = self.may_moderate or (mine and self.may_post)
                item.may_delete = item.may_edit
            else:
                item = PostItem(post, None, "", None, placeholder=True)
            items[post._id] = item
            parent = items.get(post.parent_id) if post.parent_id else None
            (parent.replies if parent is not None else tree).append(item)
        return tree

    def _author(self, user_id, names):
        if user_id not in names:
            users = cached_find(self.request, User, {"_id": user_id}) if user_id else []
            if users:
                user = users[0]
                # the profile, as everywhere a person is named (templates/people.jinja2)
                names[user_id] = (user.title, self.request.forge_url(
                    self.request.root, "u", user.username, "@@profile"))
            else:
                names[user_id] = ("(deleted user)" if user_id else "system", None)
        return names[user_id]

    def fragment(self, item, render):
        """``render(item, self)`` (the thread template's post macro), kept
        while the generations stay and for this reader only
        (``forge.fragments.reader_cached``): what else it shows is named here,
        the rest (post, attachments, authors' names, link targets) cannot
        change without moving a generation.  Rendered, not kept, when the
        caller keeps the whole thread's HTML for this reader (``kept_whole``):
        a post kept apart as well would only fill the store."""
        if self.kept_whole:
            return Markup(render(item, self))
        key = ("post", stored_id(self.node), item.id, self.post_url, self.may_post,
               self.may_moderate, self.may_skip_moderation, self.locked)
        return reader_cached(self.request, key, lambda: Markup(render(item, self)))

    @property
    def items(self):
        """All shown items, depth first (for counting and tests)."""
        def walk(items):
            for item in items:
                yield item
                yield from walk(item.replies)
        return list(walk(self.tree))

    @property
    def pending_count(self):
        return sum(1 for item in self.items if not item.placeholder and item.pending)


class _MarksLeft:
    """A page's link context that leaves the bare ``#12`` / ``@name`` marks
    as they are (the HTML the render cache keeps, for reading its marks)."""

    def __init__(self, links):
        self._links = links

    def __getattr__(self, name):
        return getattr(self._links, name)

    def hash_reference(self, number):
        return None

    def mention(self, username):
        return None


class StoredPost(StoredFields):
    """A post as stored: validating twenty posts cost more than the rest of
    a ticket page together."""

    __slots__ = ()
    DEFAULTS = {"parent_id": None, "author_id": None, "editor_id": None, "text": "",
                "status": "ok", "status_reason": "", "deleted": False, "version": 1,
                "history": (), "attachments": (), "attachment_ids": (), "ref_title": "",
                "tool_type": "", "project_id": None, "tool_id": None}

    title = Post.title
    depth = Post.depth
    visible = Post.visible


class StoredThread(StoredFields):
    """A thread as stored: a page reads whether it is locked and how many
    posts it shows."""

    __slots__ = ()
    DEFAULTS = {"num_posts": 0, "locked": False, "last_post_at": None,
                "last_author_id": None, "ref_title": "", "ref_path": None,
                "tool_type": "", "project_id": None, "tool_id": None}

    path = Thread.path
    title = Thread.title


def thread_posts(thread):
    """The thread's posts in slug order (depth first, replies in time order)."""
    if thread is None:
        return []
    return [StoredPost(raw) for raw in _raw_posts(thread._id)]


def _raw_posts(thread_id):
    cursor = collection(Post).find({"thread_id": thread_id}).sort("slug", 1).limit(MAX_POSTS)
    return list(cursor)


def _thread_documents(ref_id):
    """The thread's stored document (or None) and its posts', as stored."""
    thread = collection(Thread).find_one({"ref_id": ref_id})
    return thread, (_raw_posts(thread["_id"]) if thread is not None else [])


def thread_view(request, node, links=None, kept_whole=False, shared=False):
    """The ``ThreadView`` of the artifact resource ``node`` (read is the
    caller's check: the view that shows the artifact).  Posts' short links
    resolve through ``links`` (default ``forge.links.link_context(request,
    node)``; a wiki passes its own, with ``[[Page]]`` links).  ``kept_whole``:
    the caller keeps the HTML of the whole thread per reader
    (``forge.fragments.reader_cached``, as the ticket's timeline does), so
    each post is rendered, not kept on its own too.  ``shared``: the caller
    keeps it for every reader with the same ``verdicts()``
    (``forge.fragments.verdict_cached``): kept whole, its forms carrying
    ``CSRF_SLOT``."""
    # kept per generation: every write of a thread or post moves ``content``;
    # what each reader is shown of them is decided by ThreadView
    ref_id = stored_id(node)
    raw_thread, raw_posts = generation_cached(
        request, ("thread-documents", ref_id), lambda: _thread_documents(ref_id))
    thread = StoredThread(raw_thread) if raw_thread is not None else None
    return ThreadView(request, node, thread, [StoredPost(raw) for raw in raw_posts],
                      links=links, kept_whole=kept_whole, shared=shared)
