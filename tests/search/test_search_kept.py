"""What a search keeps per loaded commit (``forge.search.index.ReaderState``)
and the read filter's shortcuts on it: results are the same as computed from
scratch, nothing kept outlives a commit, and what is kept is never a way for
one reader to get another reader's result.

An index in memory with hand-made documents: ``acl_terms`` of the clauses the
real reduction gives (``forge.search.acl``)."""
import tantivy

from forge.search.acl import Clause, acl_terms, read_filter
from forge.search.index import SearchIndex
from forge.search.query import build_query, parse, search, trimmed

EVERYONE = "system.Everyone"
PUBLIC = [Clause()]                                     # anyone may read
MEMBERS = [Clause([frozenset(["role:m"])])]             # members only
NOT_X = [Clause([], ["user:x"])]                        # anyone but x


def document(doc_id, title, text, clauses):
    doc = {"id": doc_id, "title": title, "text": text, "url": "n/%s/" % doc_id,
           "where": "P › Notes", "type": ["notes.note", "note"]}
    doc.update({k: v for k, v in acl_terms(clauses).items() if v})
    return doc


def index_of(*docs):
    index = SearchIndex("")
    with index.writing() as batch:
        for doc in docs:
            batch.add(doc)
    return index


def titles(index, text, principals):
    return sorted(hit.title for hit in search(index, text, principals).hits)


def from_scratch(index, text, principals):
    """The titles the read filter finds without the state's shortcuts."""
    searcher, state = index.view()
    schema = index.schema
    query = trimmed(schema, build_query(schema, parse(text)),
                    read_filter(tantivy, schema, state.shapes, principals))
    return sorted(searcher.doc(address).get_first("title")
                  for _score, address in searcher.search(query, 100).hits)


PEOPLE = ([EVERYONE], [EVERYONE, "user:x"], [EVERYONE, "user:y", "role:m"],
          [EVERYONE, "user:x", "role:m"], [EVERYONE, "role:zzz"])


def test_a_document_no_one_may_read_is_found_by_no_one():
    index = index_of(document("a", "Open zebra", "zebra", PUBLIC),
                     document("b", "Closed zebra", "zebra", []))
    assert index.view()[1].universal_shape is None      # b carries no shape
    for principals in PEOPLE:
        assert titles(index, "zebra", principals) == ["Open zebra"]
        assert from_scratch(index, "zebra", principals) == ["Open zebra"]


def test_the_one_shape_every_document_carries_still_denies():
    index = index_of(document("a", "Open zebra", "zebra", PUBLIC),
                     document("c", "Not for x", "zebra", NOT_X))
    assert index.view()[1].universal_shape == "0:0"
    assert titles(index, "zebra", [EVERYONE, "user:x"]) == ["Open zebra"]
    assert titles(index, "zebra", [EVERYONE, "user:y"]) == ["Not for x", "Open zebra"]


def test_shortcuts_find_what_the_full_filter_finds():
    index = index_of(document("a", "Open zebra", "zebra", PUBLIC),
                     document("m", "Members zebra", "zebra", MEMBERS),
                     document("c", "Not for x", "zebra", NOT_X),
                     document("b", "Closed zebra", "zebra", []))
    for principals in PEOPLE:
        assert titles(index, "zebra", principals) == from_scratch(index, "zebra", principals)
    assert titles(index, "zebra", [EVERYONE, "user:x", "role:m"]) == [
        "Members zebra", "Open zebra"]
    assert titles(index, "zebra", [EVERYONE, "role:zzz"]) == ["Not for x", "Open zebra"]


def test_kept_results_never_reach_a_reader_who_may_not_read_them():
    index = index_of(document("m", "Members zebra", "zebra stripes", MEMBERS),
                     document("a", "Open zebra", "zebra", PUBLIC))
    member, stranger = [EVERYONE, "role:m"], [EVERYONE, "user:s"]
    for first, second in ((member, stranger), (stranger, member)):
        results = {tuple(p): search(index, "zebra", p) for p in (first, second)}
        assert [h.title for h in results[tuple(stranger)].hits] == ["Open zebra"]
        assert results[tuple(stranger)].count == 1
        assert results[tuple(stranger)].facets == {"type": [("notes.note", 1)]}
        assert sorted(h.title for h in results[tuple(member)].hits) == [
            "Members zebra", "Open zebra"]


def test_nothing_kept_outlives_a_commit():
    index = index_of(document("a", "Old title", "a zebra in the field", PUBLIC))
    first = search(index, "zebra", [EVERYONE]).hits[0]
    assert first.title == "Old title" and "<mark>zebra</mark> in the field" in first.snippet
    with index.writing() as batch:
        batch.add(document("a", "New title", "a zebra on the road", PUBLIC))
    again = search(index, "zebra", [EVERYONE]).hits[0]
    assert again.title == "New title" and "<mark>zebra</mark> on the road" in again.snippet
    with index.writing() as batch:
        batch.delete("a")
    assert search(index, "zebra", [EVERYONE]).hits == []


def test_a_commit_by_another_process_is_seen_by_the_next_search(tmp_path):
    web = SearchIndex(str(tmp_path))
    worker = SearchIndex(str(tmp_path))
    with worker.writing() as batch:
        batch.add(document("a", "Open zebra", "zebra", PUBLIC))
    assert titles(web, "zebra", [EVERYONE]) == ["Open zebra"]
    with worker.writing() as batch:
        batch.add(document("a", "Renamed zebra", "zebra", PUBLIC))
        batch.add(document("m", "Members zebra", "zebra", MEMBERS))
    assert titles(web, "zebra", [EVERYONE]) == ["Renamed zebra"]
    assert titles(web, "zebra", [EVERYONE, "role:m"]) == ["Members zebra", "Renamed zebra"]
