"""What two spellings of one organisation's name share."""

import re
import unicodedata

_DOTTED = re.compile(r"\b((?:[a-z]\.){2,})")  # "n.h.s." -> "nhs"
_NOT_WORD = re.compile(r"[^\w]+")


def name_key(name: str) -> str:
    """ "NHS Kent & Medway", "N.H.S. Kent and  Medway" and "nhs kent and medway" share
    one key: case, accents, spacing, punctuation, "&" and "and", and dotted initials do
    not tell organisations apart; words do. A leading "The" neither."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    text = _DOTTED.sub(lambda found: found.group(1).replace(".", "") + " ", text)
    text = text.replace("&", " and ").replace("+", " and ")
    words = _NOT_WORD.sub(" ", text).split()
    if words[:1] == ["the"] and len(words) > 1:
        words = words[1:]
    return " ".join(words)[:200]
