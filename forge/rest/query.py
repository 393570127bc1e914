"""``?q=`` on an artifact collection: the type's query language.

A tool with a query language of its own declares it for its type::

    config.add_rest_query("tracker.ticket", parse)   # parse(q, tool_node) -> filter

``parse`` returns a MongoDB filter that narrows the collection (its keys are
added to the collection's own filter, which keeps deleted artifacts and other
tools out, and may not replace any of them) or raises ``ValueError`` with a
message, answered as a 400 problem.  A type
without one gets the core's: space-separated ``label:NAME``, ``FIELD:VALUE``
for a declared one-line field of the type (``title:Roadmap``) and
``custom.NAME:VALUE`` for a custom field, all of which must hold.  Anything
else is refused rather than ignored, so a query never silently means less
than it says.
"""
import shlex

from ..forms import CheckboxField, LabelsField, MarkdownField, NameField, UserField
from ..model import User

MAX_QUERY = 1000
MAX_TERMS = 20


def add_rest_query(config, type_name, parse):
    """Declare ``parse(q, tool_node)`` as the query language of ``type_name``."""
    parse = config.maybe_dotted(parse)

    def register():
        config.registry.forge_rest_queries[type_name] = parse

    config.action(("forge.rest_query", type_name), register)


def query_filter(request, kind, tool_node, q):
    """The filter ``q`` adds (``{}`` for none); ValueError with a message."""
    if not q or not q.strip():
        return {}
    if len(q) > MAX_QUERY:
        raise ValueError("The query may be at most %d characters." % MAX_QUERY)
    parse = request.registry.forge_rest_queries.get(kind.name)
    if parse is not None:
        return parse(q, tool_node)
    return core_query(kind, tool_node, q)


def core_query(kind, tool_node, q):
    try:
        terms = shlex.split(q)
    except ValueError:
        raise ValueError("The query has an unclosed quote.") from None
    if len(terms) > MAX_TERMS:
        raise ValueError("The query may have at most %d terms." % MAX_TERMS)
    line_fields = {f.name: f for f in kind.form.fields
                   if not isinstance(f, (LabelsField, CheckboxField, MarkdownField, NameField))}
    custom = {s.name for s in tool_node.custom_fields()}
    # one flat filter (the embedded server does not match inside $and): labels
    # must all be there, any other field named twice is a contradiction
    labels, query = [], {}
    for term in terms:
        field, colon, value = term.partition(":")
        if not colon or not field:
            raise ValueError("Unknown query syntax %r: use label:NAME, FIELD:VALUE or "
                             "custom.NAME:VALUE." % term[:40])
        if field in ("label", "labels"):
            labels.append(value)
        elif field in line_fields or (field.startswith("custom.")
                                      and field[len("custom."):] in custom):
            declared = line_fields.get(field)
            key = declared.attr if declared is not None else field
            if isinstance(declared, UserField):     # a username asked, an id stored
                value = user_id(value)
            if key in query and query[key] != value:
                raise ValueError("The query asks for two values of %s." % field[:40])
            query[key] = value
        else:
            raise ValueError("Unknown query field %r; this collection knows: %s." % (
                field[:40], ", ".join(["label"] + sorted(line_fields)
                                      + ["custom." + c for c in sorted(custom)])))
    if labels:
        query["labels"] = labels[0] if len(labels) == 1 else {"$all": labels}
    return query


def user_id(username):
    user = User.by_username(username) if username else None
    if user is None:
        raise ValueError("There is no user named %r." % username[:40])
    return user._id


def includeme(config):
    config.registry.forge_rest_queries = {}
    config.add_directive("add_rest_query", add_rest_query)
