"""Date and time stamps in extracted lines: "Selasa, 23/02/2016 15:32 WIB", "Updated at 1:23
p.m.", "sexta-feira, 22 de outubro de 2010 às 20:13" are page furniture, never article text."""

from __future__ import annotations

import re

from crawler.extract.months import NUMERIC_DATE_LANGUAGES, month_alternation, month_numbers

_WORD_RE = re.compile(r"\w+")
_DAY = (
    r"(?:senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|ahad|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
)
_MONTH = rf"(?:{month_alternation(NUMERIC_DATE_LANGUAGES)})\.?"
_MONTH_WORDS = frozenset(month_numbers())
"""Month words of every language we meet, for telling a dated stamp from a line of numbers."""

# a line that is nothing but a date/time stamp: "Selasa, 23/02/2016 15:32 WIB", "13 Feb 2025, 07:15"
_DATE_LINE_RE = re.compile(
    rf"^\W*\d{{0,2}}\s*(?:{_DAY}\W*)?(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}}|"
    rf"{_MONTH}\s+\d{{1,2}},?\s+\d{{4}})"
    r"(?:\W*(?:pukul\s*)?\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s*(?:wib|wita|wit|utc|gmt|am|pm))*)?"
    r"(?:\W*(?:diperbarui|updated)\b.*)?\W*$",
    re.IGNORECASE,
)
_RELATIVE_TIME_RE = re.compile(
    r"^\W*(?:\d+\s+(?:detik|menit|jam|hari|minggu|bulan|tahun|seconds?|minutes?|hours?|days?|"
    r"weeks?|months?|years?)\s+(?:yang\s+)?(?:lalu|ago)"
    r"|(?:an?|one)\s+(?:minute|hour|day|week|month|year)\s+ago"
    # "hace 28 minutos", "há 2 horas", "il y a 3 heures", "vor 5 Minuten", "2 uur geleden",
    # "3 ore fa": a comment's or a teaser's age, in the languages of the pages we meet
    r"|(?:hace|h[aá])\s+(?:\d+|una?)\s+(?:segundos?|minutos?|horas?|d[ií]as?|semanas?|mes(?:es)?|"
    r"años?|anos?)"
    r"|il\s+y\s+a\s+(?:\d+|une?)\s+(?:secondes?|minutes?|heures?|jours?|semaines?|mois|ans?)"
    r"|vor\s+(?:\d+|einer?|einem)\s+(?:sekunden?|minuten?|stunden?|tag(?:en)?|wochen?|monat(?:en)?|"
    r"jahr(?:en)?)"
    r"|\d+\s+(?:seconden|minuten|uur|dagen|weken|secondi|minuti|ore|giorni|settimane)\s+"
    r"(?:geleden|fa))\W*$",
    re.IGNORECASE,
)


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# date and time pieces of a stamp line in any of the page languages we meet
_STAMP_PART_RE = re.compile(
    r"(?<![\d.,])(?:\d{4}-\d{2}-\d{2}"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    # the date as Chinese and Japanese write it (2019年09月06日), and Korean (2019년 9월 6일)
    r"|\d{4}\s*[年년]\s*\d{1,2}\s*[月월]\s*\d{1,2}\s*[日일]"
    r"|\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"
    r"|(?:[01]?\d|2[0-4])[:.][0-5]\d(?:[:.][0-5]\d)?(?:\s*[ap]\.?m\b\.?)?)(?![\d,]|\.\d)",
    re.IGNORECASE,
)
_STAMP_WORDS = _word_set(
    """
    senin selasa rabu kamis jumat jum at sabtu minggu ahad monday tuesday wednesday thursday
    friday saturday sunday mon tue tues wed thu thur thurs fri sat sun segunda terça terca quarta
    quinta sexta feira sábado sabado domingo lunes martes miércoles miercoles jueves viernes
    lundi mardi mercredi jeudi vendredi samedi dimanche montag dienstag mittwoch donnerstag
    freitag samstag sonntag
    de del do da of the on at am um à às as a le el pukul jam wib wita wit utc gmt
    published publish posted updated update last modified created date time first
    dipublikasikan diterbitkan diperbarui terbit diposting tanggal waktu publikasi update
    publicado publicada atualizado atualizada actualizado em en
    """
) | _MONTH_WORDS
_ZONES = _word_set(
    "wib wita wit utc gmt est edt cst cdt mst mdt pst pdt et pt ct bst cet cest eet ist amt msk "
    "jst kst hkt sgt aest aedt z am pm"
)
_BYLINE_START = frozenset({"by", "oleh", "por", "par", "von"})
_MAX_STAMP_WORDS = 12
_MAX_BYLINE_WORDS = 4
_LEADING_STAMP_RE = re.compile(
    rf"^\W*(?:{_DAY}\W*)?(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}}|"
    rf"{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})"
    r"(?:\W*(?:pukul\s*)?\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s*(?:wib|wita|wit|utc|gmt|[ap]\.?m\.?))*)?",
    re.IGNORECASE,
)


def is_date_line(text: str) -> bool:
    """Nothing but a date and perhaps a time: "Selasa, 23/02/2016 15:32 WIB", "13 Feb 2025"."""
    return bool(_DATE_LINE_RE.match(text))


def is_relative_time(text: str) -> bool:
    """ "3 jam yang lalu", "5 minutes ago", "hace 28 minutos", "vor 5 Minuten"."""
    return bool(_RELATIVE_TIME_RE.match(text))


def leading_stamp_end(text: str) -> int:
    """Where a date stamp opening `text` ends (0 when there is none)."""
    stamp = _LEADING_STAMP_RE.match(text)
    return stamp.end() if stamp else 0


def is_date_stamp(text: str, words: int) -> bool:
    """A publication stamp in any wording: a date or time and nothing but date words, labels,
    zones and perhaps a byline ("Updated at 1:23 p.m.", "2019-11-19T08:57:40+01:00",
    "5:45 AM PST 11/19/2019 by Patrick Shanley", "sexta-feira, 22 de outubro de 2010 às 20:13")."""
    if words > _MAX_STAMP_WORDS:
        return False
    rest = _STAMP_PART_RE.sub(" ", text)
    dated = rest != text
    numbered = dated
    others: list[str] = []
    for word in _WORD_RE.findall(rest):
        lower = word.lower()
        if word.isdigit():
            numbered = True
            continue
        if lower in _STAMP_WORDS or lower in _ZONES:
            dated = dated or lower in _MONTH_WORDS
            continue
        others.append(lower)
    if not (dated and numbered):
        return False
    if others and others[0] in _BYLINE_START:
        return len(others) <= _MAX_BYLINE_WORDS
    return len(others) <= 1
