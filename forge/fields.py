"""Typed fields added at run time (custom fields) or by plugins (extensions).

A field is described by plain data, so a project admin can add one to a tool
instance through a form and it is stored on the ``ToolInstance``::

    {"name": "severity", "label": "Severity", "type": "select",
     "options": ["low", "high"], "required": True}

``clean_values`` turns submitted form strings into stored values, or raises
``FieldErrors`` mapping each bad field to the message the user sees.
"""
import datetime
import re
from dataclasses import dataclass, field

from .names import InvalidName, single_line

FIELD_TYPES = ("string", "text", "integer", "boolean", "date", "select", "user")
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_STRING = 255
MAX_TEXT = 64 * 1024
MAX_LABELS = 20
MAX_LABEL = 40


class FieldErrors(ValueError):
    def __init__(self, errors):
        super().__init__("; ".join("%s: %s" % kv for kv in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    type: str = "string"
    required: bool = False
    options: tuple = field(default_factory=tuple)
    help: str = ""

    def as_dict(self):
        return {"name": self.name, "label": self.label, "type": self.type,
                "required": self.required, "options": list(self.options),
                "help": self.help}

    def clean(self, raw, user_exists):
        """Convert one submitted string (None when absent) to a stored value."""
        if self.type == "boolean":
            return raw not in (None, "", "0", "false", "off")
        raw = (raw or "").strip() if self.type != "text" else (raw or "")
        if not raw.strip():
            if self.required:
                raise ValueError("%s is required." % self.label)
            return None
        if self.type == "string":
            if len(raw) > MAX_STRING or not single_line(raw):
                raise ValueError("%s must be one line of at most %d characters."
                                 % (self.label, MAX_STRING))
            return raw
        if self.type == "text":
            if len(raw) > MAX_TEXT:
                raise ValueError("%s may be at most %d characters." % (self.label, MAX_TEXT))
            return raw
        if self.type == "integer":
            if not re.fullmatch(r"[+-]?\d{1,18}", raw):
                raise ValueError("%s must be a whole number." % self.label)
            return int(raw)
        if self.type == "date":
            try:
                return datetime.date.fromisoformat(raw).isoformat()
            except ValueError:
                raise ValueError("%s must be a date like 2026-01-31." % self.label)
        if self.type == "select":
            if raw not in self.options:
                raise ValueError("%s must be one of: %s." % (self.label, ", ".join(self.options)))
            return raw
        if self.type == "user":
            if not user_exists(raw):
                raise ValueError("%s: there is no user named %r." % (self.label, raw))
            return raw
        raise ValueError("%s has an unknown type %r." % (self.label, self.type))


def field_spec(data):
    return FieldSpec(name=data["name"], label=data.get("label") or data["name"],
                     type=data.get("type", "string"),
                     required=bool(data.get("required")),
                     options=tuple(data.get("options") or ()),
                     help=data.get("help", ""))


def field_specs(stored):
    return [field_spec(d) for d in stored or ()]


def new_field_spec(name, label, type_, required=False, options=(), existing=()):
    """Validate a field a project admin is adding; raise InvalidName/ValueError."""
    if not FIELD_NAME.match(name or ""):
        raise InvalidName("A field name is 1-40 lowercase letters, digits or '_', "
                          "starting with a letter.")
    if any(f.name == name for f in existing):
        raise InvalidName("There is already a field named %r." % name)
    if type_ not in FIELD_TYPES:
        raise ValueError("The type must be one of: %s." % ", ".join(FIELD_TYPES))
    options = tuple(o.strip() for o in options if o.strip())
    if type_ == "select" and not options:
        raise ValueError("A select field needs at least one option.")
    if not all(single_line(o) for o in options):
        raise ValueError("An option may not contain line breaks or control characters.")
    label = (label or name).strip()
    if len(label) > 80:
        raise ValueError("The label may be at most 80 characters.")
    if not single_line(label):
        raise ValueError("The label may not contain line breaks or control characters.")
    return FieldSpec(name=name, label=label, type=type_, required=required,
                     options=options if type_ == "select" else ())


def clean_values(specs, form, user_exists, prefix=""):
    """Clean every field in ``specs`` from ``form`` (a mapping of strings)."""
    values, errors = {}, {}
    for spec in specs:
        try:
            values[spec.name] = spec.clean(form.get(prefix + spec.name), user_exists)
        except ValueError as e:
            errors[prefix + spec.name] = str(e)
    if errors:
        raise FieldErrors(errors)
    return values


def form_value(spec, stored):
    """The string a form shows for a stored value (checkboxes: "on" or "")."""
    if spec.type == "boolean":
        return "on" if stored else ""
    return "" if stored is None else str(stored)


def form_values(specs, stored, prefix=""):
    """{prefix + name: form string} for every field in ``specs``."""
    stored = stored or {}
    return {prefix + spec.name: form_value(spec, stored.get(spec.name)) for spec in specs}


def username_exists(username):
    """The ``user_exists`` check of ``user`` fields: an enabled account of that name."""
    from .model import User
    user = User.by_username(username)
    return user is not None and not user.disabled


def parse_labels(raw, noun="An artifact"):
    """"a, b ,a" -> ["a", "b"]: comma-separated, trimmed, without repeats;
    ``ValueError`` with the message a form shows (``noun``: "A ticket")."""
    labels = []
    for label in (raw or "").split(","):
        label = label.strip()
        if not label or label in labels:
            continue
        if len(label) > MAX_LABEL or not single_line(label):
            raise ValueError("A label is one line of at most %d characters." % MAX_LABEL)
        labels.append(label)
    if len(labels) > MAX_LABELS:
        raise ValueError("%s may have at most %d labels." % (noun, MAX_LABELS))
    return labels


def shown_field_values(request, tool, doc):
    """[(spec, value)] of the tool's custom fields and the plugins' extension
    fields of ``doc`` that have a value (booleans always have one: yes or no)."""
    shown = [(spec, (doc.custom or {}).get(spec.name)) for spec in tool.custom_fields()]
    for plugin, specs in request.registry.forge_extensions.fields_for(doc.type).items():
        stored = (doc.ext or {}).get(plugin) or {}
        shown.extend((spec, stored.get(spec.name)) for spec in specs)
    return [(spec, value) for spec, value in shown
            if spec.type == "boolean" or (value is not None and value != "")]
