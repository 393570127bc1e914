"""An artifact type's JSON shape, read from its declaration.

The fields come from the type's ``ArtifactForm`` (``add_artifact_type(form=)``),
the tool's custom fields and the plugins' extension fields, exactly as the web
form has them: no tool writes REST code.  A field's class says its JSON type
(``LabelsField``: an array of strings, ``CheckboxField``: a boolean, the
others: a string); a custom field's ``FieldSpec.type`` says its own.

Writes are validated by the same form: the JSON values become the strings a
browser would have posted, and ``ArtifactForm.clean`` refuses what it refuses
on the web, with the same messages per field.
"""
from ..fields import MAX_LABEL, MAX_LABELS, MAX_STRING, MAX_TEXT
from ..forms import CheckboxField, LabelsField, MarkdownField, NameField

#: read-only members every artifact has
READ_ONLY = ("kind", "type", "name", "path", "url", "html_url", "version", "created",
             "modified", "author", "private", "deleted")


def writable_fields(kind, editing):
    """The declared fields a create (``editing=False``) or an update takes."""
    return [f for f in kind.form.fields if not editing or f.on_edit]


def shown_fields(kind):
    return [f for f in kind.form.fields if not isinstance(f, NameField)]


def field_value(field, shown):
    """The JSON value of a declared field from the string its form shows
    (``ArtifactForm.fill_from``, which knows, say, that a thread's subject is
    its title)."""
    if isinstance(field, LabelsField):
        return [label for label in shown.split(", ") if label]
    if isinstance(field, CheckboxField):
        return shown == "on"
    return shown


def field_schema(field):
    if isinstance(field, LabelsField):
        return {"type": "array", "maxItems": MAX_LABELS,
                "items": {"type": "string", "maxLength": MAX_LABEL}}
    if isinstance(field, CheckboxField):
        return {"type": "boolean"}
    schema = {"type": "string", "description": field.label}
    if field.max_length:
        schema["maxLength"] = field.max_length
    if isinstance(field, MarkdownField):
        schema["description"] += " (Markdown)" if field.widget == "markdown" else ""
    return schema


CUSTOM_TYPES = {"integer": {"type": ["integer", "null"]},
                "boolean": {"type": "boolean"},
                "date": {"type": ["string", "null"], "format": "date"},
                "text": {"type": ["string", "null"], "maxLength": MAX_TEXT}}


SCALAR = {"type": ["string", "integer", "boolean", "null"]}


def custom_schema(spec):
    schema = dict(CUSTOM_TYPES.get(spec.type, {"type": ["string", "null"],
                                               "maxLength": MAX_STRING}))
    if spec.type == "select":
        schema["enum"] = list(spec.options) + [None]
    schema["description"] = spec.label
    return schema


def to_form_string(value, what):
    """A JSON value as the string a form would post; ValueError for a type no
    form field takes (objects, arrays where a line is expected)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    raise ValueError("%s must be a %s." % (what, "string" if not isinstance(value, list)
                                           else "single value, not a list"))


def field_input(field, value):
    """The form string of a declared field's JSON value."""
    if isinstance(field, LabelsField):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("%s must be an array of strings." % field.label)
        if any("," in v for v in value):
            raise ValueError("A label may not contain a comma.")
        return ", ".join(value)
    if isinstance(field, CheckboxField):
        if not isinstance(value, bool):
            raise ValueError("%s must be true or false." % field.label)
        return "on" if value else ""
    if not isinstance(value, str):
        raise ValueError("%s must be a string." % field.label)
    return value


def custom_input(spec, value):
    if spec.type == "boolean":
        if not isinstance(value, bool):
            raise ValueError("%s must be true or false." % spec.label)
    elif spec.type == "integer":
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError("%s must be a whole number." % spec.label)
    elif value is not None and not isinstance(value, str):
        raise ValueError("%s must be a string." % spec.label)
    return to_form_string(value, spec.label)


def artifact_schema(kind, custom_specs=None, ext_specs=None, editing=None):
    """The JSON schema of an artifact of ``kind`` (``editing`` None: as read;
    False: a create body; True: an update body)."""
    if editing is None:
        properties = {f.name: field_schema(f) for f in shown_fields(kind)}
    else:
        properties = {f.name: field_schema(f) for f in writable_fields(kind, editing)}
    # custom fields are added per tool instance at run time: the API description
    # (custom_specs None) takes any scalar, the instance's form checks the names
    properties["custom"] = {"type": "object", "additionalProperties": SCALAR,
                            "properties": {s.name: custom_schema(s)
                                           for s in custom_specs or ()}}
    properties["ext"] = {"type": "object", "additionalProperties": editing is None,
                         "properties": {plugin: {"type": "object", "properties": {
                             s.name: custom_schema(s) for s in specs}}
                             for plugin, specs in (ext_specs or {}).items()}}
    if editing is None:
        properties.update({
            "kind": {"const": "artifact"}, "type": {"const": kind.name},
            "name": {"type": "string"}, "path": {"type": "string"},
            "url": {"type": "string"}, "html_url": {"type": "string"},
            "version": {"type": "integer"}, "created": {"type": "string"},
            "modified": {"type": "string"}, "author": {"type": ["string", "null"]},
            "private": {"type": "boolean"}})
        return {"type": "object", "properties": properties,
                "required": ["kind", "type", "name", "path", "version"]}
    properties["comment"] = {"type": "string", "maxLength": 500,
                             "description": "Shown in the history."}
    if editing is False and kind.private_readers:
        properties["private"] = {"type": "boolean"}
    required = [] if editing else [f.name for f in kind.form.fields if f.required]
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema
