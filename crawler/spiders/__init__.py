"""Spiders: `news` (any site of `crawler/sites.toml`, a group of them or any home URL) and `all`
(every site of the list; offline, the saved ones)."""
