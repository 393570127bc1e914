"""Disabling an account as spam, and taking that back.

One action disables the account (its sessions and tokens end) and hides what
it wrote: its artifacts are marked ``hidden = "spam"``, which their resource's
``__acl__`` turns into "site admins only" (``forge.visibility.hidden_acl``),
so the artifact's pages, lists, activity, feeds, events, mail and search all
answer as for a node the reader may not see, through the one visibility rule;
its visible comments become ``spam`` (the moderation state every thread and
queue already hides, with the counters kept).  What was hidden is recorded
(``SpamHiding``), so enabling the account again brings back exactly that,
and nothing a moderator had hidden for a reason of their own.
"""
from ming.odm import FieldProperty, MappedClass

from ..discussion.actions import moderate_post
from ..discussion.model import Post
from ..events import AclChanged
from ..model import Artifact
from ..model.session import collection, new_id, session, utcnow
from ..unit_of_work import change
from . import ActionError
from .users import set_disabled

HIDDEN_AS_SPAM = "spam"


class SpamHiding(MappedClass):
    """What disabling ``user_id`` as spam hid: artifact ids and post ids."""

    class __mongometa__:
        session = session
        name = "spam_hiding"
        unique_indexes = [("user_id",)]

    _id = FieldProperty(str, if_missing=new_id)
    user_id = FieldProperty(str)
    artifact_ids = FieldProperty([str])
    post_ids = FieldProperty([str])
    created = FieldProperty(float, if_missing=0.0)


def disable_as_spam(registry, user, actor):
    """Disable ``user`` and hide their artifacts and comments; returns
    (artifacts hidden, comments hidden)."""
    if user._id == actor._id:
        raise ActionError("You cannot disable your own account.")
    if user.site_admin:
        raise ActionError("%s is a site admin; take their rights first." % user.username)
    if SpamHiding.query.get(user_id=user._id) is not None:
        raise ActionError("%s is disabled as spam already." % user.username)
    set_disabled(user, True, actor)
    posts = [p for p in Post.query.find({"author_id": user._id, "deleted": False}).all()
             if p.status == "ok"]
    for post in posts:
        moderate_post(registry, post, "spam", actor)
    artifacts = Artifact.query.find({"author_id": user._id, "deleted": False}).all()
    artifacts = [a for a in artifacts if not a.hidden]
    with change(registry, None, node=user, actor=actor, new={"hidden": HIDDEN_AS_SPAM}) as ch:
        for artifact in artifacts:
            collection(Artifact).update_one({"_id": artifact._id},
                                            {"$set": {"hidden": HIDDEN_AS_SPAM}})
            # the search index and the forum counters recompute read on it
            ch.also_emit(AclChanged(artifact, actor=actor, kind="artifact",
                                    action="user.spam"))
        SpamHiding(user_id=user._id, artifact_ids=[a._id for a in artifacts],
                   post_ids=[p._id for p in posts], created=utcnow().timestamp())
        ch.log("user.spam", "disabled the account as spam, hiding %d artifacts and %d "
               "comments" % (len(artifacts), len(posts)))
    return len(artifacts), len(posts)


def restore_from_spam(registry, user, actor):
    """Enable ``user`` and show again what disabling them as spam hid."""
    hiding = SpamHiding.query.get(user_id=user._id)
    if hiding is None:
        raise ActionError("%s was not disabled as spam." % user.username)
    set_disabled(user, False, actor)
    for post_id in hiding.post_ids:
        post = Post.query.get(_id=post_id)
        if post is not None and not post.deleted and post.status == "spam":
            moderate_post(registry, post, "approve", actor)
    artifacts = [a for a in (Artifact.query.get(_id=i) for i in hiding.artifact_ids)
                 if a is not None]
    with change(registry, None, node=user, actor=actor, new={"hidden": ""}) as ch:
        for artifact in artifacts:
            collection(Artifact).update_one({"_id": artifact._id}, {"$set": {"hidden": ""}})
            ch.also_emit(AclChanged(artifact, actor=actor, kind="artifact",
                                    action="user.unspam"))
        hiding.delete()
        ch.log("user.unspam", "enabled the account and showed its %d artifacts and %d "
               "comments again" % (len(artifacts), len(hiding.post_ids)))
    return len(artifacts), len(hiding.post_ids)
