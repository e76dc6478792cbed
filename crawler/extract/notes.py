"""Notes a publisher sets around the article: the note about its writer, the rules for readers'
comments. They are about the page, not part of the story."""

from __future__ import annotations

import re

_NOTE_LINES = 3
"""The writer's note and what follows it (a disclosure, a follow prompt) are the last lines."""
_MAX_NOTE_WORDS = 60
"""A biography or disclosure is a sentence or three; a longer line is the article's."""
_LEADING_NAME_RE = re.compile(r"([A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*){1,3})\s+\w")
"""Two to four capitalised words opening a line, followed by more words: "Eric Song is"."""


def without_writer_note(lines: list[str], authors: list[str]) -> list[str]:
    """Drop the note about the writer closing the article, and what follows it.

    Publishers close a story with a line that opens with its writer's name ("Eric Song is IGN's
    deal curator …", "Keith Noonan owns shares of …", "Shahien Nasiripour is the business
    reporter …"): a biography, a disclosure, a way to reach them. A line among the last three
    that opens with the name of an author the page declares (two words or more, so a one-word
    name or a company is no match) ends the article. A profile's last paragraph names its
    subject, not its writer.
    """
    names = [author.lower() for author in authors if len(author.split()) >= 2]
    if not names or len(lines) <= _NOTE_LINES:
        return lines
    for index in range(len(lines) - _NOTE_LINES, len(lines)):
        if _opens_with_writer(lines[index], names):
            return lines[:index]
    return lines


def _opens_with_writer(line: str, names: list[str]) -> bool:
    if len(line.split()) > _MAX_NOTE_WORDS:
        return False
    match = _LEADING_NAME_RE.match(line)
    if match is None:
        return False
    leading = match.group(1).lower()
    return any(name.startswith(leading) for name in names)


_COMMENT_HINTS = (
    "comment",
    "coment",
    "kommentar",
    "komentar",
    "\u062a\u0639\u0644\u064a\u0642",
    "\u8bc4\u8bba",
    "\u8ddf\u8d34",
)
"""Readers' comments named in our languages: a cheap test before the line is searched."""
_COMMENTS_RE = re.compile(
    r"\b(?:comments|coment\u00e1rios|comentarios|commentaires|kommentare|komentar)\b|"
    r"\u0627\u0644\u062a\u0639\u0644\u064a\u0642\u0627\u062a|\u8bc4\u8bba|\u8ddf\u8d34",
    re.IGNORECASE,
)
"""Comments as the readers' (comments, comentários, Kommentare, komentar, التعليقات, 评论, 跟贴);
a writer who "commented" or a request "for comment" is the story's."""
_COMMENT_POLICY_RE = re.compile(
    r"\bmoderat|\bmoderad|\bfreigeschaltet|"
    r"\u0645\u0631\u0627\u062c\u0639\u0629|\u770b\u6cd5|\u7acb\u573a",
    re.IGNORECASE,
)
"""What the rules say of comments: a moderator reads them before they show (moderat*, moderador,
freigeschaltet, مراجعة), or they are the readers' views (看法, 立场). A council that "approved"
a plan readers left comments on is the story's."""
_MAX_POLICY_WORDS = 60
"""The rules run to a few sentences (cnn arabic's, 44 words); a longer line is the article's."""


def is_comment_policy(text: str, words: int) -> bool:
    """A site's rules for readers' comments ("Comentários com textos ininteligíveis … não serão
    aprovados pelo moderador", "Note: we are temporarily moderating all comments", "网友评论仅供其
    表达个人看法, 并不表明网易立场"): a short line naming readers' comments and how they are
    judged."""
    if words > _MAX_POLICY_WORDS:
        return False
    lowered = text.lower()
    if not any(hint in lowered for hint in _COMMENT_HINTS):
        return False
    return bool(_COMMENTS_RE.search(text) and _COMMENT_POLICY_RE.search(text))
