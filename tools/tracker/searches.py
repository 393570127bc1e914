"""Personal saved searches: a signed-in user keeps queries of one tracker by name.

Tracker-wide searches (the admin's, shown to everyone) live in the tracker's
options (``admin_actions.add_tracker_search``); personal ones are many and
per user, so they get their own collection, read with one indexed equality
(``tool_id``, ``user_id``).  Events carry no name or query: a saved search is
its owner's business, so its events name no project or tool either.
"""
from ming import schema as S
from ming.odm import FieldProperty, MappedClass

from forge.api import ActionError, ForgeEvent, change, new_id, session, utcnow

from .config import checked, clean_search

MAX_PERSONAL = 50


class TrackerSavedSearch(MappedClass):
    class __mongometa__:
        session = session
        name = "tracker_saved_search"
        unique_indexes = [("tool_id", "user_id", "name")]

    _id = FieldProperty(str, if_missing=new_id)
    project_id = FieldProperty(str, if_missing=None)
    tool_id = FieldProperty(str, if_missing=None)
    user_id = FieldProperty(str, if_missing=None)
    name = FieldProperty(str)
    text = FieldProperty(str)      # the query (``query`` is Ming's)
    created = FieldProperty(S.DateTime, if_missing=utcnow)


class PersonalEvent(ForgeEvent):
    """Names no project or tool, so no one's event stream or activity shows it."""

    def to_message(self):
        return dict(super().to_message(), project_id=None, tool_id=None)


class SearchSaved(PersonalEvent):
    topic = "tracker.search.saved"


class SearchDeleted(PersonalEvent):
    topic = "tracker.search.deleted"


def personal_searches(tool_id, user):
    if user is None:
        return []
    return TrackerSavedSearch.query.find({"tool_id": tool_id, "user_id": user._id}).sort(
        "name", 1).all()


def save_search(registry, tool, user, name, query, check_query):
    """Save ``query`` for ``user`` under ``name`` (replacing a search of that name)."""
    if user is None:
        raise ActionError("Sign in to save searches.", )
    mine = personal_searches(tool._id, user)
    name, query = checked(clean_search, name, query)
    checked(check_query, query)
    existing = next((s for s in mine if s.name == name), None)
    if existing is None and len(mine) >= MAX_PERSONAL:
        raise ActionError("You may keep at most %d saved searches here." % MAX_PERSONAL)
    with change(registry, SearchSaved, node_type=TrackerSavedSearch, node=existing,
                old={"query": existing.text} if existing else {}, new={"query": query},
                actor=user, on_duplicate="You have a saved search named %r already." % name,
                tool_id=tool._id) as ch:
        if existing is not None:
            existing.text = query
            search = existing
        else:
            search = ch.node = TrackerSavedSearch(project_id=tool.project_id, tool_id=tool._id,
                                                  user_id=user._id, name=name, text=query)
    return search


def delete_search(registry, tool, user, search_id):
    search = TrackerSavedSearch.query.get(_id=search_id or "", tool_id=tool._id,
                                          user_id=user._id if user else None)
    if search is None:
        raise ActionError("That saved search is gone (reload the page).")
    with change(registry, SearchDeleted, node=search, old={"query": search.text}, new={},
                actor=user, tool_id=tool._id):
        search.delete()
