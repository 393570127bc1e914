"""The ticket form: what it shows, and turning what was posted into ticket fields.

Everything typed is kept as strings in ``values`` so a refused form comes back
as it was sent, with ``errors`` mapping each form field name to its message.
Custom fields post as ``custom.NAME``, plugin extension fields as
``ext.PLUGIN.NAME`` (as in the notes tool).
"""
from forge.api import (ActionError, FieldErrors, User, check_title, clean_values, form_values,
                       parse_labels, single_line, username_exists)

from .actions import TICKET_TYPE, default_priority, tracker_settings

MAX_TEXT = 256 * 1024
MAX_COMMENT = 500


class TicketForm:
    def __init__(self, request, tool_node):
        self.request = request
        self.options = tracker_settings(tool_node.doc)
        self.custom_specs = tool_node.custom_fields()
        self.ext_specs = request.registry.forge_extensions.fields_for(TICKET_TYPE)
        self.errors = {}
        self.values = {"title": "", "description": "", "status": "", "assigned_to": "",
                       "labels": "", "milestone": "", "priority": "", "comment": "",
                       "private": ""}
        self.values.update(form_values(self.custom_specs, {}, "custom."))
        for plugin, specs in self.ext_specs.items():
            self.values.update(form_values(specs, {}, "ext.%s." % plugin))

    # -- what the form offers -------------------------------------------------------

    @property
    def statuses(self):
        return list(self.options.open_states) + list(self.options.closed_states)

    @property
    def priorities(self):
        return list(self.options.priorities)

    @property
    def milestones(self):
        """Names of the open milestones, plus the ticket's own if it is closed."""
        names = [m.get("name") for m in self.options.milestones
                 if m.get("name") and not m.get("closed")]
        current = self.values.get("milestone")
        if current and current not in names:
            names.append(current)
        return names

    # -- filling and reading ----------------------------------------------------------

    def fill_defaults(self):
        options = self.options
        self.values.update(status=options.open_states[0] if options.open_states else "open",
                           priority=default_priority(options),
                           assigned_to=options.default_assignee or "")
        return self

    def fill_from(self, doc):
        """Start an edit form from the stored ticket."""
        assignee = User.query.get(_id=doc.assigned_to_id) if doc.assigned_to_id else None
        self.values.update(title=doc.title, description=doc.description, status=doc.status,
                           assigned_to=assignee.username if assignee else "",
                           labels=", ".join(doc.labels or ()), milestone=doc.milestone or "",
                           priority=doc.priority or "")
        self.values.update(form_values(self.custom_specs, doc.custom, "custom."))
        for plugin, specs in self.ext_specs.items():
            self.values.update(form_values(specs, (doc.ext or {}).get(plugin), "ext.%s." % plugin))
        return self

    def read(self, post):
        for key in self.values:
            self.values[key] = post.get(key, "")
        return self

    def clean(self):
        """The ticket's fields from ``values``; raise FieldErrors (all at once)."""
        errors, fields = {}, {}
        values = self.values
        try:
            fields["title"] = check_title(values["title"])
        except ActionError as e:
            errors["title"] = str(e).replace("title", "summary").replace("Title", "Summary")
        text = values["description"].replace("\r\n", "\n")
        if len(text) > MAX_TEXT:
            errors["description"] = "The description may be at most %d characters." % MAX_TEXT
        elif "\x00" in text:
            errors["description"] = "The description may not contain NUL characters."
        fields["description"] = text
        status = values["status"].strip() or (self.statuses or ["open"])[0]
        if status not in self.statuses:
            errors["status"] = "The status must be one of: %s." % ", ".join(self.statuses)
        fields["status"] = status
        priority = values["priority"].strip() or default_priority(self.options)
        if priority not in self.priorities:
            errors["priority"] = "The priority must be one of: %s." % ", ".join(self.priorities)
        fields["priority"] = priority
        milestone = values["milestone"].strip()
        known = [m.get("name") for m in self.options.milestones]
        if milestone and milestone not in known:
            errors["milestone"] = "There is no milestone %r." % milestone[:80]
        fields["milestone"] = milestone
        assignee = values["assigned_to"].strip()
        fields["assigned_to_id"] = None
        if assignee:
            user = User.by_username(assignee)
            if user is None or user.disabled:
                errors["assigned_to"] = "There is no user named %r." % assignee[:80]
            else:
                fields["assigned_to_id"] = user._id
        try:
            fields["labels"] = parse_labels(values["labels"], "A ticket")
        except ValueError as e:
            errors["labels"] = str(e)
        try:
            fields["custom"] = clean_values(self.custom_specs, values, username_exists,
                                            prefix="custom.")
        except FieldErrors as e:
            errors.update(e.errors)
        ext = {}
        for plugin, specs in self.ext_specs.items():
            try:
                ext[plugin] = clean_values(specs, values, username_exists,
                                           prefix="ext.%s." % plugin)
            except FieldErrors as e:
                errors.update(e.errors)
        fields["ext"] = ext
        comment = values["comment"].strip()
        if len(comment) > MAX_COMMENT or not single_line(comment):
            errors["comment"] = ("The comment is one line of at most %d characters."
                                 % MAX_COMMENT)
        self.errors = errors
        if errors:
            raise FieldErrors(errors)
        return fields

    @property
    def private(self):
        return self.values["private"] not in ("", "0", "off", "false")
