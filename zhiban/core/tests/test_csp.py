"""The strict Content Security Policy holds: no template needs inline script or style."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from zhiban.core.tests.layout_urls import PLAIN_PAGE

MODEL_BACKEND = "zhiban.accounts.backends.ModelBackend"
ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = sorted(
    path
    for path in (ROOT / "zhiban").glob("**/templates/**/*.html")
    if "static" not in path.relative_to(ROOT).parts
)


class _Offences(HTMLParser):
    """Collect inline scripts, style attributes and on* handlers in one template."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.offences: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        names = {name.lower() for name, _value in attrs}
        if tag == "script" and "src" not in names:
            self.offences.append(f"line {line}: <script> without src")
        if tag == "style":
            self.offences.append(f"line {line}: <style> element")
        for name in names:
            if name == "style":
                self.offences.append(f"line {line}: style= on <{tag}>")
            elif re.fullmatch(r"on[a-z]+", name):
                self.offences.append(f"line {line}: {name}= on <{tag}>")
            elif name.startswith(("hx-on", "data-hx-on", "hx-vars")):
                # htmx runs these through eval, which the CSP (and htmx-config) forbid.
                self.offences.append(f"line {line}: {name}= on <{tag}>")


# Template tags could hide an attribute from the parser ({% if %}style="..."{% endif %}),
# so the raw text is searched as well.
RAW_ATTRIBUTE = re.compile(r"""[\s"'}](style|on[a-z]+)\s*=\s*["'{]""", re.IGNORECASE)


def offences_in(text: str) -> list[str]:
    """Return what in a template's text the CSP would block."""
    # Blank the template tags' insides so {% if a == b %} never reads as an attribute.
    text = re.sub(r"\{%.*?%\}", lambda m: " " * len(m.group()), text, flags=re.S)
    text = re.sub(r"\{#.*?#\}", lambda m: " " * len(m.group()), text, flags=re.S)
    parser = _Offences()
    parser.feed(text)
    parser.close()
    offences = list(parser.offences)
    for match in RAW_ATTRIBUTE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        found = f"line {line}: {match.group(1).lower()}="
        if not any(offence.startswith(found) for offence in offences):
            offences.append(f"{found} (raw text)")
    return offences


def test_the_scan_covers_the_layout_and_every_app():
    names = {path.relative_to(ROOT).as_posix() for path in TEMPLATES}
    assert "zhiban/templates/base.html" in names
    assert "zhiban/templates/layout/topbar.html" in names
    assert "zhiban/core/templates/core/home.html" in names
    assert "zhiban/accounts/templates/accounts/login.html" in names


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("<script>alert(1)</script>", ["line 1: <script> without src"]),
        ('<script src="/x.js"></script>', []),
        ('<div style="color:red">x</div>', ["line 1: style= on <div>"]),
        ('<a href="#" onclick="go()">x</a>', ["line 1: onclick= on <a>"]),
        ("<p>\n<style>p{}</style></p>", ["line 2: <style> element"]),
        ('<div {% if a %}style="x"{% endif %}>', ["line 1: style= on <div>"]),
        ('<div class="{% if a == b %}x{% endif %}" data-on="y">', []),
        (
            '<button hx-on::after-request="x">',
            ["line 1: hx-on::after-request= on <button>"],
        ),
        ('<form hx-post="/x" hx-target="#y">', []),
    ],
)
def test_the_scanner_finds_what_the_csp_blocks(snippet, expected):
    assert offences_in(snippet) == expected


@pytest.mark.parametrize(
    "path", TEMPLATES, ids=[p.relative_to(ROOT).as_posix() for p in TEMPLATES]
)
def test_template_has_no_inline_script_style_or_handler(path):
    assert offences_in(path.read_text(encoding="utf-8")) == []


@pytest.mark.django_db
@pytest.mark.urls("zhiban.core.tests.layout_urls")
def test_a_page_carries_a_strict_csp_and_the_security_headers(client, employee):
    client.force_login(employee, backend=MODEL_BACKEND)

    response = client.get(PLAIN_PAGE)

    assert response.status_code == 200
    policy = dict(
        part.strip().split(" ", 1)
        for part in response["Content-Security-Policy"].split(";")
        if part.strip()
    )
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_login_page_carries_the_csp_too(client):
    response = client.get(reverse("accounts:login"))

    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.urls("zhiban.core.tests.layout_urls")
def test_htmx_is_configured_by_a_meta_tag_not_a_script(client, employee):
    client.force_login(employee, backend=MODEL_BACKEND)

    html = client.get(PLAIN_PAGE).content.decode()

    config = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html)
    assert config is not None
    assert json.loads(config.group(1)) == {
        "includeIndicatorStyles": False,
        "historyCacheSize": 0,
        "allowEval": False,
        "allowScriptTags": False,
        # Settling copies an empty style="" onto new content, which the CSP refuses.
        "attributesToSettle": ["class", "width", "height"],
    }
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
    assert " style=" not in html
