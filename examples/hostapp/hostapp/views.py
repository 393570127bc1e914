"""The host's pages: none of them knows about the forge's CSRF token."""
from pyramid.httpexceptions import HTTPFound
from pyramid.security import remember
from pyramid.view import (exception_view_config, forbidden_view_config,
                          notfound_view_config, view_config)


@view_config(route_name="home", renderer="home.jinja2")
def home(request):
    return {"title": "Host home"}


@view_config(route_name="contact", request_method="GET", renderer="contact.jinja2")
def contact_form(request):
    return {"title": "Contact", "sent": None}


@view_config(route_name="contact", request_method="POST", renderer="contact.jinja2")
def contact_sent(request):
    return {"title": "Contact", "sent": request.POST.get("message", "")}


@view_config(route_name="api_items", request_method="POST", renderer="json")
def create_item(request):
    return {"created": request.json_body.get("name"),
            "authorization": request.headers.get("Authorization", "")}


@view_config(route_name="host_login", request_method="POST")
def host_login(request):
    headers = remember(request, request.POST["name"])
    return HTTPFound(request.route_url("members"), headers=headers)


@view_config(route_name="members", permission="members", renderer="string")
def members(request):
    return "Host members' page for %s" % request.authenticated_userid


@view_config(route_name="boom")
def boom(request):
    raise RuntimeError("the host's own bug")


@notfound_view_config(renderer="error.jinja2")
def host_not_found(request):
    request.response.status_int = 404
    return {"title": "Host: page not found"}


@forbidden_view_config(renderer="error.jinja2")
def host_forbidden(request):
    request.response.status_int = 403
    return {"title": "Host: forbidden"}


@exception_view_config(Exception, renderer="error.jinja2")
def host_server_error(request):
    request.response.status_int = 500
    return {"title": "Host: something broke"}
