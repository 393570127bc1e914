"""Lists of artifacts by query: a ``field:value`` language (``language``), the
terms every artifact list understands (``terms``), Mongo filters that
``mim://``, nx-27017 and MongoDB evaluate alike, run in chunks
(``conditions``), and readable pages of their matches (``paging``).  The
tracker's ticket lists are built on it."""
from .conditions import CompiledQuery, Conditions, Segment, choose, iter_matches, serving_index
from .language import ParsedQuery, QueryError, QueryLanguage, Term, Word, unparse
from .paging import COUNT_CAP, query_page, readable_match
from .terms import custom_field, custom_field_term, custom_value, title_words, user_ids

__all__ = ["CompiledQuery", "Conditions", "Segment", "choose", "iter_matches", "serving_index",
           "ParsedQuery", "QueryError", "QueryLanguage", "Term", "Word", "unparse",
           "custom_field", "custom_field_term", "custom_value", "title_words", "user_ids",
           "COUNT_CAP", "query_page", "readable_match"]
