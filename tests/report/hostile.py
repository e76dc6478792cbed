"""Article text written to break a report: markup, script, comment openers, a javascript: URL,
a 20,000-character line, right-to-left text with a bidi override, and an emoji before a
highlighted passage (JavaScript counts it as two characters, Python as one)."""

from __future__ import annotations

from typing import Any

PWN = "document.documentElement.setAttribute('data-pwned', '1')"
TITLE = f'</script><script>{PWN}</script><b>bold</b> & "quotes"'
# Arabic and Hebrew on purpose, after a right-to-left override.
RTL_TITLE = "\u202eمرحبا بالعالم: خبر عاجل \u05e9\u05dc\u05d5\u05dd"  # noqa: RUF001
SHARED = "kalimat yang sama persis muncul di kedua artikel ini sebagai bukti salinan"
BODY = "\n".join([
    f'<img src=x onerror="{PWN}"><!-- <script>',
    "😀 " + SHARED,
    "A" * 20_000,
    "نص عربي طويل من اليمين إلى اليسار",
])


def hostile_records() -> list[dict[str, Any]]:
    original = "https://evil.example/original"
    return [
        {"url": original, "site": "<i>evil</i>.example", "source": None, "title": TITLE,
         "body": BODY, "published": "2025-02-13T05:47:00+07:00",
         "copy_cluster": original, "event_cluster": "</script>event"},
        {"url": "javascript:alert(1)", "site": "rtl.example", "source": "evil.example",
         "title": RTL_TITLE, "body": "نص مختلف\n" + SHARED + " 😀",
         "published": "2025-02-13T09:00:00+07:00",
         "copy_cluster": original, "event_cluster": "</script>event"},
    ]
