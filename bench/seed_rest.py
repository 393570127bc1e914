"""Seed the REST rows of the page benchmark (issue 14).

Called by ``seed.py`` after the tool rows, on the same tracker of 10,000
tickets in ``d1``.  Makes a ``read`` API token for the benchmark user (written
to ``token_file``, next to the targets file, for wrk's ``Authorization: Bearer``)
and returns the rows, all signed in with that token (``signed`` = 2):

* ``rest-ticket-token``: ``/rest/p/d1/tickets/1/``, the ticket of the
  ``ticket20-*`` rows as JSON;
* ``rest-list50-token``: a page of 50 tickets from the middle of the tracker
  (the cursor names ticket 5000: tickets 5001-5050, in number order);
* ``rest-query50-token``: the same with ``?q=status:open label:ui``, the
  filter of the ``list10k-anon`` HTML row.

``ticket20-signed`` (``seed_tools``: the HTML ticket page, signed in by
cookie: rendered on every request, since signed-in readers bypass the page
cache) is the page the JSON ticket is compared with (issue 14: at least 3x
its req/s).
"""
import base64
import hashlib
import json
from urllib.parse import urlencode

from forge.actions.tokens import create_token

TICKET = "/rest/p/%s/tickets/1/"
ITEMS = "/rest/p/%s/tickets/@@items"
AFTER = "5000"


def rest_cursor(path, query, after):
    """The cursor ``forge.rest.paging`` gives out for ``path?query`` after
    ``after`` (its format: the key and a digest of the collection's path and
    query, base64url).  Re-done here so the bench needs no request."""
    digest_text = path + "?" + json.dumps(sorted(query.items()))
    digest = hashlib.sha256(digest_text.encode("utf-8")).hexdigest()[:12]
    raw = json.dumps({"after": after, "in": digest}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def collection_path(shortname, query):
    path = ITEMS % shortname
    params = dict(query, limit="50", cursor=rest_cursor(path, query, AFTER))
    return path + "?" + urlencode(params).replace("+", "%20")


def seed_rest(registry, user, project, token_file):
    _record, token = create_token(user, "benchmark", scope="read", source="cli")
    with open(token_file, "w") as out:
        out.write(token + "\n")
    shortname = project.shortname
    return [
        ("rest-ticket-token", TICKET % shortname, "Benchmark ticket with twenty comments", 2),
        ("rest-list50-token", collection_path(shortname, {}), "Seeded ticket 5001", 2),
        ("rest-query50-token", collection_path(shortname, {"q": "status:open label:ui"}),
         "Seeded ticket", 2),
    ]
