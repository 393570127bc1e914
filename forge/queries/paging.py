"""Pages of a compiled query's matches that the viewer may read, and the total
when it is cheap or asked for.

The candidates are read in the query's order in sort + skip/limit chunks (the
first just big enough for the page and one more, to know whether there is a
next page) and kept only if readable (``forge.listing.readable_page``), so a
private artifact changes neither pages nor counts.  The total is free on the
last page (everything before it was walked anyway); otherwise it costs a
walk, made only on request and capped at ``COUNT_CAP``.
"""
from ..listing import PAGE_SIZE, Page
from .conditions import iter_matches

COUNT_CAP = 10000


def readable_match(request, to_node, raw):
    """The node of ``raw`` if the viewer may read it, else None.  A document
    with no ACL of its own is readable exactly when its tool is (the list's
    view checked that), so only private ones cost a permission check."""
    node = to_node(raw)
    return node if not raw.get("acl") or request.can("read", node) else None


def readable_raw_page(request, candidates, to_node, page=1, size=PAGE_SIZE):
    """``forge.listing.readable_page`` over raw documents, building a node only
    for a document with an ACL of its own (to check it) or on the page: the
    candidates before a third page cost neither a node nor a permission check."""
    page = max(1, page)
    start, stop = (page - 1) * size, page * size
    kept, seen = [], 0
    for raw in candidates:
        node = None
        if raw.get("acl"):
            node = to_node(raw)
            if node is None or not request.can("read", node):
                continue
        if start <= seen < stop:
            node = node if node is not None else to_node(raw)
            if node is None:
                continue
            kept.append(node)
        seen += 1
        if seen > stop:
            break
    return Page(items=kept, page=page, has_next=seen > stop)


def query_page(request, documents, compiled, to_node, page=1, size=PAGE_SIZE, count=False,
               count_projection=None):
    """(Page, total or None) of ``compiled`` over the pymongo collection
    ``documents``; ``to_node(raw)`` builds a match's node; ``count=True`` walks
    the matches for the total (reading ``count_projection``: what the read
    check and the query's residuals need), up to ``COUNT_CAP`` + 1 ("more")."""
    candidates = iter_matches(documents, compiled, first_batch=max(1, page) * size + 1)
    result = readable_raw_page(request, candidates, to_node, page=page, size=size)
    if not result.has_next and (result.items or page == 1):
        return result, (result.page - 1) * size + len(result.items)
    if not count:
        return result, None
    seen = 0
    for raw in iter_matches(documents, compiled, count_projection):
        if readable_match(request, to_node, raw) is not None:
            seen += 1
            if seen > COUNT_CAP:
                break
    return result, seen
