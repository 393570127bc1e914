"""The browsing pages: the repository's home, trees, files, raw files, the log and commits.

URLs: ``code/`` (default branch), ``code/tree/REF/PATH``, ``code/blob/REF/PATH``,
``code/raw/REF/PATH``, ``code/commits/REF[/PATH]`` (``?after=SHA`` / ``?before=SHA``:
the page beside a commit, which the Older/Newer links name; ``?page=N`` too),
``code/commit/SHA``.  A ref may
hold "/" (``feature/x``): the longest leading run of segments naming a branch
or tag is the ref.  A bad name is a 400, a missing one a 404, never a 500.
"""
from pyramid.httpexceptions import HTTPBadRequest, HTTPNotFound
from pyramid.response import Response
from pyramid.view import view_config, view_defaults

from forge.api import PAGE_SIZE, page_number, redirect, render_markdown

from .browse import (MAX_DIFF_BYTES, MAX_SHOWN_BYTES, breadcrumbs, decode_text,
                     highlighted_lines, is_binary, readme_of, segments_of, split_diff)
from .repository import BadName, NotInRepository, Repository, git_stream
from .resources import ICodeTool
from .smart_http import repository_of, stream_output
from .tree_listing import tree_listing


@view_defaults(context=ICodeTool, request_method="GET", permission="read")
class CodeViews:
    def __init__(self, context, request):
        self.context, self.request = context, request
        self.repo = Repository(repository_of(request, context))

    def url(self, *elements, **kw):
        return self.request.forge_url(self.context, *elements, **kw)

    def link(self, view_name, ref, path="", **query):
        """``tree``/``blob``/``raw``/``commits`` of ``ref`` (may hold "/") and ``path``."""
        segments = ref.split("/") + (path.split("/") if path else [])
        return self.url(view_name, *segments, **({"query": query} if query else {}))

    def locate(self, subpath=None):
        """(ref, commit id, path) named by the subpath; 400/404 as they fail."""
        try:
            segments = segments_of(self.request.subpath if subpath is None else subpath)
            ref, path = self.repo.split_ref(segments)
            return ref, self.repo.resolve(ref), path
        except BadName as error:
            raise HTTPBadRequest(str(error))
        except NotInRepository as error:
            raise HTTPNotFound(str(error))

    def object_at(self, sha, path):
        try:
            return self.repo.object_info(sha, path)
        except BadName as error:
            raise HTTPBadRequest(str(error))
        except NotInRepository as error:
            raise HTTPNotFound(str(error))

    def page(self, **values):
        clone = self.request.forge_url(self.context).rstrip("/")
        return dict(values, tool=self.context, repo_view=self, clone_url=clone,
                    clone_url_git=clone + ".git", may_push=self.request.can("push", self.context))

    @view_config(name="", renderer="tools.code:templates/code/tree.jinja2")
    def home(self):
        branch = self.repo.default_branch()
        if branch is None:
            return self.page(empty=True, refs=[], ref=None, sha=None, path="", path_links=[],
                             entries=[], readme=None)
        return self.tree_page(branch, self.repo.resolve(branch), "")

    @view_config(name="tree", renderer="tools.code:templates/code/tree.jinja2")
    def tree(self):
        ref, sha, path = self.locate()
        return self.tree_page(ref, sha, path)

    def tree_page(self, ref, sha, path):
        oid, kind, _size = self.object_at(sha, path)
        if kind != "tree":
            raise redirect(self.request, self.link("blob", ref, path))
        # read, sorted and rendered once per tree id (a tree id names its content)
        listing = tree_listing(self.request.registry, self.repo.path, oid,
                               self.link("tree", ref, path), self.link("blob", ref, path))
        entries = listing.entries
        readme = readme_of(entries)
        readme_html = None
        if readme is not None:
            data = self.repo.blob(readme[1], MAX_SHOWN_BYTES)
            if not is_binary(data):
                readme_html = render_markdown(decode_text(data))
        return self.page(empty=False, refs=self.repo.refs(), ref=ref, sha=sha, path=path,
                         path_links=breadcrumbs(path), entries=entries, rows=listing.rows,
                         readme=readme and (readme[0], readme_html))

    @view_config(name="blob", renderer="tools.code:templates/code/blob.jinja2")
    def blob(self):
        ref, sha, path = self.locate()
        oid, kind, size = self.object_at(sha, path)
        if kind == "tree":
            raise redirect(self.request, self.link("tree", ref, path))
        data = self.repo.blob(oid, MAX_SHOWN_BYTES + 1)
        shown = None
        if size <= MAX_SHOWN_BYTES and not is_binary(data):
            shown = highlighted_lines(path.rsplit("/", 1)[-1], decode_text(data))
        return self.page(ref=ref, sha=sha, path=path, path_links=breadcrumbs(path), size=size,
                         binary=is_binary(data), huge=size > MAX_SHOWN_BYTES, lines=shown)

    @view_config(name="raw")
    def raw(self):
        ref, sha, path = self.locate()
        oid, kind, size = self.object_at(sha, path)
        if kind != "blob":
            raise HTTPNotFound("%r is a directory, not a file." % path)
        head = self.repo.blob(oid, 8000)
        process = git_stream(self.repo.path, "cat-file", "blob", oid)
        response = Response(content_type="application/octet-stream" if is_binary(head)
                            else "text/plain", charset=None if is_binary(head) else "utf-8")
        response.content_length = size
        # a file from a push is never a page of this site: no sniffing, no script
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
        response.app_iter = stream_output(process)
        return response

    @view_config(name="commits", renderer="tools.code:templates/code/log.jinja2")
    def commits(self):
        if self.request.subpath:
            ref, sha, path = self.locate()
        else:
            ref = self.repo.default_branch()
            if ref is None:
                raise HTTPNotFound("The repository is empty.")
            sha, path = self.repo.resolve(ref), ""
        commits, has_newer, has_older = self.log_page(sha, path)
        return self.page(ref=ref, sha=sha, path=path, commits=commits, has_newer=has_newer,
                         has_older=has_older)

    def log_page(self, sha, path):
        """(commits, has newer, has older) of ``?after=SHA`` (the older ones),
        ``?before=SHA`` (the newer ones) or ``?page=N``.  The page's links name
        commits: a push between two clicks shifts no page."""
        after, before = self.request.GET.get("after"), self.request.GET.get("before")
        if after is not None or before is not None:
            if after is not None and before is not None:
                raise HTTPBadRequest("Say after= or before=, not both.")
            try:
                commits, more = self.repo.log_next_to(sha, after or before, PAGE_SIZE, path,
                                                      newer=before is not None)
            except BadName as error:
                raise HTTPBadRequest(str(error))
            except NotInRepository as error:
                raise HTTPNotFound(str(error))
            return (commits, more, True) if before is not None else (commits, True, more)
        page = page_number(self.request)
        commits = self.repo.log(sha, (page - 1) * PAGE_SIZE, PAGE_SIZE + 1, path)
        return commits[:PAGE_SIZE], page > 1, len(commits) > PAGE_SIZE

    @view_config(name="commit", renderer="tools.code:templates/code/commit.jinja2")
    def commit(self):
        if len(self.request.subpath) != 1:
            raise HTTPNotFound("Name one commit: commit/SHA.")
        _ref, sha, _path = self.locate(self.request.subpath[:1])
        commit = self.repo.commit(sha)
        patch, cut = self.repo.diff(sha, MAX_DIFF_BYTES)
        return self.page(commit=commit, files=split_diff(patch), cut=cut, sha=sha)
