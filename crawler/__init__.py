"""News ingestion and dedup crawler: Scrapy spiders, extraction and MinHash clustering."""
