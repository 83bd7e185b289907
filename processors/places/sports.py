"""Is this article a sports report? Place names there usually name teams.

"Yorkshire beat Kent by six wickets" is about two cricket clubs, not two counties: in
sports reports a town, county or state name standing as a player is a team (an organisation),
while countries stay countries (national teams are read as the country, by convention) and
venues ("at Headingley") stay places. Detection is by the sport a wire headline names, or by the
density of sports vocabulary and score lines in the text.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from processors.nlp.spans import doc_text

__all__ = ["HOME_NATIONS", "is_sports_report"]

HOME_NATIONS = frozenset({"england", "scotland", "wales", "northern ireland"})
_HEADLINE_RE = re.compile(
    r"^\W*(cricket|soccer|football|tennis|golf|baseball|basketball|rugby|athletics|boxing|"
    r"cycling|motor racing|motorcycling|formula one|skiing|ice hockey|hockey|nfl|nba|nhl|"
    r"squash|badminton|swimming|rowing|horse racing|racing|yachting|sailing|volleyball|"
    r"handball|judo|wrestling|table tennis|american football|snooker|darts)\b",
    re.IGNORECASE,
)
_SCORE_RE = re.compile(r"\b\d{1,3}-\d{1,3}\b")
_TERMS = frozenset(
    "match innings wicket wickets goal goals striker midfielder defender goalkeeper "
    "tournament championship league cup seed seeded semifinal semi-final quarterfinal final "
    "inning homer pitcher batting bowling batsman bowler coach season draw drew beat beaten "
    "defeat defeated victory title medal race lap podium par birdie bogey putt rebound "
    "touchdown quarterback penalty scrum knockout bout referee umpire stadium playoff "
    "playoffs runs scored unbeaten".split()
)


def is_sports_report(doc: Doc) -> bool:
    text = doc_text(doc)
    if _HEADLINE_RE.match(text[:60]):
        return True
    words = [tok.lower_ for tok in doc if tok.is_alpha]
    if len(words) < 30:
        return False
    terms = sum(1 for w in words if w in _TERMS)
    scores = len(_SCORE_RE.findall(text))
    return terms >= max(6, 0.03 * len(words)) and scores >= 2
