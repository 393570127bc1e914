"""``forge.request_limits``: the HTTP server is told the largest body; the INI
files say the same as the settings they carry; the multipart walk."""
import configparser
import pathlib

import pytest
from pyramid.httpexceptions import HTTPBadRequest, HTTPRequestEntityTooLarge

from forge.request_limits import (MAX_PARTS, check_multipart, server_body_limit,
                                  waitress_body_limit)
from forge.settings import parse_settings

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("ini", ["production.ini", "development.ini"])
def test_the_ini_files_tell_waitress_the_body_limit_of_their_settings(ini):
    config = configparser.ConfigParser(interpolation=None)
    config.read(ROOT / ini)
    app = dict(config["app:main"], **{"forge.secret": "x"})
    expected = waitress_body_limit(parse_settings(app, environ={}))
    assert int(config["server:main"]["max_request_body_size"]) == expected


def test_the_server_limit_is_the_larger_of_forms_and_uploads():
    settings = parse_settings({"forge.secret": "x", "forge.max_body_bytes": "1024",
                               "forge.attachments.max_bytes": "2048"}, environ={})
    assert server_body_limit(settings) == 2048 + 256 * 1024
    settings = parse_settings({"forge.secret": "x", "forge.max_body_bytes": str(50 << 20),
                               "forge.attachments.max_bytes": "2048"}, environ={})
    assert server_body_limit(settings) == 50 << 20
    assert waitress_body_limit(settings) == (50 << 20) + 1


def body(*parts, boundary="B"):
    return b"".join(b"--" + boundary.encode() + b"\r\n" + p + b"\r\n" for p in parts) + \
        b"--" + boundary.encode() + b"--\r\n"


TEXT = b'Content-Disposition: form-data; name="a"\r\n\r\nhello'
FILE = b'Content-Disposition: form-data; name="f"; filename="x.bin"\r\n\r\n' + b"\0" * 5000


def test_a_well_formed_body_is_counted():
    assert check_multipart("multipart/form-data; boundary=B", body(TEXT, FILE, TEXT), 100) == 3
    assert check_multipart('multipart/form-data; boundary="a b"', body(TEXT, boundary="a b"),
                           100) == 1
    # a preamble is allowed; an empty part too
    assert check_multipart("multipart/form-data; boundary=B",
                           b"preamble\r\n" + body(b"\r\n"), 100) == 1


def test_files_do_not_count_as_text_fields():
    check_multipart("multipart/form-data; boundary=B", body(FILE), field_limit=100)
    with pytest.raises(HTTPRequestEntityTooLarge):
        check_multipart("multipart/form-data; boundary=B",
                        body(TEXT.replace(b"hello", b"t" * 101)), field_limit=100)


def test_parts_are_counted_up_to_the_limit():
    check_multipart("multipart/form-data; boundary=B", body(*[TEXT] * MAX_PARTS), 10 ** 6)
    with pytest.raises(HTTPRequestEntityTooLarge):
        check_multipart("multipart/form-data; boundary=B", body(*[TEXT] * (MAX_PARTS + 1)),
                        10 ** 6)


@pytest.mark.parametrize("content_type,data", [
    ("multipart/form-data", body(TEXT)),
    ("multipart/form-data; boundary=" + "x" * 71, body(TEXT, boundary="x" * 71)),
    ("multipart/form-data; boundary=B", b""),
    ("multipart/form-data; boundary=B", body(TEXT)[:-4]),
    ("multipart/form-data; boundary=B", b"junk--B\r\n" + body(TEXT)[5:]),
    ("multipart/form-data; boundary=B", b"--B\r\nno blank line after the headers"),
])
def test_malformed_bodies_are_400(content_type, data):
    with pytest.raises(HTTPBadRequest) as raised:
        check_multipart(content_type, data, 10 ** 6)
    assert "multipart" in raised.value.detail or "headers" in raised.value.detail
