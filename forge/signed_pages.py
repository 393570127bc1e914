"""Whole pages per signed-in session: the page cache's third key kind.

A signed-in page is a function of the (tree, content) generations, the reader
(user, principals) and the session (the CSRF token its forms carry, the
unread badge, a pending flash message): the generation store
(``forge.fragments``) already keeps its pieces on that footing.  This kind
keeps the whole page, in the page cache (``forge.page_cache``), for the
session that asked for it, so that a reader who reads a page again while
nothing changed costs two small finds (the generations and the session
record, or only the first while this process keeps the record:
``forge.model.web_session.KeptRecords``) and no traversal, security check
or rendering.

Applies to GET requests whose only cookie is the forge's server-side session
cookie (``s1.``) and that carry nothing else naming a reader (no
``Authorization``, no credential in the query), for views with
``page_cache=True``.  Key: ``("signed", the session record's id, URL,
Accept, X-Requested-With, date)``; the record's id is the hash of the random
session id, so no two sessions share a page and no other kind's key is equal.

Exact, checked on every hit against the session record (one find by ``_id``,
or the record this process keeps under the page's generations: every write
of a record but the touch moves them, so while they are unchanged the kept
record is the stored one but for an older touch, which only makes the check
below stricter):

* the record must still exist and not have expired: logging out, a password
  change and disabling the user delete it, so their pages are never served;
* its per-user ``generation`` (moved by ``bump_user_generation``: an in-app
  notification recorded, "mark all read") must be the one the page was made
  with: the unread badge;
* its ``data`` text must be the one the page was made with: the CSRF token,
  and no flash message arrived since (a page is only stored when its request
  found none to show);
* the "last seen" touch must not be due (``TOUCH_SECONDS``): then the request
  goes to the handler, which writes it and slides the cookie.

The generations cover everything else (the page cache drops every page when
they move): any write shown on pages, a change of roles, ACLs, users,
projects.  Stored: 200 answers of opted-in views, as plain bytes, of a
request that wrote nothing, set no cookie, added no response callback and
left the session record as it read it (no flash popped, no data written, no
touch; reading the CSRF token is fine: the key is the session), whose view
did not say ``Cache-Control: no-store``.  Stored pages get ``Cache-Control:
private`` (when the view set none) and an ETag.  One session keeps at most
``1/OWNER_SHARE`` of the page cache's budget (``forge.page_cache``).
"""
import time

from .model.web_session import session_for_page, session_id_hash
from .page_cache import ALLOWED, credential_in_query, page_key, plain_bytes
from .sessions import SERVER_PREFIX, TOUCH_SECONDS, USER_KEY, ForgeSession

KIND = "signed"
MAX_COOKIE_VALUE = 200          # an ``s1.`` id is 46 characters


class SessionUse:
    """What a hit checks again: the session record as the page was made."""
    __slots__ = ("record_id", "user_id", "generation", "data")

    def __init__(self, record_id, user_id, generation, data):
        self.record_id, self.user_id = record_id, user_id
        self.generation, self.data = generation, data


class SignedInPages:
    """The page cache kind of signed-in browsers' GETs, per session."""

    keeps_etag = True
    cache_control = "private"

    def __init__(self, cookie_name):
        self.cookie_name = cookie_name

    def key(self, request):
        if request.method != "GET" or "Authorization" in request.headers \
                or "Cookie" not in request.headers:
            return None
        cookies = request.cookies
        value = cookies.get(self.cookie_name)
        # the session cookie alone: another cookie may mean something to a view
        if len(cookies) != 1 or not value or not value.startswith(SERVER_PREFIX) \
                or len(value) > MAX_COOKIE_VALUE:
            return None
        if credential_in_query(request):
            return None
        try:
            record_id = session_id_hash(value[len(SERVER_PREFIX):])
        except UnicodeEncodeError:
            return None
        return (KIND, record_id) + page_key(request)

    def admit(self, page, request):
        use, now = page.reader, time.time()
        # the page cache has just found the generations unchanged since the
        # page was made: a record kept under them is the stored one
        record = session_for_page(use.record_id, now, page.generations)
        return (record is not None
                and record.get("user_id") == use.user_id
                and record.get("generation", 0) == use.generation
                and record.get("data") == use.data
                and now - record.get("seen", 0) < TOUCH_SECONDS)

    def storable(self, request, response):
        session = request.__dict__.get("session")
        return (request.environ.get(ALLOWED)
                and isinstance(session, ForgeSession) and session.unchanged_record
                and session.get(USER_KEY)
                and "no-store" not in response.headers.get("Cache-Control", "").lower()
                and plain_bytes(request, response))

    def reader(self, request):
        session = request.session
        return SessionUse(session.record_id, str(session[USER_KEY]), session.user_generation,
                          session.record_data)

    def owner(self, request):
        return (KIND, request.session.record_id)


def includeme(config):
    """Added after the page cache's own kinds (``forge.page_cache``)."""
    cookie_name = config.registry.settings["forge.session.cookie_name"]
    config.add_page_cache_kind(SignedInPages(cookie_name))
