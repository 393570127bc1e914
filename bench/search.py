"""Search benchmark: index 100,000 generated artifacts, then time queries with
security trimming on.  One command, no database (documents are generated in
the form ``forge.search.documents.build_document`` gives the index)::

    .venv/bin/python bench/search.py                # 100,000 documents
    .venv/bin/python bench/search.py --docs 20000   # quicker

Prints indexing throughput (documents/s, one writer, commits every 10,000)
and the p50/p99 CPU time of a one-word, a phrase and a field query, each for
an anonymous searcher and for a member of 50 projects, through
``forge.search.search`` (the function behind ``@@search``: trimming filter,
count, 20 hits with stored fields and highlighted snippets, type facets):
"new" is a text's first search on the loaded commit (every hit's stored fields
and snippet made), "again" the same search repeated (they are kept per commit,
``forge.search.index.ReaderState``).

The world: 500 projects (1 in 5 private to its members), 2 tools each (1 in
10 private), artifacts spread evenly, 1 in 20 private to developers and the
author; a few user DENYs.  ACL terms come from the real reduction
(``forge.search.acl.lineage_clauses``) over site -> neighborhood -> project
-> tool -> artifact lineages.
"""
import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from forge.model.acl import ace, to_pyramid  # noqa: E402
from forge.resources import lineage_list  # noqa: E402
from forge.search.acl import acl_terms, lineage_clauses  # noqa: E402
from forge.search.index import SearchIndex  # noqa: E402
from forge.search.query import search  # noqa: E402

EVERYONE, AUTHENTICATED = "system.Everyone", "system.Authenticated"
PROJECTS, TOOLS_PER_PROJECT = 500, 2


class Node:
    def __init__(self, acl, parent):
        self.acl, self.__parent__ = acl, parent

    def __acl__(self):
        return to_pyramid(self.acl)


def role(p, name):
    return "role:%s-%d" % (name, p)


def project_acl(p, private):
    acl = [ace("allow", role(p, "admin"), "*"), ace("allow", role(p, "developer"), "update")]
    if p % 50 == 7:
        acl.insert(0, ace("deny", "user:u%d" % p, "read"))
    if private:
        acl += [ace("allow", role(p, "member"), "read"), ace("deny", EVERYONE, "read")]
    return acl


def build_world(rng):
    site = Node([ace("allow", EVERYONE, "read"), ace("allow", AUTHENTICATED, "create")], None)
    hood = Node([], site)
    world = []
    for p in range(PROJECTS):
        project = Node(project_acl(p, p % 5 == 0), hood)
        for t in range(TOOLS_PER_PROJECT):
            private_tool = (p * TOOLS_PER_PROJECT + t) % 10 == 3
            tool = Node([ace("allow", role(p, "member"), "read"), ace("deny", EVERYONE, "read")]
                        if private_tool else [], project)
            world.append((p, t, tool))
    return world


def words(n):
    """A Zipf-like vocabulary: word i drawn with weight 1/(i+1)."""
    import itertools
    vocabulary = ["w%04d" % i for i in range(n)]
    cumulative = list(itertools.accumulate(1.0 / (i + 1) for i in range(n)))
    return vocabulary, cumulative


def generate(count, rng):
    world = build_world(rng)
    vocabulary, weights = words(5000)
    acl_cache = {}
    for i in range(count):
        p, t, tool = world[i % len(world)]
        private = i % 20 == 11
        key = (p, t, private)
        if key not in acl_cache:
            acl = [ace("allow", role(p, "developer"), "read"), ace("allow", "user:u%d" % p, "read"),
                   ace("deny", EVERYONE, "read")] if private else []
            acl_cache[key] = acl_terms(lineage_clauses(lineage_list(Node(acl, tool))))
        text = rng.choices(vocabulary, cum_weights=weights, k=rng.randint(30, 80))
        if i % 7 == 0:
            text[5:7] = ["quick", "fox"]
        title = rng.choices(vocabulary, cum_weights=weights, k=rng.randint(3, 6))
        doc = {"id": "a%07d" % i, "type": ["bench.item", "item"], "project_id": "p%d" % p,
               "projects": ["p%d" % p], "project": ["p%d" % p], "tool_id": "t%d-%d" % (p, t),
               "tool": ["notes"], "title": " ".join(title), "text": " ".join(text),
               "labels": ["l%d" % (i % 40)], "author": ["u%d" % (i % 300)],
               "created": 1.7e9 + i, "modified": 1.7e9 + i,
               "fields": {"severity": ["low", "normal", "high"][i % 3]},
               "url": "p/p%d/notes/a%d/" % (p, i), "where": "P%d › Notes" % p}
        doc.update({k: v for k, v in acl_cache[key].items() if v})
        yield doc


def member_of_50():
    principals = [EVERYONE, AUTHENTICATED, "user:u9999"]
    for p in range(0, PROJECTS, PROJECTS // 50):
        principals.append(role(p, "member"))
    return principals


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200, help="queries per row")
    args = parser.parse_args()
    rng = random.Random(5)
    path = tempfile.mkdtemp(prefix="forge-search-bench-")
    try:
        index = SearchIndex(path)
        start = time.perf_counter()
        done = 0
        documents = generate(args.docs, rng)
        while done < args.docs:
            with index.writing() as batch:
                for doc in documents:
                    batch.add(doc)
                    done += 1
                    if done % 10_000 == 0:
                        break
        elapsed = time.perf_counter() - start
        print("indexed %d documents in %.1f s: %.0f documents/s (generation and ACL "
              "reduction included)" % (done, elapsed, done / elapsed))
        vocabulary, _ = words(5000)
        queries = {
            "one word": lambda i: vocabulary[50 + i % 200],
            # a phrase in 1 of 7 documents, or two words of ranks 20-60 in a row
            "phrase": lambda i: '"quick fox"' if i % 2 else '"%s %s"' % (
                vocabulary[20 + i % 40], vocabulary[21 + i % 40]),
            "field": lambda i: "severity:%s label:l%d" % (["low", "high"][i % 2], i % 40),
        }
        people = {"anonymous": [EVERYONE], "member of 50": member_of_50()}
        print("%-10s %-13s %9s %9s %9s %9s %9s  (CPU ms; %d runs; 20 hits + snippets + "
              "count + facets)" % ("query", "searcher", "new p50", "new p99", "again p50",
                                   "again p99", "count", args.runs))
        for name, make in queries.items():
            for who, principals in people.items():
                search(index, make(0), principals)       # warm
                new, again, counts = [], [], []
                for i in range(args.runs):
                    index.refresh(force=True)            # nothing kept: a new text
                    index.view()
                    for times in (new, again):
                        t0 = time.process_time()
                        results = search(index, make(i), principals)
                        times.append((time.process_time() - t0) * 1000)
                    counts.append(results.count)
                print("%-10s %-13s %9.2f %9.2f %9.2f %9.2f %9d" % (
                    name, who, percentile(new, 0.5), percentile(new, 0.99),
                    percentile(again, 0.5), percentile(again, 0.99),
                    int(statistics.median(counts))))
    finally:
        shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    main()
