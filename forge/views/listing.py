"""Lists that only ever show what the viewer may read.

Items are filtered by ``read`` *before* counting and paging, so a private
item changes neither the numbers nor the page boundaries a reader sees.
"""
from dataclasses import dataclass

PAGE_SIZE = 25


@dataclass
class Page:
    items: list
    page: int
    has_next: bool
    total: int = None


def readable_page(request, candidates, to_node, page=1, size=PAGE_SIZE, count=False):
    """Walk ``candidates`` (docs in display order), keep those whose node the
    viewer may read, and return page ``page`` of them."""
    page = max(1, page)
    start, stop = (page - 1) * size, page * size
    kept, seen = [], 0
    for doc in candidates:
        node = to_node(doc)
        if node is None or not request.can("read", node):
            continue
        if start <= seen < stop:
            kept.append(node)
        seen += 1
        if seen > stop and not count:
            break
    return Page(items=kept, page=page, has_next=seen > stop,
                total=seen if count else None)


def page_number(request):
    try:
        return max(1, min(int(request.GET.get("page", 1)), 10000))
    except ValueError:
        return 1
