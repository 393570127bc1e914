"""The code tool's resource: no artifacts, its pages are views with a subpath."""
import re

from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import Response
from zope.interface import implementer

from forge.api import ITool, ToolResource, in_forge


class ICodeTool(ITool):
    """A mounted Git repository."""


@implementer(ICodeTool)
class CodeTool(ToolResource):
    @property
    def tool_id(self):
        """The tool instance's id, read without building its Ming document from
        the stored one: the git endpoints need nothing else of it."""
        return self._doc._id

    def __getitem__(self, name):
        # /tree/main/src/a.py: "tree" is the view, the rest its subpath (no query)
        raise KeyError(name)


# "/p/demo/code.git/info/refs" -> "/p/demo/code/info/refs": git users add .git
GIT_SUFFIX = re.compile(r"^(.*/[^/]+)\.git(/(?:info/refs|git-upload-pack|git-receive-pack))$")
GIT_URL = re.compile(r"/(?:info/refs|git-upload-pack|git-receive-pack)$")
SIGN_IN = "Sign in: your user name, and an API token (or your password) as the password."


def is_git_request(request):
    return bool(GIT_URL.search(request.path_info)) and (
        request.method == "POST" or request.GET.get("service", "").startswith("git-"))


def git_url_tween_factory(handler, registry):
    """Smart HTTP URLs: accept the ``.git`` suffix, and answer an anonymous
    request that found nothing with a Basic challenge.  git sends credentials
    only when challenged, so a private repository must answer 401; a missing
    one answers the same, so the challenge says nothing about what exists
    (signed in, both are a 404, as the pages are)."""
    def git_url_tween(request):
        if not in_forge(request):
            return handler(request)        # a host's own page (embedding)
        match = GIT_SUFFIX.match(request.path_info)
        if match:
            request.path_info = match.group(1) + match.group(2)
        try:
            response = handler(request)
        except HTTPNotFound:        # the tween sits under the exception views
            if not is_git_request(request):
                raise
            response = None
        if response is not None and (response.status_int != 404 or not is_git_request(request)):
            return response
        # one answer for "nothing here" and "not yours to see", whatever found nothing:
        # git prints a text body, so the words must not tell the two apart either
        return challenge() if anonymous_git_request(request) else not_found()
    return git_url_tween


NOT_FOUND = "There is nothing here, or you may not see it."


def not_found():
    return Response(status=404, body=(NOT_FOUND + "\n").encode("utf-8"),
                    content_type="text/plain", charset="utf-8")


def anonymous_git_request(request):
    return is_git_request(request) and request.authenticated_userid is None


def challenge(message=SIGN_IN):
    response = Response(status=401, body=(message + "\n").encode("utf-8"),
                        content_type="text/plain", charset="utf-8")
    response.headers["WWW-Authenticate"] = 'Basic realm="PyForge", charset="UTF-8"'
    return response
