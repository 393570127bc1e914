"""No query string makes the search fail other than with a ``QueryError``
(the page's friendly message): seeded random strings of query syntax."""
import random

from forge.search.index import SearchIndex
from forge.search.query import QueryError, search

ALPHABET = list('ab:_."-* \\()[]{}^~+!/?&|<>=\'é\x00\t') + [
    "title:", "label:", "fields.", "a.b:", "..", "AND", "OR", "NOT", "severity:"]


def test_random_queries_never_crash():
    index = SearchIndex("")
    with index.writing() as batch:
        batch.add({"id": "x", "title": "hello world", "text": "some text",
                   "acl_shape": ["0:0"], "fields": {"a": "b"}})
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 12)))
        try:
            search(index, text, ["system.Everyone"], sort=rng.choice(["relevance", "date"]))
        except QueryError:
            pass
