"""The host's own security: a name in the host's session, one permission."""
from pyramid.security import Allowed, Denied


class HostPolicy:
    def identity(self, request):
        return request.session.get("host_user")

    def authenticated_userid(self, request):
        return self.identity(request)

    def permits(self, request, context, permission):
        if permission == "members" and self.identity(request) is None:
            return Denied("members only")
        return Allowed("the host lets everyone do the rest")

    def remember(self, request, userid, **kw):
        request.session["host_user"] = userid
        return []

    def forget(self, request, **kw):
        request.session.pop("host_user", None)
        return []
