"""Lists that only ever show what the viewer may read.

Items are filtered by ``read`` *before* counting and paging, so a private
item changes neither the numbers nor the page boundaries a reader sees.
"""
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .views.params import int_param

PAGE_SIZE = 25
# no list is paged this far; a bigger number is a made-up one
MAX_PAGE = 10000


@dataclass
class Page:
    items: list
    page: int
    has_next: bool
    total: int | None = None


def readable_page(request, candidates: Iterable, to_node: Callable, page: int = 1,
                  size: int = PAGE_SIZE, count: bool = False,
                  decided_by: Callable | None = None) -> Page:
    """Walk ``candidates`` (docs in display order), keep those whose node the
    viewer may read, and return page ``page`` of them.

    ``decided_by(item)``: the node whose ``read`` decides an item that only
    stands for it (an activity entry for its node), so that items about one
    node cost one verdict, the node's own (memoised on it and kept across
    requests by ``forge.security``); the item itself by default."""
    page = max(1, page)
    start, stop = (page - 1) * size, page * size
    kept, seen = [], 0
    for doc in candidates:
        node = to_node(doc)
        if node is None or not request.can("read", node if decided_by is None
                                           else decided_by(node)):
            continue
        if start <= seen < stop:
            kept.append(node)
        seen += 1
        if seen > stop and not count:
            break
    return Page(items=kept, page=page, has_next=seen > stop,
                total=seen if count else None)


def page_number(request) -> int:
    """``?page=``: 1 when absent; a 400 unless it is a number from 1 to MAX_PAGE."""
    return int_param(request.GET, "page", "page number", minimum=1, maximum=MAX_PAGE,
                     default=1)
