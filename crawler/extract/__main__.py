"""`python -m crawler.extract PAGE.html --url URL`: print the extracted Article as JSON (`-`
reads the page from standard input)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from crawler.extract import ExtractionError, extract_article
from crawler.items import record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.extract", description=__doc__)
    parser.add_argument("page", help="saved HTML page (bytes, any charset), or - for stdin")
    parser.add_argument("--url", required=True, help="the URL the page was fetched from")
    args = parser.parse_args(argv)
    try:
        page = sys.stdin.buffer.read() if args.page == "-" else Path(args.page).read_bytes()
    except OSError as err:
        print(f"error: cannot read {args.page}: {err.strerror or err}", file=sys.stderr)
        return 2
    try:
        article = extract_article(page, args.url)
    except ExtractionError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(json.dumps(record(article), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
