"""Paragraphs, sections and sentences derived from an article's plain text."""

from __future__ import annotations

import pytest

from bot.article import ArticleText, looks_like_heading, split_sentences
from bot.knowledge import KnowledgeBase

SHIPPED_HEADINGS = [
    "Clock Ticking on Peace Efforts",
    "Talks with Ukraine Show Signs of Movement",
    "High-Level Meetings in Paris Offer Hope",
    "Russian Diplomacy Still in the Picture",
    "Peace in Sight or a Fading Promise?",
]


@pytest.fixture(scope="module")
def article(knowledge: KnowledgeBase) -> ArticleText:
    return knowledge.sources["peace-talks"].article


def test_shipped_article_has_thirteen_paragraphs_under_five_headings(article: ArticleText) -> None:
    assert len(article.paragraphs) == 13
    assert [h.text for h in article.headings] == SHIPPED_HEADINGS
    assert [p.number for p in article.paragraphs] == list(range(1, 14))


def test_only_the_photo_caption_is_marked_as_caption(article: ArticleText) -> None:
    captions = [p.number for p in article.paragraphs if p.is_caption]

    assert captions == [1]
    assert article.paragraphs[0].text.startswith("An injured man wrapped in a survival blanket")


def test_paragraphs_belong_to_the_heading_above_them(article: ArticleText) -> None:
    sections = [p.section for p in article.paragraphs]

    assert sections == [
        None,
        None,
        None,
        "Clock Ticking on Peace Efforts",
        "Clock Ticking on Peace Efforts",
        "Talks with Ukraine Show Signs of Movement",
        "Talks with Ukraine Show Signs of Movement",
        "High-Level Meetings in Paris Offer Hope",
        "Russian Diplomacy Still in the Picture",
        "Russian Diplomacy Still in the Picture",
        "Peace in Sight or a Fading Promise?",
        "Peace in Sight or a Fading Promise?",
        "Peace in Sight or a Fading Promise?",
    ]


def test_paragraph_and_sentence_offsets_point_at_their_own_text(article: ArticleText) -> None:
    for paragraph in article.paragraphs:
        assert article.text[paragraph.start : paragraph.end] == paragraph.text
        assert article.paragraph_at(paragraph.start) == paragraph
        assert article.paragraph_at(paragraph.end - 1) == paragraph
    for sentence in article.sentences:
        paragraph = article.paragraphs[sentence.paragraph - 1]
        assert article.text[sentence.start : sentence.end] == sentence.text
        assert paragraph.start <= sentence.start < sentence.end <= paragraph.end


def test_headings_are_not_inside_any_paragraph(article: ArticleText) -> None:
    for heading in article.headings:
        assert article.paragraph_at(heading.start) is None
        assert article.text[heading.start : heading.end] == heading.text


def test_us_president_does_not_end_a_sentence(article: ArticleText) -> None:
    second = [s.text for s in article.sentences if s.paragraph == 2]

    assert second[0] == (
        "U.S. President Donald Trump has hinted at pulling back from peace negotiations between "
        "Russia and Ukraine."
    )
    assert len(second) == 2


def test_photo_credit_stays_with_the_caption_sentence(article: ArticleText) -> None:
    caption = [s.text for s in article.sentences if s.paragraph == 1]

    assert len(caption) == 1
    assert caption[0].endswith("as the Russian invasion continues. (Getty Images)")


def test_quoted_remark_ending_in_a_closing_quote_is_its_own_sentence(
    article: ArticleText,
) -> None:
    fifth = [s.text for s in article.sentences if s.paragraph == 5]

    assert fifth == [
        "Rubio emphasized the president’s urgency.",
        "“He’s put a lot of time and energy into this,” Rubio said.",
        "“But we have other pressing matters that also need attention.”",
    ]


def test_every_paragraph_is_covered_by_its_sentences(article: ArticleText) -> None:
    for paragraph in article.paragraphs:
        sentences = [s for s in article.sentences if s.paragraph == paragraph.number]
        assert sentences, paragraph.number
        assert sentences[0].start == paragraph.start
        assert sentences[-1].end == paragraph.end
    assert len(article.sentences) == 32


def test_windows_line_endings_give_the_same_paragraphs() -> None:
    unix = "Title Of The Piece\nFirst paragraph here.\n\nSecond one. Two sentences.\n"
    windows = unix.replace("\n", "\r\n")

    parsed_unix = ArticleText.parse(unix)
    parsed_windows = ArticleText.parse(windows)

    assert [p.text for p in parsed_windows.paragraphs] == [p.text for p in parsed_unix.paragraphs]
    for paragraph in parsed_windows.paragraphs:
        assert windows[paragraph.start : paragraph.end] == paragraph.text
    assert [s.text for s in parsed_windows.sentences] == [
        "First paragraph here.",
        "Second one.",
        "Two sentences.",
    ]


def test_indented_paragraph_offsets_skip_the_indentation() -> None:
    parsed = ArticleText.parse("   Indented text here.   \n")

    (paragraph,) = parsed.paragraphs
    assert paragraph.text == "Indented text here."
    assert parsed.text[paragraph.start : paragraph.end] == "Indented text here."


def test_find_all_returns_every_occurrence() -> None:
    parsed = ArticleText.parse("The talks began. The talks ended.\n")

    assert parsed.find_all("The talks") == [0, 17]
    assert parsed.find_all("absent") == []
    assert parsed.find_all("") == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Clock Ticking on Peace Efforts", True),
        ("Peace in Sight or a Fading Promise?", True),
        ("High-Level Meetings in Paris Offer Hope", True),
        ("Rubio summed up the current stance.", False),
        ("Trump once promised to end the war", False),
        ("Key Points:", False),
        ("A Very Long Title Case Line That Has Far Too Many Words To Be A Real Heading", False),
        ("", False),
    ],
)
def test_heading_detection(line: str, expected: bool) -> None:
    assert looks_like_heading(line) is expected


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("He left. She stayed.", ["He left.", "She stayed."]),
        ("Is it over? No! Not yet…", ["Is it over?", "No!", "Not yet…"]),
        ("U.S. Officials met. Then it ended.", ["U.S. Officials met.", "Then it ended."]),
        ("Prices rose 3.5 percent. Then fell.", ["Prices rose 3.5 percent.", "Then fell."]),
        ("“It’s done,” he said. “Now wait.”", ["“It’s done,” he said.", "“Now wait.”"]),
        ("He said no. 24 hours later, yes.", ["He said no.", "24 hours later, yes."]),
        ("No final punctuation", ["No final punctuation"]),
    ],
)
def test_sentence_splitting(text: str, sentences: list[str]) -> None:
    spans = split_sentences(text)

    assert [text[s:e] for s, e in spans] == sentences


def test_sentence_spans_are_shifted_by_the_offset() -> None:
    assert split_sentences("One. Two.", offset=100) == [(100, 104), (105, 109)]


def test_sentences_overlapping_a_span() -> None:
    text = "A Heading Line\nOne two. Three four. Five six.\n"
    parsed = ArticleText.parse(text)
    middle = text.index("two")
    across = (text.index("two"), text.index("four") + 4)

    assert [parsed.sentences[i].text for i in parsed.sentences_overlapping(*across)] == [
        "One two.",
        "Three four.",
    ]
    assert list(parsed.sentences_overlapping(middle, middle + 3)) == [0]
    assert list(parsed.sentences_overlapping(0, len("A Heading Line"))) == []  # a heading
