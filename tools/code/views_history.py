"""Branches and tags, compare two refs, blame.

URLs: ``code/branches`` (every branch and tag, newest first);
``code/compare`` (a form) and ``code/compare/BASE...HEAD`` (refs may hold
"/": the three dots split them); ``code/blame/REF/PATH``.  Bad names are a
400, missing ones a 404, as on the other browsing pages.
"""
import time

from pyramid.httpexceptions import HTTPBadRequest, HTTPNotFound
from pyramid.view import view_config, view_defaults

from forge.api import redirect

from .browse import MAX_DIFF_BYTES, MAX_SHOWN_BYTES, breadcrumbs, is_binary, split_diff
from .history import blame, commits_between, diff_between, merge_base
from .protected import is_protected, protected_patterns
from .repository import BadName, NotInRepository, check_ref
from .resources import ICodeTool
from .views import CodeViews

SEPARATOR = "..."


def day(when):
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(when))


@view_defaults(context=ICodeTool, request_method="GET", permission="read")
class HistoryViews(CodeViews):

    @view_config(name="branches", renderer="tools.code:templates/code/branches.jinja2")
    def branches(self):
        refs = sorted(self.repo.refs(), key=lambda r: -r[3])
        default = self.repo.default_branch()
        patterns = protected_patterns(self.context.doc)
        branches = [{"name": name, "sha": sha, "date": day(when), "subject": subject,
                     "default": name == default, "protected": is_protected(patterns, name),
                     "compare_url": self.compare_url(default, name) if name != default else None}
                    for kind, name, sha, when, subject in refs if kind == "heads"]
        tags = [{"name": name, "sha": sha, "date": day(when), "subject": subject}
                for kind, name, sha, when, subject in refs if kind == "tags"]
        return self.page(ref=None, default=default, branches=branches, tags=tags)

    @view_config(name="compare", renderer="tools.code:templates/code/compare.jinja2")
    def compare(self):
        if not self.request.subpath:
            return self.compare_form()
        spec = "/".join(self.request.subpath)
        if spec.count(SEPARATOR) != 1:
            raise HTTPBadRequest("Compare two refs: compare/BASE...HEAD.")
        base, head = spec.split(SEPARATOR)
        base_sha, head_sha = self.resolved(base), self.resolved(head)
        commits, more = commits_between(self.repo, base_sha, head_sha)
        since = merge_base(self.repo, base_sha, head_sha)
        patch, cut = diff_between(self.repo, since or base_sha, head_sha, MAX_DIFF_BYTES)
        return self.page(ref=None, base=base, head=head, refs=self.repo.refs(), commits=commits,
                         more=more, related=since is not None, files=split_diff(patch), cut=cut,
                         compared=True)

    def compare_form(self):
        """``compare?base=A&head=B`` (the form) goes to ``compare/A...B``."""
        base, head = self.request.GET.get("base"), self.request.GET.get("head")
        if base and head:
            for ref in (base, head):
                self.checked(ref)
            return redirect(self.request, self.compare_url(base, head))
        default = self.repo.default_branch()
        return self.page(ref=None, base=default or "", head="", refs=self.repo.refs(),
                         compared=False)

    @view_config(name="blame", renderer="tools.code:templates/code/blame.jinja2")
    def blame(self):
        ref, sha, path = self.locate()
        oid, kind, size = self.object_at(sha, path)
        if kind != "blob":
            raise HTTPNotFound("Blame shows a file; %r is a directory." % path)
        shown = size <= MAX_SHOWN_BYTES and not is_binary(self.repo.blob(oid, 8000))
        runs = []
        if shown and size:
            try:
                runs = blame(self.repo, sha, path)
            except NotInRepository as error:
                raise HTTPNotFound(str(error))
        return self.page(ref=ref, sha=sha, path=path, path_links=breadcrumbs(path), size=size,
                         shown=shown, runs=runs)

    def compare_url(self, base, head):
        return self.url("compare", *(base + SEPARATOR + head).split("/"))

    def checked(self, ref):
        try:
            return check_ref(ref)
        except BadName as error:
            raise HTTPBadRequest(str(error))

    def resolved(self, ref):
        self.checked(ref)
        try:
            return self.repo.resolve(ref)
        except NotInRepository as error:
            raise HTTPNotFound(str(error))
