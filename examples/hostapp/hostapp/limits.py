"""The host's own request limit: smaller or larger than the forge's, its call."""
from pyramid.httpexceptions import HTTPRequestEntityTooLarge


def host_body_limit_tween_factory(handler, registry):
    limit = int(registry.settings.get("hostapp.max_body_bytes", 64 * 1024))

    def host_body_limit_tween(request):
        if request.content_length is not None and request.content_length > limit:
            return HTTPRequestEntityTooLarge("Host: the body is over %d bytes." % limit)
        return handler(request)

    return host_body_limit_tween


def includeme(config):
    config.add_tween("hostapp.limits.host_body_limit_tween_factory")
