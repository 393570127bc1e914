"""PyForge: a Pyramid platform for online development tools.

``main`` builds the standalone WSGI application; ``includeme`` adds the forge
core to any Configurator (that is how another Pyramid app embeds it).
"""
from pyramid.config import Configurator

from .actions.users import configure_hasher
from .model.cache import TreeCache
from .resources import root_factory
from .settings import parse_settings


def main(global_config=None, **settings):
    """The paste ``app_factory`` (``use = egg:pyforge``)."""
    with Configurator(settings=parse_settings(settings), root_factory=root_factory) as config:
        config.include("forge")
        config.include("forge.plugins.include_tools")
    return config.make_wsgi_app()


def includeme(config):
    settings = config.registry.settings
    if "forge.secret" not in settings or "forge.max_body_bytes" not in settings:
        settings.update(parse_settings(settings))
    configure_hasher(settings)
    config.include("pyramid_jinja2")
    config.include(".model.setup")
    config.registry.forge_tree_cache = TreeCache()
    config.include(".security")
    config.include(".scope")
    config.include(".plugins")
    config.include(".demo")
    config.include("forge.bus.registry")
    config.include("forge.bus.relay")
    config.include(".request_headers")
    config.include(".response_headers")
    config.include(".tweens")
    config.include(".metrics")
    config.include(".page_cache")
    config.include(".signed_pages")
    config.include(".static_assets")
    config.include(".views")
    config.include("forge.attachments")
    config.include("forge.activity")
    config.include("forge.feeds")
    config.include("forge.discussion")
    config.include("forge.rate_limits")
    config.include("forge.signup_guards")
    config.include("forge.search")
    config.include("forge.notifications")
    config.include("forge.mentions")
    config.include("forge.mail_in")
    config.include("forge.webhooks")
    config.include("forge.rest")
    # a project admin's @@export, made by a reactor (issue 15)
    config.include("forge.archive.web")
