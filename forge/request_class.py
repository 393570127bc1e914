"""One request class per application, holding its request methods and properties.

Pyramid applies the ``config.add_request_method`` extensions to every request
it makes: it sets each method on the instance and builds a new class for the
properties (``InstancePropertyHelper.apply_properties``), about a tenth of a
millisecond of every page for the forge's fifty-odd extensions.  Once the
application is made (``ApplicationCreated``) they are fixed, so they go into
one subclass of the router's request class, made once; the router then builds
requests of that class and applies nothing.  A subrequest of another class
(``router.invoke_subrequest``) still gets them applied as before, and requests
made outside the router (``pyramid.scripting.prepare``: ``forge.site_request``)
read the registry's extensions, which stay as they are.
"""
from pyramid.events import ApplicationCreated
from pyramid.interfaces import IRequestExtensions
from pyramid.request import apply_request_extensions


def request_class(base, extensions):
    """A subclass of ``base`` with the extensions' methods and properties."""
    attrs = dict(extensions.methods)
    attrs.update(extensions.descriptors)
    attrs["__module__"] = base.__module__
    cls = type(base.__name__, (base,), attrs)
    # like apply_properties: the class provides what its base provides
    for name in ("__implemented__", "__provides__"):
        if name in base.__dict__:
            setattr(cls, name, base.__dict__[name])
    return cls


def use_request_class(event):
    router = event.app
    extensions = router.registry.queryUtility(IRequestExtensions)
    if extensions is None or not isinstance(router.request_factory, type) \
            or getattr(router, "forge_request_class", None) is not None:
        return
    cls = router.forge_request_class = request_class(router.request_factory, extensions)
    router.request_factory = cls
    router.request_extensions = None
    invoke = router.invoke_subrequest

    def invoke_subrequest(request, use_tweens=False):
        if not isinstance(request, cls):
            apply_request_extensions(request, extensions=extensions)
        return invoke(request, use_tweens)
    router.invoke_subrequest = invoke_subrequest


def includeme(config):
    config.add_subscriber(use_request_class, ApplicationCreated)
