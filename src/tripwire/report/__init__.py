"""Reports: the red-line board (rich table) and the self-contained HTML report.

See ``docs/reports.md``.
"""

from .board import BoardRow, board_rows, render_board
from .html import ReportData, build_report, write_html_report

__all__ = ["BoardRow", "ReportData", "board_rows", "build_report", "render_board", "write_html_report"]
