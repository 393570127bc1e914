"""A small Pyramid application that embeds PyForge (the example of
``forge.embedding``): its own pages, forms, JSON API, error pages, layout,
body limit, security policy and sessions, with the forge at ``/forge/`` and
the demo project's wiki at ``/docs/`` (and the private project "closed"'s
wiki at ``/internal/``, for its members only).

Run it with ``pserve examples/hostapp/development.ini`` (from the repository
root, with ``examples/hostapp`` on the path: ``pip install -e examples/hostapp``).
"""
from pyramid.config import Configurator
from pyramid.session import SignedCookieSessionFactory

from forge.host_policies import MountedSecurityPolicy, MountedSessionFactory
from forge.settings import parse_settings

from .security import HostPolicy


def make_app(settings, workers=True):
    """The host's WSGI app; ``workers=False`` leaves the forge's reactors off
    (the tests deliver events themselves)."""
    with Configurator(settings=parse_settings(settings)) as config:
        config.include("pyramid_jinja2")
        # first in the search path: the host's base.jinja2 is the one its pages get
        config.add_jinja2_search_path("hostapp:templates", name=".jinja2", prepend=True)
        config.add_route("home", "/")
        config.add_route("contact", "/contact")
        config.add_route("api_items", "/api/items")
        config.add_route("members", "/members")
        config.add_route("host_login", "/login")
        config.add_route("boom", "/boom")
        config.scan(".views")
        config.include(".limits")
        # the host's own policy and sessions, composed with the forge's
        config.set_security_policy(MountedSecurityPolicy(HostPolicy()))
        config.set_session_factory(MountedSessionFactory(
            SignedCookieSessionFactory(settings["hostapp.secret"], cookie_name="host_session")))

        config.include("forge")
        config.include("tools.wiki")
        config.include("forge.embedding")
        config.mount_forge("/forge", workers=workers)
        config.mount_tool("/docs", project="demo", mount="wiki")
        # the team's wiki in a private project: only its members get past the 404
        config.mount_tool("/internal", project="closed", mount="wiki")
    return config.make_wsgi_app()


def main(global_config=None, **settings):
    """The paste ``app_factory``."""
    return make_app(settings)
