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
