"""Who says what in an article, so "What did X say?" is only answered with X's own words.

A common near-miss for a lexical matcher is a question about the right people and topic but the
wrong speaker: "What did Lavrov tell reporters?" when the article only reports what Rubio told
Lavrov. Speakers are read off the text itself: the name (or the pronoun standing for the last
named speaker) just before a reporting verb ("Rubio said", "“...,” he noted",
"Zelenskyy’s office echoed").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from bot.article import ArticleText
from bot.language import english
from bot.text import Analyzer, english_frequencies, is_common_english_word, stem, tokens

REPORTING_VERB_STEMS = frozenset(stem(v) for v in english.REPORTING_VERBS)
"""``english.REPORTING_VERBS`` as questions and sentences are compared: stemmed."""
_WORD = re.compile(r"[\w’']+")
# Names keep their inner dots: "U.S." is one name, not the letters "U" and "S".
_NAME_WORD = re.compile(r"\w+(?:[.’']\w+)*\.?")
_LOOKBACK = 4
_LOOKAHEAD = 6
_PASSIVE_SUBJECT_WORDS = 5
NAME_MAX_FREQUENCY = 2000
"""A word rarer than this in English may be a name the knowledge has never seen ("putin");
"delegates" or "statement" are not."""
_PARENTHESISED = re.compile(r"\([^)]*\)")


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


class Attribution:
    """Speakers of each article sentence, and the speaker a question asks about."""

    def __init__(self, analyzer: Analyzer) -> None:
        self._analyzer = analyzer
        self.names: set[str] = set()
        """Canonical terms of capitalised words in the articles: the people and places."""
        self.people: set[str] = set()
        """Canonical terms of the people's names: who speaks, and who is named after a title."""
        self.titles: frozenset[str] = frozenset(
            t for w in english.TITLES for t in analyzer.terms(w)
        )
        self.affiliated: dict[str, set[str]] = {}
        """People who speak for a place: named after a title the place qualifies ("Russian
        Foreign Affairs Minister Sergei Lavrov"), or in an alias such as "Ukraine's president"."""
        self._name_counts: Counter[str] = Counter()
        self._pretitle_counts: Counter[str] = Counter()
        """How often each name occurs, and how often just before a title: a word seen only there
        ("Foreign" in "Foreign Affairs Minister") is part of the title, not a place."""
        self.title_people: dict[str, frozenset[str]] = {}
        """The first person named after each title ("president" -> Donald Trump)."""
        self._dates = frozenset(t for w in english.DATE_WORDS for t in analyzer.terms(w))
        self.known_terms: frozenset[str] | None = None
        """Every term of the knowledge base, once indexed: an unknown name is no one quoted."""

    def _name_terms(self, word: str) -> list[str]:
        return self._analyzer.terms(word)

    def sentence_speakers(self, article: ArticleText) -> list[frozenset[str]]:
        """For each sentence of ``article`` (in order), the canonical terms of who speaks."""
        last_speaker: frozenset[str] = frozenset()
        result: list[frozenset[str]] = []
        for sentence in article.sentences:
            words = _words(sentence.text)
            self._collect_names(sentence.text)
            speakers: set[str] = set()
            for index, word in enumerate(words):
                if stem(word.lower()) not in REPORTING_VERB_STEMS:
                    continue
                start = max(0, index - _LOOKBACK)
                for offset, previous in enumerate(reversed(words[start:index])):
                    lowered = previous.lower()
                    first_word = index - 1 - offset == 0
                    if (
                        first_word
                        and is_common_english_word(lowered)
                        and not set(self._name_terms(previous)) <= self.names
                    ):
                        break  # "Repairs were agreed, …": a sentence's first word, no name
                    if lowered in english.SPEAKER_PRONOUNS:
                        speakers.update(last_speaker)
                        break
                    if lowered in english.TITLES:  # "..., the mayor said": the mayor named before
                        speakers.update(self.people_in(lowered))
                        break
                    if previous[:1].isupper() and self._name_terms(previous):
                        speakers.update(self._name_terms(previous))
                        break
                    if lowered in english.ARTICLES:
                        break  # "…, the council said": the speaker is no one named
                    if lowered not in english.SKIPPABLE_BEFORE_SPEAKING and previous[:1].isupper():
                        break
                speakers.update(self._named_after(words[index + 1 :]))
            if speakers:
                last_speaker = frozenset(speakers)
                self.people.update(speakers - self.titles)
            result.append(frozenset(speakers))
        return result

    def _named_after(self, words: list[str]) -> set[str]:
        """Who is named in "... from/by <title> <Name>" right after a reporting word ("a stern
        warning from Secretary of State Marco Rubio")."""
        if not words or words[0].lower() not in english.NAMED_AFTER:
            return set()
        found: set[str] = set()
        for word in words[1 : 1 + _LOOKAHEAD]:
            if word.lower() == english.TITLE_JOINER:
                continue
            if not word[:1].isupper():
                break
            if word.lower() in english.DATE_WORDS:  # "announced by Friday": a deadline, no one
                break
            found.update(t for t in self._name_terms(word) if t not in self.titles)
        return found

    def _collect_names(self, sentence: str) -> None:
        """Adds the sentence's capitalised words to ``names``, titled names to ``people``, the
        first person named after each title to ``title_people``, and the places named before a
        title to ``affiliated`` ("U.S. President Donald Trump": the U.S. speaks through Trump)."""
        # Parenthesised credits such as "(Getty Images)" name no one in the story.
        run_titles: list[str] = []
        run_people: set[str] = set()
        run_places: set[str] = set()
        before: set[str] = set()  # capitalised words just before, which may name a place

        def end_run() -> None:
            for title in run_titles:
                if run_people and title not in self.title_people:
                    self.title_people[title] = frozenset(run_people)
            for place in run_places:
                self.affiliated.setdefault(place, set()).update(run_people)
            run_titles.clear()
            run_people.clear()
            run_places.clear()

        for position, word in enumerate(_NAME_WORD.findall(_PARENTHESISED.sub(" ", sentence))):
            lowered = word.lower()
            if lowered in english.TITLES:
                # Titles start a name in either case: "President Trump", "the mayor, Ada Brook".
                if run_people:
                    end_run()
                if not run_titles:
                    run_places.update(before)
                    self._pretitle_counts.update(before)
                run_titles.extend(self._name_terms(word))
                if word[:1].isupper() and position:
                    self.names.update(self._name_terms(word))
                continue
            if not word[:1].isupper():
                # "Secretary of State": "of" continues a title, any other lowercase word ends it.
                if lowered != english.TITLE_JOINER:
                    end_run()
                    before.clear()
                continue
            # A sentence's first word is capitalised anyway; count it only if it is no
            # ordinary English word ("Rubio emphasized" yes, "Despite growing" no).
            if position == 0 and is_common_english_word(lowered):
                continue
            terms = self._name_terms(word)
            self.names.update(terms)
            self._name_counts.update(terms)
            if run_titles:
                self.people.update(terms)
                run_people.update(terms)
            else:
                before.update(terms)
        end_run()
        self.people -= self.titles

    def add_alias_affiliations(self, alias_groups: Iterable[Sequence[str]]) -> None:
        """People whose aliases name a place ("us president", "russia's foreign minister")."""
        for group in alias_groups:
            person = self._analyzer.terms(group[0])
            if len(person) != 1 or person[0] not in self.people:
                continue
            for entry in group:
                for word in tokens(entry):
                    for term in self._name_terms(word):
                        if term in self.names and term not in self.people | self.titles:
                            self.affiliated.setdefault(term, set()).add(person[0])

    def _speaking_for(self, term: str) -> set[str]:
        """The people who speak for a place (none for a person: people speak for themselves)."""
        if term in self.people or term in self.titles:
            return set()
        if self._only_in_titles(term):
            return set()
        return self.affiliated.get(term, set())

    def _only_in_titles(self, term: str) -> bool:
        """A name seen only just before a title is part of it ("Foreign Affairs Minister")."""
        return 0 < self._name_counts[term] <= self._pretitle_counts[term]

    def people_in(self, text: str) -> frozenset[str]:
        """The people ``text`` names, by name or by a title ("the president's urgency")."""
        # Word by word too: people were collected that way, and an alias may join a first name
        # to the surname ("Volodymyr Zelenskyy" is one alias, "Volodymyr" alone a person term).
        words = tokens(text)
        terms = set(self._analyzer.terms(text))
        terms.update(t for word in words for t in self._name_terms(word))
        found = terms & self.people
        for word in words:
            # The title word itself, not its stem: "stated" is no "State" (Secretary of).
            if word in english.TITLE_REFERENCES:
                for title in self._name_terms(word):
                    found |= self.title_people.get(title, frozenset())
        return frozenset(found)

    def _reporting_verb(self, words: list[str]) -> int | None:
        """Where the question's reporting verb is, if it asks about someone's words."""
        inside = self._analyzer.phrase_positions(words)
        for index, word in enumerate(words):
            if stem(word) not in REPORTING_VERB_STEMS or index in inside:
                continue
            # "the diplomat mentioned in the piece" cites the article; "what did X say in the
            # piece" still asks for X's words.
            if word.endswith("ed") and english.ABOUT_THE_ARTICLE.match(
                " ".join(words[index + 1 : index + 4])
            ):
                continue
            return index
        return None

    def asks_about_words(self, question: str) -> bool:
        """Whether the question asks what someone said ("what did X say", "what was said")."""
        return self.reported(question)[0]

    def asked_speakers(self, question: str) -> frozenset[str]:
        """Names a question asks to hear from: "what did <names> say/tell/think ...".

        Empty when the question has no reporting verb or names no one before it, in which case
        attribution does not constrain the answer.
        """
        return self.reported(question)[1]

    def reported(self, question: str) -> tuple[bool, frozenset[str]]:
        """Whether the question asks about someone's words, and whose (see ``asked_speakers``)."""
        words = tokens(question)  # cleaned: no @mentions, links or curly quotes
        index = self._reporting_verb(words)
        if index is None:
            return False, frozenset()
        # "What did Rubio say", or "what was said by/between Trump and Vance". In the passive
        # ("Why were the Paris talks described as…?") what comes before is what was talked
        # about: only "by…" names the speaker.
        after = words[index + 1 :]
        passive = self._is_passive(words, index)
        asking = ([] if passive else words[:index]) + (
            after[1:_LOOKAHEAD] if after and after[0] in english.AGENT_WORDS else []
        )
        terms = self._analyzer.terms(" ".join(asking), correct_typos=True)
        # A word the knowledge has never seen speaks only if it looks like a name: capitalised
        # in the question, or rare in English ("putin", not "delegates").
        capitalised = {w.lower() for w in _words(question)[1:] if w[:1].isupper()}
        frequencies = english_frequencies()
        name_like = {
            t
            for w in asking
            if w in capitalised or frequencies.get(w, 0) < NAME_MAX_FREQUENCY
            for t in self._analyzer.terms(w, correct_typos=True)
        }
        # A place speaks through its people: "what did the Kremlin say" asks for Lavrov.
        return True, frozenset(
            who
            for t in terms
            if self._could_speak(t, name_like)
            for who in (self._speaking_for(t) or {t})
        )

    def _is_passive(self, words: list[str], index: int) -> bool:
        """Whether the reporting verb at ``index`` is passive: "what was said", "why were the
        talks described", "how was the reception described by Rubio". Not when someone stands
        just before the verb ("What was the number Rubio mentioned?") or a clause of its own
        holds it ("Is it true that Rubio said…?")."""
        verb = words[index]
        if not (verb.endswith("ed") or verb in english.IRREGULAR_PARTICIPLES):
            return False
        before = words[max(0, index - _PASSIVE_SUBJECT_WORDS) : index]
        be = max((i for i, word in enumerate(before) if word in english.BE_FORMS), default=None)
        if be is None:
            return False
        between = before[be + 1 :]
        if not between:
            return True
        subject_end = between[-1]
        if subject_end in english.PERFECT_AUXILIARIES:  # "What was Rubio reported to have said?"
            return False
        speaks = subject_end in english.SPEAKER_PRONOUNS or bool(
            set(self._analyzer.terms(subject_end)) & (self.names | self.people)
        )
        return not speaks and english.CLAUSE_STARTS.isdisjoint(between)

    def _could_speak(self, term: str, name_like: set[str]) -> bool:
        # People speak, and places through their people; a title alone ("what did the
        # president say") names no one in particular. A name-like word the knowledge has never
        # seen ("What has Putin said?") names someone it does not quote.
        # Nor does a day or a month ("Thursday's talks were described as…").
        if term in self.titles or self._only_in_titles(term) or term in self._dates:
            return False
        if term in self.names:
            return True
        known = self.known_terms
        return known is not None and term not in known and term in name_like

def speakers_of_spans(
    spans: Iterable[tuple[int, int]], article: ArticleText, speakers: list[frozenset[str]]
) -> frozenset[str]:
    """Everyone speaking in the sentences that the given character spans overlap."""
    found: set[str] = set()
    for start, end in spans:
        for index in article.sentences_overlapping(start, end):
            found.update(speakers[index])
    return frozenset(found)
