"""REST answers kept per API token: the page cache's second key kind.

A script polling ``/rest/.../@@items`` with its token asks the same questions
again and again, and most of what each answer costs is the token's find, the
site document and the artifacts' query.  The page cache (``forge.page_cache``)
keeps whole answers exact under the (tree, content) generations; this kind
adds requests that carry ``Authorization: Bearer pf_...`` (and nothing else
that names a reader: no cookie) under ``/rest``, keyed by the token's hash, the
method, host, application URL, path and query, ``Accept`` and the date.  A hit
is one small query (the generations) and no token find, traversal or view.

Exact, as the page cache is:

* a write moves ``content``, a change of users, roles, ACLs or projects moves
  ``tree``: revoking a token (a flush of its record), disabling its user,
  making a project private all empty the store, so the next request is
  answered from the database (401, 404) as without the cache;
* a token's expiry passes without any write: each hit checks it against the
  expiry of the record the answer was made with, and a passed one falls
  through to the forge tween, which answers 401 and says why;
* the token's hash is in the key, so tokens with other scopes or projects
  never share an answer; a request with a cookie (a browser, which may also
  hold a session) or HTTP Basic has no key here and is never served one.

The last-used time keeps its rule (written at most once a minute): hits note
it in memory per token and write it (``note_token_used``) when a minute has
passed since the last write this process knows of.

Stored: 200 answers of REST GET views (``page_cache=True`` in ``REST_VIEW``)
that did not write, touch a session or set a cookie; their ``ETag`` (a node's
version) is kept as the view sent it, so ``If-None-Match`` gets a 304 on hits
too and ``If-Match`` keeps working.  The page cache's byte budget and LRU
bound them together with the anonymous pages.
"""
import datetime
import threading
import time

from ..actions.tokens import TOKEN_PREFIX, last_use_due, note_token_used, token_hash
from ..page_cache import ALLOWED, plain_answer
from ..security import BASIC_AUTH, TOKEN_USER, bearer_token
from .mount import rest_prefix

KIND = "rest-token"
MAX_TOKENS_NOTED = 10000


class TokenUse:
    """What a hit checks again: the token's record id and expiry."""
    __slots__ = ("token_id", "expires")

    def __init__(self, token_id, expires):
        self.token_id, self.expires = token_id, expires


class TokenAnswers:
    """The page cache kind of REST GETs authenticated by an API token alone."""

    keeps_etag = True

    def __init__(self):
        self._lock = threading.Lock()
        self._last_used = {}        # token id -> the last-used time last written

    def key(self, request):
        if request.method != "GET" or "Cookie" in request.headers:
            return None
        if not request.environ.get("PATH_INFO", "").startswith(
                rest_prefix(request.registry) + "/"):
            return None
        token = bearer_token(request)
        if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        return (KIND, token_hash(token), request.method, request.host,
                request.application_url, request.path_qs,
                request.headers.get("Accept", ""), request.headers.get("X-Requested-With", ""),
                datetime.date.today().toordinal())

    def storable(self, request, response):
        user_id = request.environ.get(TOKEN_USER)
        return (getattr(user_id, "token_id", None) is not None
                and BASIC_AUTH not in request.environ
                and request.environ.get(ALLOWED)
                and "no-store" not in response.headers.get("Cache-Control", "").lower()
                and plain_answer(request, response))

    def reader(self, request):
        user_id = request.environ[TOKEN_USER]
        self._noted(user_id.token_id, user_id.last_used)
        return TokenUse(user_id.token_id, user_id.expires)

    def admit(self, page, request):
        use, now = page.reader, time.time()
        if use.expires is not None and use.expires <= now:
            return False        # the forge tween answers 401 and says it expired
        if last_use_due(self._last_used.get(use.token_id), now):
            note_token_used(use.token_id, now)
            self._noted(use.token_id, now)
        return True

    def _noted(self, token_id, last_used):
        if last_used is None:
            return
        with self._lock:
            if len(self._last_used) >= MAX_TOKENS_NOTED:
                self._last_used.clear()     # at worst one more conditional write each
            if last_used > self._last_used.get(token_id, 0):
                self._last_used[token_id] = last_used


def includeme(config):
    config.add_page_cache_kind(TokenAnswers())
