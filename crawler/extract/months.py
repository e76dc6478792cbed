"""Month names, once, for every rule that reads a written date: the date parser (`dates`) and
the line rules that tell a date stamp from article text (`stamps`)."""

from __future__ import annotations

MONTH_NAMES: dict[str, tuple[tuple[str, ...], ...]] = {
    # Indonesian, with the old spellings (Pebruari, Nopember) and the abbreviations news sites
    # print ("Agt", "Nop").
    "id": (
        ("januari", "jan"), ("februari", "pebruari", "feb"), ("maret", "mar"), ("april", "apr"),
        ("mei",), ("juni", "jun"), ("juli", "jul"), ("agustus", "agu", "agt"),
        ("september", "sep", "sept"), ("oktober", "okt"), ("november", "nopember", "nov", "nop"),
        ("desember", "des"),
    ),
    "en": (
        ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
        ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
        ("october", "oct"), ("november", "nov"), ("december", "dec"),
    ),
    "pt": (
        ("janeiro",), ("fevereiro",), ("março", "marco"), ("abril",), ("maio",), ("junho",),
        ("julho",), ("agosto",), ("setembro",), ("outubro",), ("novembro",), ("dezembro",),
    ),
    "es": (
        ("enero",), ("febrero",), ("marzo",), ("abril",), ("mayo",), ("junio",), ("julio",),
        ("agosto",), ("septiembre", "setiembre"), ("octubre",), ("noviembre",), ("diciembre",),
    ),
    "fr": (
        ("janvier",), ("février", "fevrier"), ("mars",), ("avril",), ("mai",), ("juin",),
        ("juillet",), ("août", "aout"), ("septembre",), ("octobre",), ("novembre",),
        ("décembre", "decembre"),
    ),
    "de": (
        ("januar",), ("februar",), ("märz", "marz"), ("april",), ("mai",), ("juni",), ("juli",),
        ("august",), ("september",), ("oktober",), ("november",), ("dezember",),
    ),
}
"""Per language, the twelve months in order, each as the lower-case words that name it."""

NUMERIC_DATE_LANGUAGES = ("id", "en")
"""The languages whose "23 Februari 2016" / "Feb 23, 2016" the date parser reads."""


def month_numbers(languages: tuple[str, ...] = tuple(MONTH_NAMES)) -> dict[str, int]:
    """Each month word of `languages` -> its number, 1 to 12."""
    return {word: number for language in languages
            for number, words in enumerate(MONTH_NAMES[language], start=1) for word in words}


def month_alternation(languages: tuple[str, ...] = tuple(MONTH_NAMES)) -> str:
    """A regular expression alternative of every month word of `languages`, longest first (so
    that "Januari" is not read as "Jan")."""
    return "|".join(sorted(month_numbers(languages), key=len, reverse=True))
