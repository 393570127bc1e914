"""An artifact's timeline: what each version changed, in the words of its form,
merged by time with the top-level posts of its comment thread.

The changes of a version are read from two consecutive snapshots and named
by the type's declared form fields (``forge.forms``): a one-line or choice
field as "label: before → after" (a ``UserField`` by username), a Markdown or
text field as "label edited", labels as added and removed, then the custom
fields (by their label) and the plugins' extension fields
(``plugin.name``).  The tracker's ticket page shows it; any declared type
whose page has comments can::

    entries = timeline(request, node, thread_view(request, node))
    {% import "forge:templates/artifact/timeline.jinja2" as t with context %}
    {{ t.timeline(entries, node, thread) }}
"""
from .actions.versions import history
from .forms import LabelsField, UserField
from .fragments import generation_cached
from .resources.base import stored_id
from .user_lookup import SYSTEM_PERSON, people


def shown(value):
    """A stored value as the timeline shows it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def version_changes(form_fields, custom_labels, old, new, names):
    """The readable changes between two snapshots' data (see the module docstring)."""
    changes = []
    for field in form_fields:
        a, b = old.get(field.attr), new.get(field.attr)
        label = field.label.lower()
        if field.widget in ("markdown", "text"):
            if (a or "") != (b or ""):
                changes.append({"field": label, "edited": True})
        elif isinstance(field, LabelsField):
            added = [x for x in b or () if x not in (a or ())]
            removed = [x for x in a or () if x not in (b or ())]
            if added or removed:
                changes.append({"field": label, "added": added, "removed": removed})
        elif (a or None) != (b or None):
            if isinstance(field, UserField):
                a, b = names.get(a, "") if a else "", names.get(b, "") if b else ""
            changes.append({"field": label, "old": shown(a), "new": shown(b)})
    old_custom, new_custom = old.get("custom") or {}, new.get("custom") or {}
    for name in sorted(set(old_custom) | set(new_custom)):
        a, b = old_custom.get(name), new_custom.get(name)
        if a != b and not (a in (None, "") and b in (None, "")):
            changes.append({"field": custom_labels.get(name, name), "old": shown(a),
                            "new": shown(b)})
    for plugin in sorted(set(old.get("ext") or {}) | set(new.get("ext") or {})):
        a = (old.get("ext") or {}).get(plugin) or {}
        b = (new.get("ext") or {}).get(plugin) or {}
        for name in sorted(set(a) | set(b)):
            if a.get(name) != b.get(name):
                changes.append({"field": "%s.%s" % (plugin, name), "old": shown(a.get(name)),
                                "new": shown(b.get(name))})
    return changes


def timeline(request, node, thread):
    """[{kind: "created"|"change"|"post", time, ...}] in time order, for ``node``
    of a declared type; ``thread``: its ``ThreadView`` or None."""
    # the changes are the same for every reader until a write: kept per
    # generation (forge.fragments), the snapshots' query and diffs with them
    # (the stored id: a page that reads its artifact as stored builds no Ming object)
    entries = list(generation_cached(request, ("timeline-changes", stored_id(node)),
                                     lambda: tuple(_change_entries(node))))
    if thread is not None:
        entries.extend({"kind": "post", "time": item.post.created, "item": item}
                       for item in thread.tree)
    entries.sort(key=lambda e: e["time"])
    return entries


def _change_entries(node):
    """The "created" and "change" entries of ``node``'s timeline."""
    fields = [f for f in node.kind_info.form.fields if f.on_edit]
    snapshots = list(reversed(history(node.doc)))
    ids = {s.author_id for s in snapshots}
    ids.update((s.data or {}).get(f.attr) for s in snapshots for f in fields
               if isinstance(f, UserField))
    authors = people(i for i in ids if i)
    # field changes name people by username (as the form takes them), the
    # author line by their display name linked to the profile
    names = {i: person.username or person.title for i, person in authors.items()}
    custom_labels = {spec.name: spec.label for spec in node.tool_node.custom_fields()}
    entries, previous = [], None
    for snap in snapshots:
        author = authors.get(snap.author_id, SYSTEM_PERSON)
        if previous is None:
            entries.append({"kind": "created", "time": snap.timestamp, "author": author,
                            "version": snap.version})
        else:
            changes = version_changes(fields, custom_labels, previous.data or {},
                                      snap.data or {}, names)
            if changes or (snap.comment or "").strip():
                entries.append({"kind": "change", "time": snap.timestamp, "author": author,
                                "version": snap.version, "changes": changes,
                                "comment": snap.comment})
        previous = snap
    return entries
