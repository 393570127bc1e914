"""Atom feeds of the activity streams (``@@activity.atom`` next to each
``@@activity``, ``@@contributions.atom`` next to a person's), built with
feedgen.

Anonymous feeds show what anonymous visitors may read.  A feed reader cannot
sign in, so each user has a **feed token** (``?token=...``): an HMAC with
``forge.secret`` over the user id and a per-user key stored in ``feed_key``;
regenerating the key (account page) invalidates every URL made with the old
one.  A token only ever lets a feed be read as its user, nothing else.
"""


def includeme(config):
    from .tokens import FeedKey  # noqa: F401  (mapped before indexes are made)
    from .tokens import feed_token_of
    config.add_request_method(lambda request, user: feed_token_of(request.registry, user),
                              "feed_token")
    config.scan(".views")
