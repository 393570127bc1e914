"""The tree as an API: ``/rest/`` mirrors every node as JSON.

``/rest/*traverse`` is a second entry into the same tree (the route's factory
is the site root's): the same traversal, the same stored ACLs and the same
``read``-along-the-lineage rule, so a node is readable, missing or private
under ``/rest`` exactly as on its web page.  Nodes answer GET (with an ETag
and conditional GETs), collections (``@@projects``, ``@@subprojects``,
``@@tools``, ``@@items``) page by cursor, writes go through the actions the
web forms use, errors are problem documents (``forge.rest.problems``), and
``/rest/openapi.json`` describes what is registered, read by the API page
``/rest/@@docs``.

Embedded in a host (``forge.embedding``), the API is under the forge's mount:
``/forge/rest/`` (``forge.rest.mount``).

Authentication is the forge's: an API token (``Authorization: Bearer``) or
the session cookie.  A cookie-authenticated write must carry the session's
CSRF token in ``X-CSRF-Token`` (the forge's CSRF rule applies unchanged): the
cookie is ambient, so without it any site could make a signed-in browser
write through the API.  Token-only requests are exempt, as everywhere.
"""
from .mount import add_rest_route


def includeme(config):
    config.registry.forge_rest_shapes = {}      # forge.rest.shapes, one per artifact type
    config.include(".problems")
    config.include(".query")
    config.include(".answer_cache")
    add_rest_route(config)
    config.add_forge_static("swagger-ui", "swagger_ui:static")
    config.add_forge_static("rest", "forge.rest:static")
    config.scan(".")
