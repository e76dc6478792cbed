"""Cluster review report: `clusters.json`, a self-contained `report.html` and a terminal summary.

Plain Python, no Scrapy: the `scrapy cluster` command and the end of a crawl call

    document = build_clusters(records)                  # records carry copy/event cluster ids
    paths = write_report(directory, records, document, crawl_summary)
    print(terminal_summary(document))
"""

from crawler.report.build import build_clusters
from crawler.report.model import (
    Assignment,
    ClusterDocument,
    CopyCluster,
    EventCluster,
    Member,
    SimilarityMethods,
)
from crawler.report.progress import ProgressCallback, progress_printer
from crawler.report.render import ReportPaths, write_report
from crawler.report.terminal import terminal_summary

__all__ = [
    "Assignment",
    "ClusterDocument",
    "CopyCluster",
    "EventCluster",
    "Member",
    "ProgressCallback",
    "ReportPaths",
    "SimilarityMethods",
    "build_clusters",
    "progress_printer",
    "terminal_summary",
    "write_report",
]
