"""``@@search`` on the site root, a project (with its subprojects) and a tool.

The form and the results are one GET page.  A query the parser refuses is
shown on the page with a 400 status and the form to fix it, never an error
page; results are trimmed by the viewer's principals inside the query.  Kept by
the page cache (anonymous and signed-in kinds) under the generations and the
index's signature (``SearchIndex.signature``: a commit by any process moves
it), checked on every hit.  Without the page cache, a signed-in reader's
content (all but the site's chrome) is kept for them alone under the same
(``kept_content``).
"""
import datetime
from functools import partial
from urllib.parse import quote_plus

from markupsafe import Markup, escape
from pyramid.renderers import render
from pyramid.view import view_config

from ..fragments import reader_cached
from ..interfaces import IProject, ISiteRoot, ITool
from ..page_cache import depends_on
from ..resources.base import stored_id
from .query import SORTS, QueryError, search

PAGE_SIZE = 20
CONTENT = "forge:templates/search/_content.jinja2"
# one result of the list; made once per result, text and commit (``result_row``)
ROW = ('\n  <li class="search-hit">\n'
       '    <a class="search-title" href="%s%s">%s</a>\n'
       '    <span class="muted search-where">%s · %s · %s UTC%s</span>\n'
       '    %s\n'
       '    %s\n'
       '  </li>\n  ')


def _scope(context):
    if ITool.providedBy(context):
        return ("tool_id", stored_id(context)), "in %s" % context.title
    if IProject.providedBy(context):
        return ("projects", stored_id(context)), "in %s and its subprojects" % context.title
    return None, "everywhere"


def _int(value, default=1):
    try:
        return max(1, min(int(value), 10_000))
    except (TypeError, ValueError):
        return default


def when(epoch):
    return datetime.datetime.fromtimestamp(epoch or 0, datetime.timezone.utc).strftime(
        "%Y-%m-%d %H:%M")


def result_row(hit, base):
    """One result as HTML: built as one string, every value escaped once."""
    author = " · %s" % escape(hit.author) if hit.author else ""
    snippet = '<p class="search-snippet">%s</p>' % hit.snippet if hit.snippet else ""
    labels = "".join(['<span class="badge">%s</span> ' % escape(label) for label in hit.labels])
    return Markup(ROW % (escape(base), escape(hit.url), escape(hit.title), escape(hit.where),
                         escape(hit.type), escape(when(hit.modified)), author, snippet, labels))


def result_rows(results, base):
    """The page's results, each row kept with the results it was made from
    (``Results.kept``: same text, same commit, same document)."""
    return Markup("".join([results.kept(("row", base), hit, partial(result_row, hit, base))
                           for hit in results.hits]))


def links(action, text, sort, results):
    """The facets' and the pager's URLs: ``action`` and the query string
    (``q``, ``sort``, ``page``), as ``request.forge_url(node, "@@search",
    query=...)`` makes them.  The text is quoted once for them all (quoting
    goes character by character, so a facet's text quoted is the text's
    quoting and its suffix's): quoting it again per URL was a sixth of a
    page made anew."""
    start = action + "?q=" + quote_plus(text, safe="")
    sort_part = "&sort=" + quote_plus(sort, safe="")
    page = results.page
    return {"facet_links": [(kind, n, start + quote_plus(" type:" + kind, safe="") + sort_part)
                            for kind, n in results.facets["type"]],
            "previous": "%s%s&page=%d" % (start, sort_part, page - 1) if page > 1 else None,
            "next": "%s%s&page=%d" % (start, sort_part, page + 1)
            if page < results.pages else None}


class RejectedQuery(Exception):
    """A query the parser refused: its page's content (with the message),
    never kept (``kept_content`` raises it out of the store)."""

    def __init__(self, content):
        super().__init__()
        self.content = content


def content_values(context, request, text, sort, page, index, at):
    """What ``_content.jinja2`` shows; ``error`` set when the query cannot run."""
    scope, scope_label = _scope(context)
    values = {"q": text, "sort": sort, "sorts": SORTS, "results": None,
              "error": None, "scope_label": scope_label,
              "base": request.forge_url(request.root),
              "action": request.forge_url(context, "@@search")}
    if index is None:
        return values
    try:
        values["results"] = results = search(index, text, request.principals, scope=scope,
                                             sort=sort, page=page, size=PAGE_SIZE, at=at)
        values["rows"] = result_rows(results, values["base"])
        values.update(links(values["action"], text, sort, results))
    except QueryError as error:
        values["error"] = str(error)
    return values


def kept_content(context, request, text, sort, page, index, at):
    """The page's content as HTML, kept per reader while nothing is written
    (``reader_cached``: results are trimmed by their principals) under the
    scope, the query, sort and page, the index commit it was searched at
    (``at``, None for the empty form) and the page's URL (where its links
    point): a reader's next views of it search nothing and render none of
    it.  Raises ``RejectedQuery`` for a query that cannot run."""
    def load():
        values = content_values(context, request, text, sort, page, index, at)
        content = Markup(render(CONTENT, values, request=request))
        if values["error"] is not None:
            raise RejectedQuery(content)
        return content
    return reader_cached(request, ("search-page", _scope(context)[0], text, sort, page, at,
                                   request.path_url), load)


@view_config(context=ISiteRoot, name="search", renderer="forge:templates/search/page.jinja2",
             page_cache=True, permission="read", request_method=("GET", "HEAD"))
@view_config(context=IProject, name="search", renderer="forge:templates/search/page.jinja2",
             page_cache=True, permission="read", request_method=("GET", "HEAD"))
@view_config(context=ITool, name="search", renderer="forge:templates/search/page.jinja2",
             page_cache=True, permission="read", request_method=("GET", "HEAD"))
def search_page(context, request):
    try:
        text = request.GET.get("q", "")
        sort = request.GET.get("sort", "relevance")
        page = _int(request.GET.get("page"))
    except UnicodeDecodeError:
        text, sort, page = "", "relevance", 1
    index = at = None
    if text.strip():
        index = request.registry.forge_search_index()
        # the results depend on the index's committed state too, which the
        # generations do not cover: read it before searching, search it or newer
        at = depends_on(request, index.signature)
    try:
        content = kept_content(context, request, text, sort, page, index, at)
    except RejectedQuery as rejected:
        request.response.status = 400
        content = rejected.content
    return {"q": text, "content": content}
