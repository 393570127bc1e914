"""Signing in and checking the benchmark pages before any load is sent.

    python bench/pages.py login HTTP_PORT USERNAME PASSWORD   -> prints the cookie value
    python bench/pages.py check HTTP_PORT TARGETS_FILE COOKIE OUTDIR

``login`` signs in the way a browser does (GET /@@login, scrape the CSRF
token, POST the form) and prints the ``forge_session`` cookie it got, for wrk's
``-H "Cookie: forge_session=..."``.  ``check`` fetches every target once and
fails (exit 1) unless each answers 200 with its note's title and, for the
signed-in rows, the "Sign out" button (the cookie really signs in); anonymous
rows must show "Sign in".  Rows signed in with an API token (signed_in 2: the
REST rows, the token in the environment's ``BENCH_TOKEN``) must answer JSON
with the title, and 401 to a wrong token (so the token is what is checked).
The pages are saved to OUTDIR for inspection.
"""
import http.client
import os
import re
import sys
import urllib.parse

COOKIE = "forge_session"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def request(port, method, path, cookie=None, body=None, token=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {}
    if token:
        headers["Authorization"] = "Bearer " + token
    if cookie:
        headers["Cookie"] = "%s=%s" % (COOKIE, cookie)
    if body is not None:
        body = urllib.parse.urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    text = response.read().decode("utf-8", "replace")
    conn.close()
    return response, text


def session_cookie(response):
    for name, value in response.getheaders():
        if name.lower() == "set-cookie" and value.startswith(COOKIE + "="):
            return value.split(";", 1)[0].split("=", 1)[1]
    return None


def login(port, username, password):
    response, text = request(port, "GET", "/@@login")
    match = CSRF.search(text)
    if response.status != 200 or not match:
        sys.exit("login: GET /@@login answered %d without a csrf_token" % response.status)
    cookie = session_cookie(response)
    response, text = request(port, "POST", "/@@login", cookie=cookie, body={
        "username": username, "password": password, "csrf_token": match.group(1)})
    signed = session_cookie(response)
    if response.status != 302 or not signed:
        sys.exit("login: POST /@@login answered %d (expected 302 with a %s cookie)"
                 % (response.status, COOKIE))
    return signed


def check(port, targets_file, cookie, outdir):
    problems = []
    for line in open(targets_file):
        label, path, title, signed_in = line.rstrip("\n").split("\t")
        if signed_in == "2":
            problems += check_token_row(port, label, path, title, outdir)
            continue
        signed_in = signed_in == "1"
        response, text = request(port, "GET", path, cookie=cookie if signed_in else None)
        with open(os.path.join(outdir, "check-%s.html" % label), "w") as page:
            page.write(text)
        if response.status != 200:
            problems.append("%s: GET %s answered %d, not 200" % (label, path, response.status))
            continue
        if title not in text:
            problems.append("%s: GET %s does not show the title %r" % (label, path, title))
        marker = "Sign out" if signed_in else "Sign in"
        if marker not in text:
            problems.append("%s: GET %s does not show %r (signed in: %s)"
                            % (label, path, marker, signed_in))
        print("%s\t%s\t%d bytes" % (label, path, len(text.encode("utf-8"))))
    for problem in problems:
        print("CHECK FAILED: " + problem, file=sys.stderr)
    return 1 if problems else 0


def check_token_row(port, label, path, title, outdir):
    token = os.environ.get("BENCH_TOKEN", "")
    response, text = request(port, "GET", path, token=token)
    with open(os.path.join(outdir, "check-%s.json" % label), "w") as page:
        page.write(text)
    if response.status != 200 or not token:
        return ["%s: GET %s with the token answered %d, not 200" % (label, path, response.status)]
    problems = []
    if not response.getheader("Content-Type", "").startswith("application/json"):
        problems.append("%s: GET %s is not JSON" % (label, path))
    if title not in text:
        problems.append("%s: GET %s does not show the title %r" % (label, path, title))
    wrong, _text = request(port, "GET", path, token=token[:-4] + "xxxx")
    if wrong.status != 401:
        problems.append("%s: GET %s with a wrong token answered %d, not 401"
                        % (label, path, wrong.status))
    print("%s\t%s\t%d bytes" % (label, path, len(text.encode("utf-8"))))
    return problems


def main(argv):
    if len(argv) == 5 and argv[1] == "login":
        print(login(int(argv[2]), argv[3], argv[4]))
        return 0
    if len(argv) == 6 and argv[1] == "check":
        return check(int(argv[2]), argv[3], argv[4], argv[5])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
