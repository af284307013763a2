"""The dataset as a static HTML report that opens offline: plots with the tables behind
them, the filings listed page by page, and each filing beside its source."""

from dataset.report.build import ReportSummary, build_report

__all__ = ["ReportSummary", "build_report"]
