"""Loading and validating the curated knowledge base.

Layout of a knowledge directory::

    knowledge/
      aliases.yaml                 # optional: synonym groups, chat noise, extra stopwords
      sources/<source-id>/
        source.yaml                # label, what is known and unknown about the source
        article.txt                # the article, verbatim
        facts.yaml                 # the curated facts, each quoting the article exactly

Every problem is collected (not just the first) and reported with the file, the fact id and the
field, so a curator can fix a whole file in one pass.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from rapidfuzz import fuzz

from bot.article import ArticleText, Paragraph
from bot.text import stem, tokens

MAX_FILE_BYTES = 5_000_000
"""Knowledge files above this size are refused: no hand-curated file is this big."""

Identifier = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$"),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
# A file beside source.yaml: a plain name, so a source can never read outside its directory.
FileName = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$")
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceMeta(_Strict):
    """``source.yaml``: what the article is and what is (not) known about it."""

    id: Identifier
    label: ShortText
    article: FileName = "article.txt"
    facts: FileName = "facts.yaml"
    known: dict[ShortText, ShortText | list[ShortText]] = Field(default_factory=dict)
    unknown: list[ShortText] = Field(default_factory=list)
    caption_paragraphs: list[Annotated[int, Field(ge=1)]] = Field(default_factory=list)
    description: Text | None = None
    examples: list[ShortText] = Field(default_factory=list)
    """Questions shown to newcomers (/start, declines), each one of the facts' questions so it
    can become a button; the first question of each topic when empty."""


class Fact(_Strict):
    """One curated fact: a faithful answer line backed by verbatim quotes."""

    id: Identifier
    topic: ShortText
    answer: Text
    quotes: Annotated[list[Text], Field(min_length=1, max_length=3)]
    questions: list[ShortText] = Field(default_factory=list)
    """Curated alternate wordings; optional: a fact with quotes only is found by its quotes'
    words and meaning."""
    keywords: list[ShortText] = Field(default_factory=list)


class FactFile(_Strict):
    """``facts.yaml``."""

    facts: Annotated[list[Fact], Field(min_length=1)]


class AliasFile(_Strict):
    """``aliases.yaml``: synonym groups (first entry canonical), chat noise, extra stopwords."""

    groups: list[Annotated[list[ShortText], Field(min_length=2)]] = Field(default_factory=list)
    noise: list[ShortText] = Field(default_factory=list)
    stopwords_extra: list[ShortText] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in the knowledge base, located precisely enough to fix."""

    file: str
    message: str
    fact_id: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.fact_id:
            where += f", fact '{self.fact_id}'"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class KnowledgeError(Exception):
    """The knowledge base cannot be loaded; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    """Where one of a fact's quotes sits in its article."""

    text: str
    start: int
    end: int
    paragraph: Paragraph
    """The paragraph holding the quote; for a heading, the first paragraph of its section."""
    is_heading: bool = False


@dataclass(frozen=True, slots=True)
class LoadedFact:
    """A validated fact together with its source and located quotes."""

    fact: Fact
    source_id: str
    spans: tuple[QuoteSpan, ...]

    @property
    def id(self) -> str:
        return self.fact.id


@dataclass(frozen=True)
class Source:
    """One article with its metadata and facts."""

    meta: SourceMeta
    article: ArticleText
    facts: tuple[LoadedFact, ...]
    directory: Path
    aliases: AliasFile = field(default_factory=AliasFile)
    """This article's own vocabulary (``sources/<id>/aliases.yaml``): it never changes how
    another article's questions are matched."""


@dataclass(frozen=True)
class KnowledgeBase:
    """Every source, fact and alias the engine answers from."""

    sources: dict[str, Source]
    facts: tuple[LoadedFact, ...]
    aliases: AliasFile
    directory: Path
    facts_by_id: dict[str, LoadedFact]

    def fact(self, fact_id: str) -> LoadedFact | None:
        """The fact with ``fact_id``, if it exists."""
        return self.facts_by_id.get(fact_id)

    def for_source(self, source_id: str) -> KnowledgeBase:
        """One source alone (with the shared vocabulary; the source brings its own aliases)."""
        source = self.sources[source_id]
        return KnowledgeBase(
            {source_id: source},
            source.facts,
            self.aliases,
            self.directory,
            {fact.id: fact for fact in source.facts},
        )


def merge_aliases(shared: AliasFile, own: AliasFile) -> AliasFile:
    """The language-wide alias file with one article's own entries added."""
    return AliasFile(
        groups=[*shared.groups, *own.groups],
        noise=[*shared.noise, *own.noise],
        stopwords_extra=[*shared.stopwords_extra, *own.stopwords_extra],
    )


# libyaml's C parser when PyYAML was built with it (about ten times faster on large files).
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """Safe loader that refuses duplicate mapping keys instead of keeping the last one."""


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain value, not a list or mapping",
                key_node.start_mark,
            ) from None
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    loader.flatten_mapping(node)
    return dict(loader.construct_pairs(node))


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_unique_mapping,
)


def read_text_file(path: Path, display: str) -> str:
    """Read a UTF-8 text file, turning every way it can fail into one clear ``KnowledgeError``."""
    try:
        status = path.stat()
    except FileNotFoundError:
        raise KnowledgeError([Problem(display, "file not found")]) from None
    except OSError as exc:
        raise KnowledgeError([Problem(display, f"cannot read: {exc.strerror}")]) from None
    # Devices and pipes (e.g. a link to /dev/zero) would never end or never return.
    if not stat.S_ISREG(status.st_mode):
        raise KnowledgeError([Problem(display, "not a regular file")])
    if status.st_size > MAX_FILE_BYTES:
        raise KnowledgeError(
            [Problem(display, f"file is {status.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,}")]
        )
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)  # the size can change after stat()
    except OSError as exc:
        raise KnowledgeError([Problem(display, f"cannot read: {exc.strerror}")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise KnowledgeError(
            [Problem(display, f"file is over the limit of {MAX_FILE_BYTES:,} bytes")]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise KnowledgeError(
            [Problem(display, f"not valid UTF-8 (byte {exc.start}, line {line}); save as UTF-8")]
        ) from None
    if "\x00" in text:
        raise KnowledgeError([Problem(display, "contains NUL bytes; is this a binary file?")])
    return text


def read_yaml_file(path: Path, display: str) -> Any:
    """Parse a YAML file safely, refusing duplicate keys, with line numbers in errors."""
    text = read_text_file(path, display)
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass: safe
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise KnowledgeError(
            [Problem(display, f"invalid YAML at {where}{exc.problem or exc}")]
        ) from None
    except yaml.YAMLError as exc:
        raise KnowledgeError([Problem(display, f"invalid YAML: {exc}")]) from None


def _field_path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + item)
    return "".join(parts) or "(top level)"


def _validation_problems(
    exc: ValidationError, display: str, raw: Any, list_key: str | None = None
) -> list[Problem]:
    """Turn pydantic errors into problems naming the fact id and field."""
    problems: list[Problem] = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        fact_id: str | None = None
        field_loc = loc
        if list_key and len(loc) >= 2 and loc[0] == list_key and isinstance(loc[1], int):
            items = raw.get(list_key) if isinstance(raw, dict) else None
            item = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
            raw_id = item.get("id") if isinstance(item, dict) else None
            fact_id = str(raw_id) if raw_id is not None else f"#{loc[1] + 1}"
            field_loc = loc[2:]
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown key (check the spelling)"
        elif error["type"] == "missing":
            message = "required but missing"
        problems.append(Problem(display, message, fact_id, _field_path(field_loc) or None))
    return problems


def closest_span(quote: str, text: str) -> tuple[str, float]:
    """The part of ``text`` most similar to ``quote`` and how similar it is (0-100)."""
    alignment = fuzz.partial_ratio_alignment(quote, text)
    if alignment is None:
        return "", 0.0
    return text[alignment.dest_start : alignment.dest_end], alignment.score


def _quote_problem(quote: str, article: ArticleText) -> str:
    closest, score = closest_span(quote, article.text)
    hint = ""
    if re.search(r"[\"']", quote) and re.search(r"[“”’]", closest):
        hint = " (the article uses curly quotes “ ” and ’)"
    if not closest:
        return "quote is not in the article"
    return f"quote is not in the article; closest text ({score:.0f}% similar): «{closest}»{hint}"


def locate_quotes(
    fact: Fact, source_id: str, article: ArticleText, display: str
) -> tuple[LoadedFact | None, list[Problem]]:
    spans: list[QuoteSpan] = []
    problems: list[Problem] = []
    for index, quote in enumerate(fact.quotes):
        offsets = article.find_all(quote)
        if not offsets:
            problems.append(
                Problem(display, _quote_problem(quote, article), fact.id, f"quotes[{index}]")
            )
            continue
        start = offsets[0]
        end = start + len(quote)
        paragraph = article.paragraph_at(start)
        is_heading = paragraph is None
        if paragraph is None:
            paragraph = article.section_opened_at(start, end)
        elif end > paragraph.end:
            paragraph = None
        if paragraph is None:
            problems.append(
                Problem(
                    display,
                    "quote must lie inside one paragraph or one section heading",
                    fact.id,
                    f"quotes[{index}]",
                )
            )
            continue
        spans.append(QuoteSpan(article.text[start:end], start, end, paragraph, is_heading))
    if problems:
        return None, problems
    return LoadedFact(fact, source_id, tuple(spans)), []


def _load_source(directory: Path, root: Path) -> tuple[Source | None, list[Problem]]:
    meta_display = str((directory / "source.yaml").relative_to(root.parent))
    try:
        raw_meta = read_yaml_file(directory / "source.yaml", meta_display)
    except KnowledgeError as exc:
        return None, exc.problems
    try:
        meta = SourceMeta.model_validate(raw_meta)
    except ValidationError as exc:
        return None, _validation_problems(exc, meta_display, raw_meta)

    article_display = str((directory / meta.article).relative_to(root.parent))
    facts_display = str((directory / meta.facts).relative_to(root.parent))
    problems: list[Problem] = []
    try:
        article_text = read_text_file(directory / meta.article, article_display)
    except KnowledgeError as exc:
        return None, exc.problems
    article = ArticleText.parse(article_text, frozenset(meta.caption_paragraphs))
    if not article.paragraphs:
        return None, [Problem(article_display, "the article has no paragraphs")]
    for number in meta.caption_paragraphs:
        if number > len(article.paragraphs):
            problems.append(
                Problem(
                    meta_display,
                    f"paragraph {number} does not exist (the article has "
                    f"{len(article.paragraphs)})",
                    field="caption_paragraphs",
                )
            )

    try:
        raw_facts = read_yaml_file(directory / meta.facts, facts_display)
    except KnowledgeError as exc:
        return None, problems + exc.problems
    try:
        fact_file = FactFile.model_validate(raw_facts)
    except ValidationError as exc:
        return None, problems + _validation_problems(exc, facts_display, raw_facts, "facts")

    curated = {question for fact in fact_file.facts for question in fact.questions}
    for index, example in enumerate(meta.examples):
        if example not in curated:
            problems.append(
                Problem(
                    meta_display,
                    f"example {example!r} is not one of the facts' questions",
                    field=f"examples[{index}]",
                )
            )
    loaded: list[LoadedFact] = []
    for fact in fact_file.facts:
        located, fact_problems = locate_quotes(fact, meta.id, article, facts_display)
        problems.extend(fact_problems)
        if located:
            loaded.append(located)
        for field_name, items in (("questions", fact.questions), ("keywords", fact.keywords)):
            seen: set[str] = set()
            for index, item in enumerate(items):
                key = item.casefold()
                if key in seen:
                    problems.append(
                        Problem(facts_display, f"duplicate entry {item!r}", fact.id,
                                f"{field_name}[{index}]")
                    )
                seen.add(key)
    own_aliases = AliasFile()
    alias_path = directory / "aliases.yaml"
    if alias_path.exists() or alias_path.is_symlink():
        alias_display = str(alias_path.relative_to(root.parent))
        own_aliases, alias_problems = read_alias_file(alias_path, alias_display)
        problems.extend(alias_problems)
    if problems:
        return None, problems
    return Source(meta, article, tuple(loaded), directory, own_aliases), []


def source_directories(root: Path) -> Iterator[Path]:
    """Each ``sources/<id>/`` directory holding a ``source.yaml``, in name order."""
    sources = root / "sources"
    if sources.is_dir():
        for child in sorted(sources.iterdir()):
            if child.is_dir() and (child / "source.yaml").exists():
                yield child


def load_knowledge(directory: Path) -> KnowledgeBase:
    """Load and validate a knowledge directory, raising ``KnowledgeError`` with every problem."""
    root = directory.resolve()
    if not root.is_dir():
        raise KnowledgeError([Problem(str(directory), "knowledge directory not found")])
    problems: list[Problem] = []

    aliases = AliasFile()
    alias_path = root / "aliases.yaml"
    if alias_path.exists():
        aliases, alias_problems = read_alias_file(
            alias_path, str(alias_path.relative_to(root.parent))
        )
        problems.extend(alias_problems)

    sources: dict[str, Source] = {}
    fact_homes: dict[str, str] = {}
    directories = list(source_directories(root))
    if not directories:
        problems.append(
            Problem(str(directory), "no sources found (expected sources/<id>/source.yaml)")
        )
    for source_dir in directories:
        source, source_problems = _load_source(source_dir, root)
        problems.extend(source_problems)
        if source is None:
            continue
        if source.meta.id in sources:
            problems.append(
                Problem(
                    str((source_dir / "source.yaml").relative_to(root.parent)),
                    f"source id '{source.meta.id}' is already used by "
                    f"{sources[source.meta.id].directory.name}",
                    field="id",
                )
            )
            continue
        for fact in source.facts:
            if fact.id in fact_homes:
                problems.append(
                    Problem(
                        str((source_dir / source.meta.facts).relative_to(root.parent)),
                        f"duplicate fact id (also in source '{fact_homes[fact.id]}')"
                        if fact_homes[fact.id] != source.meta.id
                        else "duplicate fact id",
                        fact.id,
                        "id",
                    )
                )
            fact_homes[fact.id] = source.meta.id
        sources[source.meta.id] = source
    for source in sources.values():
        if source.aliases.groups:
            display = str((source.directory / "aliases.yaml").relative_to(root.parent))
            merged = merge_aliases(aliases, source.aliases)
            # An article's alias may not give a shared word a second meaning either.
            problems.extend(_alias_conflicts(merged, display, first=len(aliases.groups)))
    if problems:
        raise KnowledgeError(problems)
    facts = tuple(fact for source in sources.values() for fact in source.facts)
    return KnowledgeBase(sources, facts, aliases, root, {fact.id: fact for fact in facts})


def read_alias_file(path: Path, display: str) -> tuple[AliasFile, list[Problem]]:
    """Read and validate one ``aliases.yaml`` (shared or a source's own)."""
    raw: Any = None
    try:
        raw = read_yaml_file(path, display)
        aliases = AliasFile.model_validate(raw or {})
    except KnowledgeError as exc:
        return AliasFile(), exc.problems
    except ValidationError as exc:
        return AliasFile(), _validation_problems(exc, display, raw)
    return aliases, _alias_conflicts(aliases, display)


def _alias_conflicts(aliases: AliasFile, display: str, first: int = 0) -> list[Problem]:
    """An alias that belongs to two groups would map to two meanings; refuse it.

    Only entries of groups from ``first`` on are reported, numbered from there (a source's own
    file merged after the shared one)."""
    owner: dict[tuple[str, ...], int] = {}
    problems: list[Problem] = []
    for group_index, group in enumerate(aliases.groups):
        for entry_index, entry in enumerate(group):
            # Compare as retrieval will match them: cleaned and stemmed ("U.S." == "us",
            # "photograph" == "photographer").
            key = tuple(stem(t) for t in tokens(entry))
            if key in owner and owner[key] != group_index and group_index >= first:
                problems.append(
                    Problem(
                        display,
                        f"{entry!r} is also in "
                        + (f"group {owner[key] + 1 - first}" if owner[key] >= first
                           else f"group {owner[key] + 1} of the shared aliases.yaml")
                        + "; an alias can have only one meaning",
                        field=f"groups[{group_index - first}][{entry_index}]",
                    )
                )
            owner.setdefault(key, group_index)
    return problems
