"""The addresses mail in answers, and the signed reply tokens.

Under ``forge.mail_in.domain`` the forge receives mail for

* ``reply+TOKEN@DOMAIN``: the Reply-To of a notification.  The token names
  one user and one artifact and is signed with ``forge.secret``, so nobody
  can make one for another user or another artifact; it is the authority a
  reply carries (as GitHub's and GitLab's reply addresses are);
* ``MOUNT.PROJECT@DOMAIN`` (``tickets.demo@``; a subproject ``demo/sub`` is
  ``tickets.demo.sub@``): a tool instance that takes new artifacts by mail;
* ``MOUNT.PROJECT+ID@DOMAIN`` (``wiki.demo+<page id>@``): one artifact of a
  tool whose type takes comments by mail (a wiki page).  Unsigned, like a
  tool's address: the sender's verified address says who comments.  The id,
  not the name, so the address survives a rename and a mail system that
  changes the case of a local part.

A token is 35 bytes in lower-case base32 (56 characters, so the address's
local part stays within the 64 characters RFC 5321 allows): a version byte,
the user's and the artifact's 12-byte ids, and 10 bytes (80 bits) of
HMAC-SHA256.  Base32 because mail systems may change the case of a local part.
"""
import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

SALT = b"forge.mail_in.reply:"
VERSION = b"\x01"
MAC_BYTES = 10
OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")
REPLY_PREFIX = "reply+"
TOOL_LOCAL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")


def _mac(secret, payload):
    return hmac.new(SALT + secret.encode("utf-8"), payload, hashlib.sha256).digest()[:MAC_BYTES]


def make_reply_token(secret, user_id, artifact_id):
    """The token of (user, artifact), or None for ids that are not ObjectId hex."""
    if not (OBJECT_ID.match(str(user_id)) and OBJECT_ID.match(str(artifact_id))):
        return None
    payload = VERSION + bytes.fromhex(user_id) + bytes.fromhex(artifact_id)
    return base64.b32encode(payload + _mac(secret, payload)).decode("ascii").rstrip("=").lower()


def read_reply_token(secret, token):
    """(user_id, artifact_id), or None for a token that is malformed or forged."""
    try:
        raw = base64.b32decode(token.upper() + "=" * (-len(token) % 8))
    except (ValueError, TypeError):
        return None
    if len(raw) != 1 + 24 + MAC_BYTES or raw[:1] != VERSION:
        return None
    payload, mac = raw[:25], raw[25:]
    if not hmac.compare_digest(mac, _mac(secret, payload)):
        return None
    return payload[1:13].hex(), payload[13:25].hex()


def reply_address(settings, user_id, artifact_id):
    """``reply+TOKEN@DOMAIN``, or None when mail in is off or the ids do not fit."""
    domain = settings.get("forge.mail_in.domain")
    token = make_reply_token(settings["forge.secret"], user_id, artifact_id) if domain else None
    return "%s%s@%s" % (REPLY_PREFIX, token, domain) if token else None


def tool_address(settings, project_shortname, mount):
    domain = settings.get("forge.mail_in.domain")
    if not domain:
        return None
    return "%s.%s@%s" % (mount, project_shortname.replace("/", "."), domain)


def artifact_address(settings, project_shortname, mount, artifact_id):
    """``MOUNT.PROJECT+ID@DOMAIN``, or None when mail in is off or the local part
    would pass the 64 characters RFC 5321 allows."""
    address = tool_address(settings, project_shortname, mount)
    if address is None or not OBJECT_ID.match(str(artifact_id)):
        return None
    local, _, domain = address.rpartition("@")
    local = "%s+%s" % (local, artifact_id)
    return "%s@%s" % (local, domain) if len(local) <= 64 else None


@dataclass(frozen=True)
class Reply:
    """A reply address: who replies, to which artifact."""
    user_id: str
    artifact_id: str


@dataclass(frozen=True)
class ToolAddress:
    """A tool's address: the tool ``mount`` of project ``shortname``."""
    shortname: str
    mount: str


@dataclass(frozen=True)
class ArtifactAddress:
    """An artifact's address: comments on ``artifact_id`` of tool ``mount``."""
    shortname: str
    mount: str
    artifact_id: str


def parse_address(settings, address):
    """A ``Reply``, a ``ToolAddress``, an ``ArtifactAddress``, or None for an
    address that is not ours (another domain, an unknown form, a forged token)."""
    local, at, domain = (address or "").strip().rpartition("@")
    if not at or not local or domain.lower() != settings.get("forge.mail_in.domain"):
        return None
    local = local.lower()
    if local.startswith(REPLY_PREFIX):
        found = read_reply_token(settings["forge.secret"], local[len(REPLY_PREFIX):])
        return Reply(*found) if found else None
    return _tool_or_artifact(local)


def _tool_or_artifact(local):
    tool_part, plus, artifact_id = local.partition("+")
    if len(local) > 64 or not TOOL_LOCAL.match(tool_part):
        return None
    mount, _, project = tool_part.partition(".")
    shortname = project.replace(".", "/")
    if not plus:
        return ToolAddress(shortname=shortname, mount=mount)
    if OBJECT_ID.match(artifact_id):
        return ArtifactAddress(shortname=shortname, mount=mount, artifact_id=artifact_id)
    return None


def mail_domain(settings):
    """The domain of Message-IDs: the mail-in domain, else the base URL's host."""
    from urllib.parse import urlsplit
    return settings.get("forge.mail_in.domain") or \
        urlsplit(settings.get("forge.base_url", "")).hostname or "pyforge"


def thread_id(settings, artifact_id):
    """The Message-ID every notification about one artifact refers to, so mail
    clients put them (and the replies) in one thread."""
    return "<artifact.%s@%s>" % (artifact_id, mail_domain(settings))


def notification_id(settings, event_id, user_id):
    """The Message-ID of one notification (the same when the bus retries it)."""
    return "<%s.%s@%s>" % (event_id, user_id, mail_domain(settings))
