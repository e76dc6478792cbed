"""HTML page -> `Article`, without Scrapy: `extract_article(html, url)`."""

from crawler.extract.article import extract_article
from crawler.extract.errors import ExtractionError
from crawler.extract.options import ExtractOptions

__all__ = ["ExtractOptions", "ExtractionError", "extract_article"]
