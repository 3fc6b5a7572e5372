"""Reports: the red-line board (rich table) and the self-contained HTML report.

See ``docs/reports.md``.

Each name is imported from its submodule on first use (:func:`tripwire.lazy_exports`).
"""

from tripwire import lazy_exports

__all__ = lazy_exports(__name__, {
    "BoardRow": ".board",
    "board_rows": ".board",
    "render_board": ".board",
    "ReportData": ".html",
    "write_html_report": ".html",
})
