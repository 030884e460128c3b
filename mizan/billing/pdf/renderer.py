"""Renders billing PDFs with WeasyPrint, reading nothing but allow-listed local files.

Safety: WeasyPrint fetches every URL a document names (images, stylesheets, fonts, attachments).
`LocalFileFetcher` is the only fetcher used: it serves files from an allow-list of directories
(the stylesheet, the bundled fonts, the organization logos under MEDIA_ROOT) and data: URIs (the
QR image), and refuses everything else: http(s), ftp, other local files, paths escaping the
allow-list through "..", symlinks or a host. The HTML has no base URL, so a relative URL is never
resolved; user text is escaped by the template engine, so it cannot add a tag at all.

Fonts: IBM Plex Sans Arabic (npm @fontsource/ibm-plex-sans-arabic, OFL) gives Arabic and Latin
one design. Fontsource splits it into per-script files; each gets its own family name, because
WeasyPrint keys embedded fonts by family and weight, and two files under one name mix up their
glyphs. One FontConfiguration and the parsed stylesheets are kept per thread, so a render does not
load the fonts again.
"""

from __future__ import annotations

import mimetypes
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import DataHandler, Request, url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
STYLESHEET = ASSETS_DIR / "document.css"
FONT_PACKAGE = Path("@fontsource") / "ibm-plex-sans-arabic" / "files"
#: (family name in the stylesheet, Fontsource subset); weights 400 and 700 of each.
FONT_FACES = (("Mizan PDF Arabic", "arabic"), ("Mizan PDF Latin", "latin"), ("Mizan PDF Latin Ext", "latin-ext"))
MODES = ("both", "ar", "en")


class ResourceRefused(ValueError):
    """A document named a resource outside the allow-list; WeasyPrint leaves it out."""


class LocalFileFetcher(URLFetcher):
    """Serves data: URIs and files inside `roots`; refuses every other URL (no network at all)."""

    def __init__(self, roots: Iterable[Path]) -> None:
        super().__init__(timeout=1, allowed_protocols=("file", "data"), allow_redirects=False)
        self.roots = tuple(Path(root).resolve() for root in roots)

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        scheme = url.partition(":")[0].lower()
        if scheme == "data":
            response = DataHandler().data_open(Request(url))  # noqa: S310 - decodes the URI itself, no I/O
            return URLFetcherResponse(url, response.read(), {"Content-Type": response.headers["Content-Type"]})
        if scheme != "file":
            raise ResourceRefused(f"not a local file: {url[:80]}")
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost") or parts.query or parts.fragment:
            raise ResourceRefused(f"not a plain local path: {url[:80]}")
        path = Path(url2pathname(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots) or not path.is_file():
            raise ResourceRefused(f"outside the allowed directories: {url[:80]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})


def font_dir() -> Path:
    return Path(settings.NODE_MODULES) / FONT_PACKAGE


def logo_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "logos"


def asset_roots() -> tuple[Path, ...]:
    return (ASSETS_DIR, font_dir())


def _font_faces_css(fonts: Path) -> str:
    rules = []
    for family, subset in FONT_FACES:
        for weight in (400, 700):
            uri = (fonts / f"ibm-plex-sans-arabic-{subset}-{weight}-normal.woff2").as_uri()
            rules.append(f"@font-face {{ font-family: '{family}'; font-weight: {weight}; src: url('{uri}'); }}")
    return "\n".join(rules)


class _Assets(threading.local):
    key: tuple | None = None
    font_config: FontConfiguration | None = None
    stylesheets: tuple[CSS, ...] = ()


_assets = _Assets()


def _document_assets() -> tuple[FontConfiguration, list[CSS]]:
    """The font configuration and parsed stylesheets of this thread, rebuilt when the CSS changes."""
    key = (STYLESHEET.stat().st_mtime_ns, str(font_dir()))
    if _assets.key != key:
        font_config = FontConfiguration()
        fetcher = LocalFileFetcher(asset_roots())
        _assets.stylesheets = (
            CSS(string=_font_faces_css(font_dir()), url_fetcher=fetcher, font_config=font_config),
            CSS(filename=str(STYLESHEET), url_fetcher=fetcher, font_config=font_config),
        )
        _assets.font_config, _assets.key = font_config, key
    return _assets.font_config, list(_assets.stylesheets)


def html_to_pdf(html: str) -> bytes:
    """PDF bytes of an HTML string; only the allow-listed local files are ever read."""
    font_config, stylesheets = _document_assets()
    fetcher = LocalFileFetcher((*asset_roots(), logo_dir()))
    document = HTML(string=html, base_url=None, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=stylesheets, font_config=font_config)


@dataclass(frozen=True)
class Layout:
    mode: str

    @property
    def lang(self) -> str:
        return "en" if self.mode == "en" else "ar"

    @property
    def dir(self) -> str:
        return "ltr" if self.mode == "en" else "rtl"


def document_mode(language: str | None) -> str:
    return language if language in MODES else "both"


def render_pdf(template_name: str, context: dict[str, Any], *, language: str) -> bytes:
    """Render a billing/pdf template in `language` ("both", "ar" or "en") and return the PDF."""
    layout = Layout(document_mode(language))
    with translation.override(layout.lang):
        html = render_to_string(template_name, {**context, "doc": layout})
    return html_to_pdf(html)
