from setuptools import find_packages, setup

requires = [
    "pyramid>=2.0",
    "pyramid_jinja2",
    "Ming>=0.15",
    "pymongo>=4",
    "kombu>=5.3",
    "waitress",
    "argon2-cffi",
    "markdown-it-py[linkify,plugins]",  # with linkify-it-py (bare URLs) and mdit-py-plugins (task lists)
    "nh3",
    "pygments",
    "click>=8",
    "nx-27017",
    "tantivy",
    "feedgen",
    "aiosmtpd",             # mail in: the SMTP/LMTP server
    "html-text",            # mail in: HTML-only mail as text
    "mail-parser-reply",    # mail in: quoted replies and signatures cut
    "pyotp",                # two-factor sign-in (TOTP)
    "segno",                # its QR code, drawn server-side as SVG
    "swagger-ui-py",        # the REST API page (Swagger UI 5, served locally)
    "fastjsonschema",       # project archives: every record checked against its schema
    "rich",                 # progress bars of forge export / import
    "prometheus_client",    # /@@metrics: request latency by view, bus queue depth and lag
]

tests_require = [
    "WebTest",
    "pytest",
    "pytest-xdist",         # make test runs the suite in parallel workers
    "playwright",
    "axe-playwright-python",  # ships axe-core's axe.min.js for the accessibility checks
    "hypothesis",
    "schemathesis",         # the REST API against its served OpenAPI document
    "openapi-spec-validator",
    "httpx",                # the scripted REST client scenario
]

setup(
    name="pyforge",
    version="0.1.0",
    description="PyForge: a Python platform for online development tools",
    long_description=open("README.md").read(),
    long_description_content_type="text/markdown",
    packages=find_packages(exclude=["tests", "tests.*", "bench"]),
    include_package_data=True,
    zip_safe=False,
    python_requires=">=3.10",
    install_requires=requires,
    extras_require={"test": tests_require},
    entry_points={
        "paste.app_factory": ["main = forge:main"],
        "console_scripts": ["forge = forge.cli:main"],
        "forge.tools": ["notes = tools.notes", "wiki = tools.wiki",
                        "tracker = tools.tracker", "discussion = tools.discussion",
                        "code = tools.code"],
        "pytest11": ["forge = forge.testing"],
    },
)
