"""The structure of an article's text: paragraphs, section headings and sentences.

Everything here is derived from the plain text, so a curator only ships the article verbatim and
citations can still say "paragraph 6, section 'Talks with Ukraine Show Signs of Movement'".
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cached_property

from bot.language import english

_SENTENCE_END = re.compile(r"[.!?…][\"”’)]*")
# "U.S." or "J.D." end with a dot but rarely end a sentence in news copy.
_INITIALISM = re.compile(r"(?:\b[A-Z]\.){2,}$")
_WORD = re.compile(r"[\w’'-]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph of body text (or a photo caption), numbered from 1."""

    number: int
    start: int
    end: int
    text: str
    section: str | None
    is_caption: bool


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence inside a paragraph, with offsets into the whole article."""

    paragraph: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Heading:
    """A section heading line."""

    start: int
    end: int
    text: str


def looks_like_heading(line: str) -> bool:
    """True for short Title Case lines such as 'Clock Ticking on Peace Efforts'."""
    words = _WORD.findall(line)
    if not words or len(words) > 12 or line.rstrip().endswith((".", ",", ";", ":", "”", '"')):
        return False
    significant = [w for w in words if w.lower() not in english.TITLE_CASE_MINOR_WORDS]
    capitalised = [w for w in significant if w[0].isupper() or w[0].isdigit()]
    return bool(significant) and len(capitalised) == len(significant)


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Split ``text`` into sentence spans (absolute offsets, surrounding whitespace excluded)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        rest = text[end:]
        if rest and not rest[0].isspace():
            continue
        following = rest.lstrip()
        # A parenthesised credit such as "(Getty Images)" belongs to the sentence before it.
        if following and not (following[0].isupper() or following[0] in "“\"‘'0123456789"):
            continue
        sentence_so_far = text[start : match.start() + 1]
        if _INITIALISM.search(sentence_so_far) and len(_WORD.findall(sentence_so_far)) < 3:
            continue
        spans.append((start, end))
        start = end
    if text[start:].strip():
        spans.append((start, len(text)))
    result = []
    for s, e in spans:
        chunk = text[s:e]
        lead = len(chunk) - len(chunk.lstrip())
        trail = len(chunk) - len(chunk.rstrip())
        if chunk.strip():
            result.append((offset + s + lead, offset + e - trail))
    return result


@dataclass(frozen=True)
class ArticleText:
    """An article's verbatim text and the structure derived from it."""

    text: str
    paragraphs: tuple[Paragraph, ...]
    headings: tuple[Heading, ...]
    sentences: tuple[Sentence, ...]

    @classmethod
    def parse(cls, text: str, caption_paragraphs: frozenset[int] = frozenset()) -> ArticleText:
        """Derive paragraphs (one per non-empty line), headings and sentences from ``text``."""
        paragraphs: list[Paragraph] = []
        headings: list[Heading] = []
        sentences: list[Sentence] = []
        section: str | None = None
        position = 0
        for raw_line in text.splitlines(keepends=True):
            line_start = position
            position += len(raw_line)
            line = raw_line.rstrip("\r\n")
            stripped = line.strip()
            if not stripped:
                continue
            start = line_start + line.index(stripped[0])
            end = start + len(stripped)
            if looks_like_heading(stripped):
                headings.append(Heading(start, end, stripped))
                section = stripped
                continue
            number = len(paragraphs) + 1
            paragraphs.append(
                Paragraph(number, start, end, stripped, section, number in caption_paragraphs)
            )
            for s, e in split_sentences(stripped, start):
                sentences.append(Sentence(number, s, e, text[s:e]))
        return cls(text, tuple(paragraphs), tuple(headings), tuple(sentences))

    def paragraph_at(self, offset: int) -> Paragraph | None:
        """The paragraph that contains character ``offset``, if any."""
        for paragraph in self.paragraphs:
            if paragraph.start <= offset < paragraph.end:
                return paragraph
        return None

    def section_opened_at(self, start: int, end: int) -> Paragraph | None:
        """For a span inside a heading, the first paragraph of the section that heading opens.

        Citing a heading points readers at its section; a heading with no paragraph under it
        cannot be cited.
        """
        for heading in self.headings:
            if heading.start <= start and end <= heading.end:
                return next((p for p in self.paragraphs if p.start > heading.end), None)
        return None

    @cached_property
    def _sentence_ends(self) -> list[int]:
        return [sentence.end for sentence in self.sentences]

    def sentences_overlapping(self, start: int, end: int) -> range:
        """Indexes (into ``sentences``) of the sentences that share text with ``[start, end)``."""
        first = bisect.bisect_right(self._sentence_ends, start)
        last = first
        while last < len(self.sentences) and self.sentences[last].start < end:
            last += 1
        return range(first, last)

    def find_all(self, quote: str) -> list[int]:
        """Every start offset at which ``quote`` occurs verbatim."""
        found: list[int] = []
        at = self.text.find(quote)
        while at != -1 and quote:
            found.append(at)
            at = self.text.find(quote, at + 1)
        return found
