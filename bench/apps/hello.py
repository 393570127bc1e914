"""The ceiling: a bare Pyramid "hello world" (same app as shared/peers/run_peers.sh).

Served with ``waitress-serve --threads=4 hello:app``; every forge row of the
page benchmark is compared with its requests/s.
"""
from pyramid.config import Configurator
from pyramid.response import Response

PAGE = ("<!DOCTYPE html><html><head><title>Hello</title></head>"
        "<body><h1>Hello, world</h1><p>Bare Pyramid view.</p></body></html>")


def hello(request):
    return Response(PAGE, content_type="text/html", charset="utf-8")


def make_app():
    with Configurator() as config:
        config.add_route("hello", "/")
        config.add_view(hello, route_name="hello")
        return config.make_wsgi_app()


app = make_app()
