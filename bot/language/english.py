"""English: the word lists and patterns the engine reads, each list once.

Knowledge about one article (its aliases, its people) lives with that article under
``knowledge/sources/<id>/``; what is here is true of English wherever it is asked.
"""

from __future__ import annotations

import re

QUESTION_WORDS = frozenset(
    """
    who whom whose what whats which when where why how is are was were do does did can could
    will would should has have had
    """.split()
)
"""Words that open a question ("is it…", "did he…" only as the first word)."""

WH_WORDS = frozenset("who whom whose what whats which when where why how".split())
"""Question words that may follow a short lead-in ("seriously tho, how did…")."""

CONTENT_FREE_WORDS = WH_WORDS | frozenset(
    """
    that this it these those there then so mean meant happen happened happening go going
    thing things one else more about exactly really tho though bro again
    """.split()
)
"""Words that ask something but name nothing: a question made only of these and stopwords
("why?", "who said that?", "what happened then?") says nothing to look up."""

_SMALL_TALK_PHRASES = (
    # greetings
    r"hi|hii+|hello|hey|heya|hiya|yo|sup|whats up|wassup|good (?:morning|afternoon|evening|day)"
    r"|greetings|howdy|hola|privet|salut|gm|gn|good night"
    # how are you
    r"|how (?:are|r) (?:you|u|ya)(?: (?:doing|today|tonight))*"
    r"|how (?:is |s )?(?:it going|your day(?: going)?|things)|hows (?:it going|your day(?: going)?)"
    r"|how do you do|how you doing|you ok"
    r"|are you (?:ok|okay|there|alive|a bot|human|real)"
    # thanks and goodbyes
    r"|thanks|thank you|thx|ty|tysm|cheers|much appreciated|thanks a lot|thank you so much"
    r"|bye|goodbye|see you|see ya|cya|later|good bye"
    # acknowledgements
    r"|ok|okay|k|kk|cool|nice|great|awesome|got it|i see|lol|lmao|haha|hahaha|yes|no|yep|nope"
    r"|sure|alright|fine|wow|oh|hmm|test|testing"
    # about the bot itself
    r"|who are you|what are you|what can you do|what do you do|help me|tell me a joke"
    r"|tell me something funny|say something|are you smart|i love you|you are (?:great|smart"
    r"|dumb|stupid|useless|awesome)|good bot|bad bot"
)
_POLITE = r"(?:please|pls|bot|citebot|buddy|mate|man|dude|guys|there|again|everyone|all)"
SMALL_TALK = re.compile(
    rf"^(?:(?:{_POLITE}|{_SMALL_TALK_PHRASES})\s*)+$"
)
"""A message made only of greetings, thanks, "how are you" and the like (cleaned text):
small talk gets a friendly line about what the bot is for, never a fact."""


# --- words that carry no content -----------------------------------------------------------

# English function words and question filler. Kept small on purpose: words such as "when",
# "who" or "next" are dropped too, because the article's facts are found by their content words.
# "much" and "many" come with "how" ("how many days…?"): what they ask for (a number, a duration)
# is checked against the quotes by the answer-type checks, not looked up as a word.
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does
    doesn't doing don't down during each either few for from further had hadn't has hasn't have
    haven't having he he'd he'll he's her here here's hers herself him himself his how how's i
    i'd i'll i'm i've if in into is isn't it it's its itself let's me more most mustn't my myself
    no nor not of off on once only or other ought our ours ourselves out over own same shan't she
    she'd she'll she's should shouldn't so some such than that that's the their theirs them
    themselves then there there's these they they'd they'll they're they've this those through to
    too under until up very was wasn't we we'd we'll we're we've were weren't what what's when
    when's where where's which while who who's whom why why's will with won't would wouldn't you
    you'd you'll you're you've your yours yourself yourselves
    s t d ll m re ve just really actually even anything something thing things stuff
    tell told say says said saying know knows let please thanks thank ask asked want wants
    article story piece text mentioned mention mentions according news does did get got
    much many
    """.split()
) - {"who", "who's", "when", "when's", "why", "why's", "where", "where's"}

TITLE_CASE_MINOR_WORDS = frozenset(
    "a an and as at but by for from in into of on or the to with vs via nor".split()
)
"""Words that stay lowercase in Title Case headings."""


# --- days and months -------------------------------------------------------------------------

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)
RELATIVE_DAYS = ("today", "yesterday", "tomorrow")
DATE_WORDS = frozenset(WEEKDAYS + MONTHS)
"""Days and months: they name when, never who ("Thursday's talks", "announced by Friday")."""


# --- who says what (``bot.attribution``) ---------------------------------------------------

REPORTING_VERBS = frozenset(
    """
    say said says tell told tells state stated states note noted notes describe described
    emphasize emphasized emphasise emphasised admit admitted stress stressed echo echoed
    reveal revealed warn warned clarify clarified brief briefed mention mentioned hint hinted
    promise promised suggest suggested believe believed sum summed call calling express
    expressing add added insist insisted argue argued claim claimed announce announced explain
    explained react reacted respond responded reply replied comment commented think thought
    speak spoke speaking response reaction
    """.split()
)
"""Words that report someone's words: the name just before one is its speaker ("Rubio said")."""

ABOUT_THE_ARTICLE = re.compile(
    r"(?:in|by) (?:the |this )?(?:article|piece|story|text|report|news|caption)\b"
)
"""What follows a reporting verb that cites the article itself ("mentioned in the piece")."""

ARTICLES = frozenset({"the", "a", "an"})
SPEAKER_PRONOUNS = frozenset({"he", "she", "they"})
"""Pronouns that stand for the last named speaker ("“…,” he noted")."""

SKIPPABLE_BEFORE_SPEAKING = frozenset(
    {"also", "then", "once", "later", "still", "had", "has", "have", "did"}
    # "Zelenskyy's office echoed": the office speaks for the name before it
    | {"office", "team", "aides", "camp", "spokesperson", "spokesman", "spokeswoman"}
)
"""Words between a speaker and the reporting verb that do not end the look back for a name."""

NAMED_AFTER = frozenset({"from", "by"})
"""After a reporting word these name its speaker ("a stern warning from Secretary … Rubio")."""

TITLE_JOINER = "of"
"""The word inside a title ("Secretary of State"): it continues the title."""

# Words that make the capitalised words after them a person's name: "President Donald Trump",
# "Secretary of State Marco Rubio", "Foreign Affairs Minister Sergei Lavrov".
TITLES = frozenset(
    """
    president minister secretary state chancellor senator governor mayor ambassador envoy king
    queen prince princess pope general spokesperson spokesman spokeswoman director chairman
    chairwoman premier commissioner mr mrs ms dr
    """.split()
)
# A title word that stands for a person when used alone ("the president's urgency"). "State"
# only continues "Secretary of State"; alone it is the verb "stated" once stemmed.
TITLE_REFERENCES = TITLES - {"state"}

AGENT_WORDS = frozenset({"by", "between", "among"})
"""Words after a passive reporting verb that name who spoke ("said by/between …")."""
BE_FORMS = frozenset({"is", "are", "was", "were", "been", "being", "be"})
IRREGULAR_PARTICIPLES = frozenset({"said", "told"})
"""Reporting verbs whose participle does not end in "-ed"."""
# Words that start a clause of its own: "Is it true that Rubio said…" is active.
CLAUSE_STARTS = frozenset({"that", "who", "which", "when", "where", "while", "because", "if"})
PERFECT_AUXILIARIES = frozenset({"have", "has", "had"})
"""A perfect before the verb makes it active: "What was Rubio reported to have said?"."""


# --- what kind of answer a question asks for (``bot.retrieval``) ------------------------------

NUMBER = (
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"hundred|thousand|million|billion|dozen|percent|half)\b"
)
MONTH = rf"(?:{'|'.join(MONTHS)})"
# A date names a day: a weekday, a month with a day number, a year, or today/tomorrow.
DATE = (
    rf"\b(?:{'|'.join(WEEKDAYS + RELATIVE_DAYS)})\b"
    rf"|\b{MONTH} \d{{1,2}}\b|\b\d{{1,2}} {MONTH}\b|\b\d{{4}}\b"
)
TIME_SPAN = (
    r"\b(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|overnight|indefinitely|forever"
    r"|permanently)\b"
)

# What is measured without numbers: "how much effort?" is answered by "a lot of time and energy".
UNCOUNTED = (
    r"(?:effort|energy|attention|work|progress|support|pressure|influence|hope|trust|interest"
    r"|patience|commitment|urgency|risk|difference)\b"
)
DEGREE = r"\b(?:a lot|lots|plenty|a great deal|a little|so much|too much)\b"
TIME_UNITS = r"(?:seconds|minutes|hours|days|weeks|months|years)"
TIME_WORDS = (
    r"\b(?:ago|later|earlier|soon|recently|now|currently|then|next|last|early|late|mid|since"
    r"|until|before|after|during|within|by|once|when|while|spring|summer|autumn|fall|winter"
    r"|century|decade|era|season)\b"
)

COUNT = re.compile(NUMBER)
YEAR = re.compile(r"1\d{3}|20\d{2}")
"""A year is no count ("How much did it cost?" is not answered by "in 2006")."""

# A month alone counts too: "April or May" is specific, though no day is given.
SPECIFICS = (COUNT, re.compile(DATE), re.compile(rf"\b{MONTH}\b"))
"""What makes a quote specific: a number, a date or a month."""

ANSWER_TYPES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    # (what the question asks for, what a quote must contain to answer it)
    (
        # "How many days…?" asks how long: "within days" answers it (below).
        re.compile(
            rf"\bhow many\b(?! (?:more |longer )?{TIME_UNITS}\b)"
            rf"|\bhow much\b(?! (?:more |longer )?(?:{TIME_UNITS}|time)\b)(?! {UNCOUNTED})"
            r"|\bwhat (?:percentage|number|amount|share)\b"
        ),
        re.compile(NUMBER),
    ),
    (
        re.compile(rf"\bhow (?:many|much) (?:more |longer )?{TIME_UNITS}\b"),
        re.compile(rf"{NUMBER}|{TIME_SPAN}"),
    ),
    (
        # "How much time…?" is answered by a duration, and by "a lot of time".
        re.compile(r"\bhow much (?:more |longer )?time\b"),
        re.compile(rf"{NUMBER}|{TIME_SPAN}|{DEGREE}"),
    ),
    (
        # "How much effort…?" asks how much of something nobody counts: "a lot of" answers it.
        re.compile(rf"\bhow much {UNCOUNTED}"),
        re.compile(rf"{NUMBER}|{DEGREE}"),
    ),
    (
        re.compile(r"\b(?:what|which|exact) (?:date|day|year)\b|\bwhat time\b"),
        re.compile(DATE),
    ),
    (re.compile(r"\bhow long\b"), re.compile(TIME_SPAN)),
    (
        # "When did the deal collapse?" (a when-question, not "what did he say when…").
        re.compile(
            r"^(?:\w+ ){0,3}?when (?:did|does|do|was|were|is|are|will|would|has|have|had|can"
            r"|could|should)\b"
        ),
        re.compile(rf"{DATE}|\b{MONTH}\b|{TIME_SPAN}|{TIME_WORDS}"),
    ),
)
"""Questions that ask for a number, a date, a time or a duration can only be answered by a quote
that has one the question does not already say: "How many people died in the strikes?" must not
be answered with the caption, nor "How many workers died in 2010?" by "In 2010, a number of
workers…". A year is no count ("How much did it cost?" is not answered by "in 2006")."""


# --- questions that ask to identify someone or something --------------------------------------

PERSON_NOUNS = (
    r"(?:leaders?|officials?|people|persons?|individuals?|photographers?|journalists?|reporters?|"
    r"ministers?|diplomats?|envoys?|negotiators?|representatives?|delegates?|politicians?|"
    r"lawmakers?|senators?|presidents?|authors?|writers?|victims?|soldiers?|man|men|woman|women)"
)
# Up to two describing words between the question word and the noun: "which European leaders".
DESCRIBING_WORDS = (
    r"(?: (?!(?:is|are|was|were|the|a|an|do|does|did|has|have|had|will|would|can|could)\b)"
    r"\w+){0,2}"
)
ASKS_FOR_PERSON = re.compile(
    rf"\b(?:which|what|names? of(?: the)?){DESCRIBING_WORDS} {PERSON_NOUNS}\b"
    rf"|\bwho(?: is| was| are| were|s) the{DESCRIBING_WORDS} {PERSON_NOUNS}\b"
)
ASKS_TO_IDENTIFY = re.compile(
    r"\bwhich (?!(?:section|heading|headline|title|subtitle|paragraph|subhead)s?\b)\w+"
    r"|\bwhat (?:exactly |specifically )?(?:are|were) the\b|\bwhat (?:specific|particular)\b"
)
"""Questions that ask to identify something are answered only by a quote that says more than the
question: a person's name when they ask for people ("Which European leaders attended?" is not
answered by "...involving the U.S., Ukraine, and European leaders"), and otherwise any word
beyond the question and who said it ("What are the larger challenges?" is not answered by "he
also stressed that larger challenges remain unresolved")."""


VAGUE_MENTION = re.compile(
    r"\b(?:either|any|some|other|certain|several|various|unspecified|parts? of)"
    r"(?: (?:the|a|an))?((?: (?!\d)\w+){1,3})"
)
"""A thing a quote names only vaguely is not identified by it: "Which side does Trump think is
too difficult?" is not answered by "...if either side became too difficult to work with", nor
"What exactly does the peace plan propose?" by "He briefed Lavrov on parts of the U.S. peace
proposal". The vague phrase is the words after the determiner up to the first stopword ("either
side became", "some compromises"); "some 40 people" is a number, not a vague mention."""


ASKS_WHO = re.compile(r"^(?:\w+ ){0,3}?(?:who|whom)\b(?! (?:else|cares)\b)")
""""Who…?" (not "who else", "who cares"): answered by a name the question lacks."""

ASKS_FOR_CAUSE = re.compile(
    r"\bwhy\b|\bhow come\b|\bwhat(?: \w+)? (?:caused|led to|triggered|sparked|prompted)\b"
    r"|\b(?:cause|reason)s? (?:of|for|behind)\b"
)
CAUSE_CLAUSE = re.compile(
    r"\b(?:after|because|since|following|due to|amid|owing to|as a result of)\b"
)
"""A quote that gives the asked event as the cause of something else does not explain it: "Why
did tensions flare in February?" is not answered by "A similar deal collapsed in February after
tensions flared", which answers "Why did the deal collapse?"."""


ASKS_FOR_SPECIFICS = re.compile(
    r"\b(?:exact|exactly|specific|specifically|precise|precisely|actual|details?|particulars)\b"
)
"""A question that insists on specifics ("What is the exact deadline?") needs a quote that
gives one: a number, a date, or a name the question does not already say. A question about what
someone said is answered by their words, whatever they are."""

ASKS_ABOUT_STRUCTURE = re.compile(
    r"\b(?:section|heading|headline|title|subtitle|subheading|subhead|header)s?\b"
)
"""A section heading is a title, not a statement: it answers questions about the article's
sections ("Which section is about Lavrov?"), not about the news ("Where will the deal be
signed?" must not be answered with "Talks with Ukraine Show Signs of Movement")."""
