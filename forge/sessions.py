"""The session factory: signed-in sessions live server-side and can be ended.

A Pyramid ``ISession`` in the manner of ``BaseCookieSessionFactory`` and the
Redis session stores: a dict that notes its changes and saves itself in a
response callback.  The cookie (``forge.session.cookie_name``) holds one of:

* ``s1.<random id>`` for a signed-in session: the data lives in the
  ``web_session`` collection (``forge.model.web_session``) under the id's hash,
  so logging out, changing the password or disabling the user ends it at once;
* a signed JSON payload (``forge.secret``) for an anonymous visitor who got a
  form's CSRF token or a flash message.  Anonymous readers write nothing to the
  database, and one who never touches the session gets no cookie at all (the
  page cache serves only such requests).

Cost of a signed-in request: one read by ``_id``, none while nothing was
written since this process read the record (``forge.model.web_session.
KeptRecords``); a write only when the data changed, and a "last seen" update
(which also slides the cookie) at most every ``TOUCH_SECONDS``.  What a
session keeps is bounded: flash queues keep the newest ``FLASH_MAX_MESSAGES`` messages of at most ``FLASH_MAX_CHARS`` each.
"""
import json
import secrets
import time

from pyramid.interfaces import ISession
from webob.cookies import SignedSerializer
from zope.interface import implementer

from .model.cache import page_generations
from .model.web_session import (TOUCH_SECONDS, end_session, find_session, insert_session,
                                keep_written, purge_expired_sessions, save_session_data,
                                session_id_hash, touch_session)

SERVER_PREFIX = "s1."
USER_KEY = "user_id"            # present exactly in the signed-in sessions
FLASH_PREFIX = "_f_"
FLASH_MAX_MESSAGES = 10
FLASH_MAX_CHARS = 500
ANONYMOUS_MAX_COOKIE = 3000     # bytes; browsers refuse cookies over about 4 KiB
PURGE_SECONDS = 3600
USER_AGENT_CHARS = 200


class JSONBytes:
    """The serializer ``SignedSerializer`` wants (bytes in and out)."""

    @staticmethod
    def dumps(value):
        return json.dumps(value, separators=(",", ":")).encode("utf-8")

    @staticmethod
    def loads(data):
        return json.loads(data.decode("utf-8"))


class SessionFactory:
    """Called by Pyramid once per request that uses ``request.session``."""

    def __init__(self, settings):
        self.cookie_name = settings["forge.session.cookie_name"]
        self.max_age = settings["forge.session.max_age"]
        self.secure = settings["forge.session.secure"]
        self.signer = SignedSerializer(settings["forge.secret"], "forge.session.anonymous",
                                       hashalg="sha512", serializer=JSONBytes)
        self.next_purge = 0.0

    def __call__(self, request):
        return ForgeSession(self, request)

    def purge_now(self, now):
        """Expired records go at most once per ``PURGE_SECONDS`` per process
        (when someone signs in), so the collection holds live sessions only."""
        if now >= self.next_purge:
            self.next_purge = now + PURGE_SECONDS
            purge_expired_sessions(now)


def _changes(method):
    def changing(self, *args, **kw):
        self.changed()
        return method(self, *args, **kw)
    changing.__name__ = method.__name__
    return changing


@implementer(ISession)
class ForgeSession(dict):
    def __init__(self, factory, request):
        super().__init__()
        self._factory = factory
        self._request = request
        self._record_id = None       # hash of the stored record this session continues
        self._generations = None     # those its record was read under (and kept)
        self._record = None          # the stored record as read
        self._session_id = None      # the random id the cookie carries (signed-in only)
        self._cookie_in = request.cookies.get(factory.cookie_name)
        self._dirty = self._touch = self._saving = False
        self.created = time.time()
        self.new = True
        # the stored record's per-user generation (``bump_user_generation``);
        # None when no stored record was read (visitors, API tokens)
        self.user_generation = None
        # the stored record's ``data`` text as read (``forge.signed_pages``
        # keeps a page per session while it is unchanged)
        self.record_data = None
        if self._cookie_in:
            self._load(self._cookie_in)

    def _load(self, value):
        now = time.time()
        if value.startswith(SERVER_PREFIX):
            self._generations = page_generations(self._request)
            record = find_session(session_id_hash(value[len(SERVER_PREFIX):]), now,
                                  self._generations)
            if record is None:
                return self._save_later()           # the cookie is dropped
            dict.update(self, json.loads(record.get("data") or "{}"))
            dict.__setitem__(self, USER_KEY, record["user_id"])
            self._record_id = record["_id"]
            self._record = record
            self.user_generation = record.get("generation", 0)
            self.record_data = record.get("data")
            self._session_id = value[len(SERVER_PREFIX):]
            self.created, self.new = record.get("created", now), False
            if now - record.get("seen", 0) >= TOUCH_SECONDS:
                self._touch = True
                self._save_later()
            return None
        try:
            created, data = self._factory.signer.loads(value.encode("ascii"))
            created = float(created)
        except (ValueError, TypeError, UnicodeEncodeError):
            return self._save_later()
        if not isinstance(data, dict) or USER_KEY in data \
                or created + self._factory.max_age < now:
            return self._save_later()
        dict.update(self, data)
        self.created, self.new = created, False
        return None

    # ISession
    def changed(self):
        self._dirty = True
        self._save_later()

    def invalidate(self):
        """End this session: its record is deleted now (not when the answer
        goes out), and what the request adds afterwards starts a new one."""
        if self._record_id is not None:
            end_session(self._record_id)
            self._record_id = self._record = None
        dict.clear(self)
        self.created, self.new = time.time(), True
        self.changed()

    def renew(self):
        """Keep the data under a new id (the old record ends): after sign-in
        or a password change a copy of the old cookie opens nothing."""
        if self._record_id is not None:
            end_session(self._record_id)
            self._record_id = self._record = None
        self.changed()

    @property
    def record_id(self):
        """The hash under which this session is stored, or None."""
        return self._record_id

    @property
    def unchanged_record(self):
        """Whether this request read a stored signed-in record and writes
        nothing back: no data changed (no flash popped, no token made), no
        "last seen" touch due, not ended or renewed."""
        return (self._record_id is not None and self.user_generation is not None
                and not self._saving)

    __setitem__ = _changes(dict.__setitem__)
    __delitem__ = _changes(dict.__delitem__)
    clear = _changes(dict.clear)
    update = _changes(dict.update)
    setdefault = _changes(dict.setdefault)
    pop = _changes(dict.pop)
    popitem = _changes(dict.popitem)

    def flash(self, msg, queue="", allow_duplicate=True):
        msg = str(msg)
        if len(msg) > FLASH_MAX_CHARS:
            msg = msg[:FLASH_MAX_CHARS - 1] + "…"
        messages = list(self.get(FLASH_PREFIX + queue, ()))
        if not allow_duplicate and msg in messages:
            return
        messages.append(msg)
        self[FLASH_PREFIX + queue] = messages[-FLASH_MAX_MESSAGES:]

    def pop_flash(self, queue=""):
        if FLASH_PREFIX + queue not in self:
            return []                # nothing to show: nothing to write
        return self.pop(FLASH_PREFIX + queue)

    def peek_flash(self, queue=""):
        return list(self.get(FLASH_PREFIX + queue, ()))

    def new_csrf_token(self):
        token = secrets.token_hex(20)
        self["_csrft_"] = token
        return token

    def get_csrf_token(self):
        return self.get("_csrft_") or self.new_csrf_token()

    # saving
    def _save_later(self):
        if not self._saving:
            self._saving = True
            self._request.add_response_callback(self._save)

    def _save(self, request, response):
        now = time.time()
        expires = now + self._factory.max_age
        if self.get(USER_KEY):
            data = json.dumps({k: v for k, v in self.items() if k != USER_KEY})
            if self._record_id is None:
                self._start_record(request, data, now, expires)
            elif self._dirty:
                if save_session_data(self._record_id, data, now, expires, self.record_data):
                    self._keep_written(data=data, seen=now, expires=expires)
            elif self._touch:
                touch_session(self._record_id, now, expires)
                self._keep_written(seen=now, expires=expires)
            else:
                return
            self._set_cookie(response, SERVER_PREFIX + self._session_id)
            return
        if self._record_id is not None:          # signed out by removing the user key
            end_session(self._record_id)
            self._record_id = None
        if len(self):
            if self._dirty or self._cookie_in is None:
                self._set_cookie(response, self._anonymous_cookie())
        elif self._cookie_in is not None:
            self._set_cookie(response, None)       # nothing left: drop the cookie

    def _keep_written(self, **written):
        """The record as this request wrote it, kept for the next request here
        (unless the request wrote anything else: its generations are unknown)."""
        if self._record is not None and page_generations(self._request) == self._generations:
            keep_written(self._generations, dict(self._record, **written))

    def _start_record(self, request, data, now, expires):
        self._session_id = secrets.token_urlsafe(32)
        self._record_id = session_id_hash(self._session_id)
        self._factory.purge_now(now)
        insert_session({
            "_id": self._record_id, "user_id": str(self[USER_KEY]), "data": data,
            "created": now, "seen": now, "expires": expires,
            "user_agent": (request.user_agent or "")[:USER_AGENT_CHARS],
            "address": request.remote_addr or ""})

    def _anonymous_cookie(self):
        """The signed payload, dropping the oldest flash messages while it is
        too long for a cookie."""
        data = dict(self)
        while True:
            value = self._factory.signer.dumps([self.created, data]).decode("ascii")
            queues = [key for key in data if key.startswith(FLASH_PREFIX) and data[key]]
            if len(value) <= ANONYMOUS_MAX_COOKIE or not queues:
                return value
            longest = max(queues, key=lambda key: len(data[key]))
            data[longest] = data[longest][1:]

    def _set_cookie(self, response, value):
        factory = self._factory
        response.set_cookie(factory.cookie_name, value,
                            max_age=factory.max_age if value is not None else 0,
                            path="/", secure=factory.secure, httponly=True, samesite="Lax")
