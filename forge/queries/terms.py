"""Query terms any list of artifacts understands, compiled into ``Conditions``.

* ``_name:value`` filters custom field ``name`` by its type (``forge.fields``):
  integers and dates also take ``>``, ``>=``, ``<``, ``<=``; booleans take
  yes/no; ``none`` means no value; text fields match a part, case-insensitive.
* user terms (``assigned_to:ada,me,none``) become user ids;
* free words must all occur in the title (one case-insensitive regex).

What ``mim://`` and MongoDB evaluate differently (missing sub-fields, negated
words) is appended to ``residuals``: checks in Python on each candidate.
"""
import datetime
import re

from .conditions import choose
from .language import QueryError

COMPARISONS = (">=", "<=", ">", "<")
YES = ("yes", "true", "y", "1", "on")
NO = ("no", "false", "n", "0", "off")
NONE = ("none", "nobody")


def custom_field(doc, name):
    """The value of custom field ``name`` in a raw artifact document, or None."""
    return (doc.get("custom") or {}).get(name)


def custom_field_term(conditions, residuals, term, specs):
    """Add ``term`` (field ``_name``) on the custom fields ``specs`` (name -> spec)."""
    name = term.field[1:].lower()
    spec = specs.get(name)
    if spec is None and getattr(term, "bare", False):
        raise QueryError("Unknown field %r: it is neither a field of this list nor one of "
                         "its custom fields%s." % (name[:40], (
                             " (" + ", ".join(specs) + ")") if specs else ""))
    if spec is None:
        raise QueryError("There is no custom field %r here%s." % (name[:40], (
            "; the custom fields are " + ", ".join("_" + s for s in specs)) if specs
            else " (there are no custom fields here)"))
    key = "custom." + name
    if spec.type == "boolean":
        if len(term.values) != 1 or term.values[0].lower() not in YES + NO:
            raise QueryError("%s: is yes or no." % term.field)
        if (term.values[0].lower() in YES) != term.negated:
            conditions.eq(key, True)
        else:
            conditions.none_of(key, [True])
            residuals.append(lambda doc: custom_field(doc, name) is not True)
        return
    if len(term.values) == 1 and term.values[0].lower() in NONE:
        # "no value" is missing or null: checked on each candidate (mim and
        # MongoDB disagree on missing sub-fields)
        if term.negated:
            conditions.present(key)
        else:
            residuals.append(lambda doc: custom_field(doc, name) in (None, ""))
        return
    if spec.type == "text":
        if term.negated:
            needles = [v.lower() for v in term.values]
            residuals.append(lambda doc: not any(
                n in str(custom_field(doc, name) or "").lower() for n in needles))
        else:
            conditions.regex(key, "(?i)" + "|".join(re.escape(v) for v in term.values))
        return
    comparisons, values = [], []
    for raw in term.values:
        op = next((o for o in COMPARISONS if raw.startswith(o)), None)
        if op and spec.type not in ("integer", "date"):
            raise QueryError("%s: only numbers and dates compare with < and >."
                             % term.field)
        value = custom_value(spec, raw[len(op):] if op else raw, term.field)
        (comparisons.append((op, value)) if op else values.append(value))
    if comparisons:
        if term.negated or values or len(comparisons) != len(term.values):
            raise QueryError("%s: give one comparison per term (e.g. %s:>3 %s:<9)."
                             % (term.field, term.field, term.field))
        for op, value in comparisons:
            conditions.compare(key, op, value)
        return
    choose(conditions, key, values, term.negated)


def custom_value(spec, text, field_name):
    """``text`` as a value of the custom field ``spec``; raises QueryError."""
    if spec.type == "integer":
        if not re.fullmatch(r"[+-]?\d{1,18}", text):
            raise QueryError("%s: %r is not a whole number." % (field_name, text[:40]))
        return int(text)
    if spec.type == "date":
        try:
            return datetime.date.fromisoformat(text).isoformat()
        except ValueError:
            raise QueryError("%s: %r is not a date like 2026-01-31."
                             % (field_name, text[:40])) from None
    if spec.type == "select" and text not in spec.options:
        match = next((o for o in spec.options if o.lower() == text.lower()), None)
        if match is None:
            raise QueryError("%s: %r is not one of %s." % (field_name, text[:40],
                                                          ", ".join(spec.options)))
        return match
    return text


def user_ids(term, me, user_id):
    """The ids ``term``'s values name: ``me`` (the viewer's id ``me``), ``none``
    (None) or usernames (``user_id(username)`` -> id or None)."""
    ids = []
    for value in term.values:
        name = value.lower()
        if name == "me":
            if not me:
                raise QueryError("Sign in to search for %s:me." % term.field)
            ids.append(me)
        elif name in NONE:
            ids.append(None)
        else:
            found = user_id(value) if user_id else None
            if found is None:
                raise QueryError("%s: there is no user named %r." % (term.field, value[:40]))
            ids.append(found)
    return ids


def title_words(conditions, residuals, words):
    """Every word that is not negated occurs in the title; no negated one does."""
    wanted = [w.text for w in words if not w.negated]
    unwanted = [w.text.lower() for w in words if w.negated]
    if wanted:
        # one regex, each word a look-ahead: all words, any order (PCRE and Python)
        if len(wanted) == 1:
            pattern = "(?i)" + re.escape(wanted[0])
        else:
            pattern = "(?i)" + "".join("(?=.*%s)" % re.escape(w) for w in wanted)
        conditions.regex("title", pattern)
    if unwanted:
        residuals.append(lambda doc: not any(u in (doc.get("title") or "").lower()
                                             for u in unwanted))
