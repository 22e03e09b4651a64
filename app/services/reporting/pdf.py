"""HTML to PDF through WeasyPrint (which needs Debian's pango), reading nothing but the app's own stylesheets.

The pack's HTML is the app's own, rendered from its templates; the stylesheets are handed over as files, and
every other URL the document names is refused, so rendering a PDF never reaches the network or the disk.
"""

from functools import cache
from pathlib import Path
from typing import Any

STATIC = Path(__file__).resolve().parents[2] / "static"
STYLESHEETS = ("govuk-frontend.min.css", "app.css", "print.css")


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the pango library it draws text with is not installed."""


@cache
def _stylesheets() -> tuple[Any, ...]:
    """The app's stylesheets, parsed once per process (GOV.UK Frontend's is large) and shared by every PDF."""
    import weasyprint

    return tuple(weasyprint.CSS(filename=str(STATIC / name)) for name in STYLESHEETS)


def html_to_pdf(html: str) -> bytes:
    try:
        import weasyprint
        from weasyprint.urls import URLFetcher, URLFetchingError
    except (ImportError, OSError) as error:  # OSError: pango missing
        raise PdfUnavailable(
            "Install pango (apt-get install libpango-1.0-0 libpangoft2-1.0-0) and WeasyPrint"
        ) from error

    class RefuseEverything(URLFetcher):
        def fetch(self, url, headers=None):
            raise URLFetchingError(f"The board pack loads nothing from {url!r}")

    document = weasyprint.HTML(string=html, url_fetcher=RefuseEverything())
    return document.write_pdf(stylesheets=list(_stylesheets()))
