"""Reading a web archive: `scrapy crawl warc` against what a user would write instead, warcio
iterating the records and calling `trafilatura.extract` on each HTML response, in one process.

    python benchmarks/warc.py [--records 5000] [--kept 0.2] [--rounds 1]

The archive holds `--records` response records (gzip per record, as CC-NEWS files are): a
`--kept` share on `.id` hosts, the fixture article and listing pages under many URLs; the rest
on hosts of other countries, real news pages in English, Portuguese, Russian and other
languages (the 181 scrapinghub pages of `../shared/data/extraction`; without them, the fixture
pages again), as a CC-NEWS file holds the whole world's news. Ours is asked for `tld=id`, and
in a second run for `lang=id` (the language of every record told from its text): the filters
run before extraction, as a CC-NEWS user filters; it extracts, validates, deduplicates and
accounts for every kept page, with its extraction workers. The peer extracts every HTML
response. Records per second: records in the archive over each run's own elapsed time (ours
from its stats, spider open to close). Ours must reach 1.5x the peer.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.5
ABROAD = ("com", "com.my", "co.uk", "de", "com.au", "sg", "in", "co.za")


FOREIGN_PAGES = PROJECT_ROOT.parent / "shared" / "data" / "extraction" / "scrapinghub" / "html"


def build_archive(path: Path, records: int, kept: float) -> int:
    """The archive; returns how many of its records are on `.id` hosts."""
    source = PROJECT_ROOT / "fixtures" / "manifest.json"
    pages = [p for p in json.loads(source.read_text(encoding="utf-8"))["pages"]
             if p["kind"] in ("article", "listing")]
    bodies = [(source.parent / p["file"]).read_bytes() for p in pages]
    foreign = [gzip.decompress(p.read_bytes()) for p in sorted(FOREIGN_PAGES.glob("*.html.gz"))]
    if not foreign:
        print(f"({FOREIGN_PAGES} is missing: the other countries' pages are the fixtures too)")
    local = 0
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for n in range(records):
            at_home = (n % 100) < kept * 100
            host = f"berita{n % 40}.co.id" if at_home else f"news{n % 97}.example.{ABROAD[n % 8]}"
            local += at_home
            url = f"https://{host}/{2025 - n % 2}/{1 + n % 12:02d}/{1 + n % 28:02d}/berita-{n}"
            body = bodies[n % len(bodies)] if at_home or not foreign else foreign[n % len(foreign)]
            content_type = "text/html; charset=utf-8" if at_home or not foreign else "text/html"
            headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)],
                                       protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers))
    return local


PEER = """
import sys, time, trafilatura
from urllib.parse import urlsplit
from warcio.archiveiterator import ArchiveIterator
start = time.process_time(), time.perf_counter()
extracted = 0
suffix = sys.argv[2] if len(sys.argv) > 2 else ""
with open(sys.argv[1], "rb") as stream:
    for record in ArchiveIterator(stream):
        if record.rec_type != "response":
            continue
        if not (record.http_headers.get_header("Content-Type") or "").startswith("text/html"):
            continue
        url = record.rec_headers.get_header("WARC-Target-URI")
        if suffix and not (urlsplit(url).hostname or "").endswith(suffix):
            continue
        html = record.content_stream().read().decode("utf-8", "replace")
        text = trafilatura.extract(html, url=record.rec_headers.get_header("WARC-Target-URI"))
        extracted += text is not None
print(extracted, time.perf_counter() - start[1])
"""


def run_peer(archive: Path, suffix: str = "") -> tuple[int, float]:
    done = subprocess.run([sys.executable, "-c", PEER, str(archive), suffix], capture_output=True,
                          text=True, check=True, timeout=3600)
    extracted, seconds = done.stdout.split()
    return int(extracted), float(seconds)


def read_speeds(archive: Path) -> dict[str, float]:
    """Records per second of the WARC readers alone, every response payload read in full:
    warcio (ours) and FastWARC, when installed, for the choice (`crawler/warc.py`)."""
    from warcio.archiveiterator import ArchiveIterator

    speeds: dict[str, float] = {}
    started, records = time.perf_counter(), 0
    with archive.open("rb") as stream:
        for record in ArchiveIterator(stream):
            records += 1
            if record.rec_type == "response":
                record.content_stream().read()
    speeds["warcio"] = records / (time.perf_counter() - started)
    try:
        from fastwarc.warc import ArchiveIterator as FastIterator
    except ImportError:
        return speeds
    started, records = time.perf_counter(), 0
    with archive.open("rb") as stream:
        for fast_record in FastIterator(stream, parse_http=True):
            records += 1
            fast_record.reader.read()
    speeds["FastWARC"] = records / (time.perf_counter() - started)
    return speeds


def run_ours(archive: Path, folder: Path, only: str) -> tuple[int, float, dict]:
    stats = folder / "stats.json"
    command = [sys.executable, "-m", "scrapy", "crawl", "warc", "-a", f"files={archive}",
               "-a", only, "-O", str(folder / "ours.jsonl"),
               "-s", f"REJECTS_FILE={folder / 'rejects.jsonl'}",
               "-s", f"CRAWL_SUMMARY_FILE={folder / 'summary.json'}",
               "-s", f"DEDUP_INDEX={folder / 'index.npz'}",
               "-s", f"CLUSTER_REPORT_DIR={folder / 'report'}",
               "-s", "STATS_CLASS=crawler.stats.JsonFileStatsCollector",
               "-s", f"STATS_FILE={stats}", "-s", "LOG_LEVEL=ERROR"]
    subprocess.run(command, cwd=PROJECT_ROOT, check=True, timeout=3600)
    data = json.loads(stats.read_text(encoding="utf-8"))
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    return int(data.get("pages/article", 0)), float(data["elapsed_time_seconds"]), summary


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--kept", type=float, default=0.2)
    parser.add_argument("--rounds", type=int, default=1)
    options = parser.parse_args(argv)
    best = {"tld": 0.0, "lang": 0.0, "peer": 0.0, "filtering": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        archive = folder / "news.warc.gz"
        started = time.perf_counter()
        local = build_archive(archive, options.records, options.kept)
        print(f"archive: {options.records} records, {local} on .id hosts, "
              f"{archive.stat().st_size / 1e6:.1f} MB (built in "
              f"{time.perf_counter() - started:.0f} s)")
        print("reading alone, records/s: " + ", ".join(
            f"{name} {speed:,.0f}" for name, speed in read_speeds(archive).items()))
        for number in range(1, options.rounds + 1):
            seconds: dict[str, float] = {}
            for kind, only in (("tld", "tld=id"), ("lang", "lang=id")):
                run_folder = folder / f"{kind}-{number}"  # a dedup index of its own
                run_folder.mkdir()
                articles, seconds[kind], summary = run_ours(archive, run_folder, only)
                print(f"round {number}: ours with {only} {seconds[kind]:.1f} s ({articles} "
                      f"articles; records {summary.get('warc', {})})")
            extracted, seconds["peer"] = run_peer(archive)
            kept, seconds["filtering"] = run_peer(archive, ".id")
            print(f"round {number}: warcio + trafilatura {seconds['peer']:.1f} s ({extracted} "
                  f"texts); the same keeping .id hosts {seconds['filtering']:.1f} s "
                  f"({kept} texts)")
            for kind, spent in seconds.items():
                best[kind] = max(best[kind], options.records / spent)
    print(f"\n| reading {options.records} WARC records | records/s |")
    print("| --- | --- |")
    print(f"| ours (`scrapy crawl warc -a tld=id`, workers, dedup) | {best['tld']:.0f} |")
    print(f"| ours (`scrapy crawl warc -a lang=id`) | {best['lang']:.0f} |")
    print(f"| warcio + trafilatura.extract on every HTML response | {best['peer']:.0f} |")
    print(f"| the same, skipping hosts outside .id first | {best['filtering']:.0f} |")
    for kind in ("tld", "lang"):
        ratio = best[kind] / best["peer"]
        print(f"\nours ({kind}=id) / peer: {ratio:.2f}x (target {TARGET_RATIO}x): "
              f"{'met' if ratio >= TARGET_RATIO else 'NOT met'}; ours / the filtering peer: "
              f"{best[kind] / best['filtering']:.2f}x")

if __name__ == "__main__":
    main()
