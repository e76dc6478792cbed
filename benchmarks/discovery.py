"""A discovery-driven crawl of a saved site over loopback HTTPS, against what a user would write
instead: a plain Scrapy `SitemapSpider` calling `trafilatura.extract` on each page.

    python benchmarks/discovery.py [--pages 2080] [--rounds 1]

The site (`https://www.beritabench.id/`) holds `--pages` article pages under date paths, made
from the fixture article pages, each naming its own URL (republications: every one an article of
its own, extracted, validated, clustered and written); its `robots.txt` names a sitemap index of
four sitemaps, and its home page links nothing, so both crawls find every article through the
sitemaps. One HTTPS server (tests/online/server.py, on a loopback address, bodies gzipped once
and cached) serves both; each crawl runs in a subprocess, ours as `scrapy crawl news -a
site=https://www.beritabench.id/` with its extraction workers, the peer with Scrapy's defaults
and no project. Both get the same concurrency and no download delay (politeness is not what is
measured). Pages per second: article pages over the crawl's own elapsed time (its stats: spider
open to close). Ours must reach 1.2x the peer while also validating, deduplicating and
accounting for every page.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from tests.online.server import ADDRESS_ENV, SiteServer, resolver_settings  # noqa: E402

HOME = "https://www.beritabench.id/"
TARGET_RATIO = 1.2
SITEMAPS = 4
CONCURRENCY = 16


def build_site(folder: Path, pages: int) -> tuple[Path, list[str]]:
    """The saved site's manifest and its article URLs."""
    source = PROJECT_ROOT / "fixtures" / "manifest.json"
    fixture = json.loads(source.read_text(encoding="utf-8"))
    originals = [p for p in fixture["pages"] if p["expect"] == "article"]
    html = {p["url"]: (source.parent / p["file"]).read_bytes() for p in originals}
    entries: list[dict] = []
    urls: list[str] = []
    for n in range(pages):
        original = originals[n % len(originals)]
        slug = original["url"].rstrip("/").rsplit("/", 1)[-1].removesuffix(".html")[:60]
        url = f"{HOME}{2025 - n % 3}/{1 + n % 12:02d}/{1 + n % 28:02d}/{slug}-{n}"
        body = re.sub(rb"(?<=[\"'])" + re.escape(original["url"].encode()) + rb"(?=[\"'])",
                      url.encode(), html[original["url"]])
        file = folder / f"page-{n}.html"
        file.write_bytes(body)
        entries.append({"url": url, "file": str(file), "status": 200,
                        "headers": {"Content-Type": "text/html; charset=utf-8"},
                        "kind": "article", "expect": "article"})
        urls.append(url)
    xml = {"Content-Type": "application/xml"}
    chunk = -(-pages // SITEMAPS)
    for k in range(SITEMAPS):
        rows = "".join(f"<url><loc>{u}</loc><lastmod>2025-02-13</lastmod></url>"
                       for u in urls[k * chunk:(k + 1) * chunk])
        file = folder / f"sitemap-{k}.xml"
        file.write_text('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns='
                        f'"http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>')
        entries.append({"url": f"{HOME}sitemap-{k}.xml", "file": str(file), "status": 200,
                        "headers": xml, "kind": "discovery", "expect": "discovery"})
    index = folder / "sitemap.xml"
    index.write_text('<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns='
                     '"http://www.sitemaps.org/schemas/sitemap/0.9">' + "".join(
                         f"<sitemap><loc>{HOME}sitemap-{k}.xml</loc></sitemap>"
                         for k in range(SITEMAPS)) + "</sitemapindex>")
    robots = folder / "robots.txt"
    robots.write_text(f"User-agent: *\nAllow: /\nSitemap: {HOME}sitemap.xml\n")
    home = folder / "home.html"
    home.write_text("<html><head><title>Berita Bench</title></head><body><h1>Berita</h1>"
                    "</body></html>")
    entries += [
        {"url": f"{HOME}sitemap.xml", "file": str(index), "status": 200, "headers": xml,
         "kind": "discovery", "expect": "discovery"},
        {"url": f"{HOME}robots.txt", "file": str(robots), "status": 200,
         "headers": {"Content-Type": "text/plain"}, "kind": "discovery", "expect": "discovery"},
        {"url": HOME, "file": str(home), "status": 200,
         "headers": {"Content-Type": "text/html; charset=utf-8"}, "kind": "listing",
         "expect": "listing"},
    ]
    manifest = folder / "manifest.json"
    manifest.write_text(json.dumps({"pages": entries, "unsaved_links": []}))
    return manifest, urls


def resolver(settings: list[str]) -> dict[str, str]:
    return dict(setting.split("=", 1) for setting in settings)


def run_ours(folder: Path, env: dict[str, str]) -> tuple[int, float]:
    stats = folder / "ours-stats.json"
    command = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"site={HOME}",
               "-O", str(folder / "ours.jsonl"),
               "-s", "OFFLINE_FIXTURES=", "-s", "DOWNLOAD_DELAY=0",
               "-s", "AUTOTHROTTLE_ENABLED=False",
               "-s", f"CONCURRENT_REQUESTS={CONCURRENCY}",
               "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={CONCURRENCY}",
               "-s", f"REJECTS_FILE={folder / 'ours-rejects.jsonl'}",
               "-s", f"CRAWL_SUMMARY_FILE={folder / 'ours-summary.json'}",
               "-s", f"DEDUP_INDEX={folder / 'ours-index.npz'}",
               "-s", f"CLUSTER_REPORT_DIR={folder / 'ours-report'}",
               "-s", "STATS_CLASS=crawler.stats.JsonFileStatsCollector",
               "-s", f"STATS_FILE={stats}", "-s", "LOG_LEVEL=WARNING"]
    for setting in resolver_settings():
        command += ["-s", setting]
    subprocess.run(command, cwd=PROJECT_ROOT, env=env, check=True, timeout=1800)
    data = json.loads(stats.read_text(encoding="utf-8"))
    summary = json.loads((folder / "ours-summary.json").read_text(encoding="utf-8"))["pages"]
    outcomes = sum(summary.get(k, 0) for k in
                   ("article", "rejected", "missed", "listing", "skipped", "failed"))
    if outcomes != summary["requested"]:
        raise SystemExit(f"our crawl left pages unaccounted: {summary}")
    return int(data.get("pages/article", 0)), float(data["elapsed_time_seconds"])


def run_peer(folder: Path, env: dict[str, str]) -> tuple[int, float]:
    stats = folder / "peer-stats.json"
    settings = {"DOWNLOAD_DELAY": 0, "CONCURRENT_REQUESTS": CONCURRENCY,
                "CONCURRENT_REQUESTS_PER_DOMAIN": CONCURRENCY, **resolver(resolver_settings())}
    # Outside the project: no scrapy.cfg there, so no project settings.
    subprocess.run([sys.executable, str(PROJECT_ROOT / "benchmarks" / "sitemap_peer.py"),
                    f"{HOME}robots.txt", str(stats), str(folder / "peer.jsonl"),
                    json.dumps(settings)], cwd=folder, env={**env, "PYTHONPATH": str(
                        PROJECT_ROOT)}, check=True, timeout=1800)
    data = json.loads(stats.read_text(encoding="utf-8"))
    return int(data.get("item_scraped_count", 0)), float(data["elapsed_time_seconds"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2080)
    parser.add_argument("--rounds", type=int, default=1)
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        manifest, _ = build_site(folder, options.pages)
        env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
        env["PYTHONUNBUFFERED"] = "1"
        best_ours, best_peer = 0.0, 0.0
        with SiteServer(manifest) as server:
            env[ADDRESS_ENV] = server.address
            for round_number in range(1, options.rounds + 1):
                peer_pages, peer_seconds = run_peer(folder, env)
                ours_pages, ours_seconds = run_ours(folder, env)
                best_peer = max(best_peer, peer_pages / peer_seconds)
                best_ours = max(best_ours, ours_pages / ours_seconds)
                print(f"round {round_number}: ours {ours_pages} articles in {ours_seconds:.1f} s"
                      f" ({ours_pages / ours_seconds:.1f}/s); SitemapSpider + trafilatura "
                      f"{peer_pages} in {peer_seconds:.1f} s ({peer_pages / peer_seconds:.1f}/s)")
    ratio = best_ours / best_peer
    print(f"\n| crawl of {options.pages} article pages over loopback HTTPS | pages/s |")
    print("| --- | --- |")
    print(f"| ours (`scrapy crawl news -a site=…`, discovery, workers, dedup) | {best_ours:.1f} |")
    print(f"| Scrapy SitemapSpider + trafilatura.extract | {best_peer:.1f} |")
    print(f"\nours / peer: {ratio:.2f}x (target {TARGET_RATIO}x): "
          f"{'met' if ratio >= TARGET_RATIO else 'NOT met'}")


if __name__ == "__main__":
    main()
