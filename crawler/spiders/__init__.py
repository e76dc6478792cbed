"""Spiders: one per site family (see `sites.toml`), plus `all`, which crawls every family."""
