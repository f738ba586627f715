"""Scrub free-text comments before they are stored: staff names, email addresses, phone numbers and
staff numbers are replaced with a marker, so a comment cannot name its writer or a colleague.

The rules, in the order they run (privacy wins over the odd false alarm):
1. Email addresses, written plainly (jane.doe@northmere.gov.uk, jane@northmere) or spelled out
   ("jane dot doe at northmere dot gov dot uk", "jane(at)northmere(dot)gov(dot)uk"). A spelled-out
   address needs a spelled-out or bracketed "at" or "dot", or a dot in the name before "at", so that
   "look at this" and "good at maths." stay.
2. Phone numbers: UK numbers in every usual shape (07700 900123, 0113 496 0000, (01632) 960000,
   +44 7700 900123, +44 (0) 7700 900123, 0044 7700 900 123), other +country numbers, and extensions
   ("ext 4521", "ext. 4521", "extension 4521", "x4521", "tel 4521").
3. Staff numbers: every staff number on the staff list (any case), and anything shaped like one
   (one to three letters, then four to eight digits: N90001, ab-12345).
4. Names, matched against the staff list, ignoring case:
   - a first name followed by a surname ("Morgan Reid", "morgan reid", "MORGAN REID"), or a first
     name followed by an initial ("Morgan R."), or a title and a surname ("Mr Reid", "cllr reid");
   - a first name or a surname on its own ("Reid said", "ask morgan").
   Names that are also everyday English words (EVERYDAY_WORDS below, plus the stop words that
   surveys.sentiment ignores: "Will", "May", "Hope", "Rose", "Brown", "Green", "Young", "Hall", ...)
   are the exception: on their own they are removed only when written with a capital in the middle of
   a sentence ("ask Will", but not "Will this help?", "it will", "the green bin", or a comment in
   capitals), and as a pair only when at least one of the two is a name that is not an everyday word
   or is written with a capital ("May Long" yes, "it may long be remembered" no).
A council whose staff list holds a name this list treats as an everyday word can add to it here.

Built once per submit from the staff list (`Scrubber`); a comment is then read once, word by word,
with set lookups, so the cost does not grow with the number of staff (tests/bench/bench_scrub.py).
"""

import re
from collections.abc import Iterable

from surveys.sentiment import STOP_WORDS

NAME, EMAIL, PHONE, STAFF_NUMBER = ("[name removed]", "[email removed]", "[phone number removed]",
                                    "[staff number removed]")
MARKER = re.compile(r"\[(?:name|email|phone number|staff number) removed\]")

# --- Emails -----------------------------------------------------------------------------------------------

_PLAIN_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)*", re.UNICODE)
_AT = r"(?:\s*[(\[{<]\s*at\s*[)\]}>]\s*|\s+at\s+)"
_DOT = r"(?:\s*[(\[{<]\s*dot\s*[)\]}>]\s*|\s+dot\s+|\.)"
_PART = r"[\w+'-]+"
_SPELLED_EMAIL = re.compile(rf"(?<![\w.]){_PART}(?:{_DOT}{_PART})*{_AT}{_PART}(?:{_DOT}{_PART})+(?![\w])",
                            re.IGNORECASE | re.UNICODE)
_SPELLED_SIGN = re.compile(r"[(\[{<]\s*(?:at|dot)\s*[)\]}>]|\sdot\s", re.IGNORECASE)


def _spelled_email(match: re.Match) -> str:
    text = match.group(0)
    local = re.split(_AT, text, maxsplit=1, flags=re.IGNORECASE)[0]
    return EMAIL if _SPELLED_SIGN.search(text) or "." in local else text


# --- Phone numbers --------------------------------------------------------------------------------------

# Digits in groups with one separator between groups (so no two ways to split a run of digits: the match
# takes linear time), an area code perhaps in brackets.
_GROUPS = r"\(?\d+(?:(?:\)[ \t]?|[ \t.\-])\d+){0,6}"
_EXTENSION = r"(?:\s*(?:ext(?:ension|n)?\.?|x)\s*\d{1,6})?"
_PHONE = re.compile(
    rf"(?<![\w+])(?:(?:\+|00)\d{{1,3}}[ \t.\-]?(?:\(0\)[ \t]?)?|(?=\(?0)){_GROUPS}{_EXTENSION}(?![\w])",
    re.IGNORECASE)
_EXTENSION_ALONE = re.compile(r"(?<![\w])(?:(?:ext(?:ension|n)?\.?|tel(?:ephone)?\.?:?)\s*|x)\d{3,6}(?![\w])",
                              re.IGNORECASE)


def _phone(match: re.Match) -> str:
    text = match.group(0)
    number = re.split(r"\s*(?:ext|x)", text, maxsplit=1, flags=re.IGNORECASE)[0]
    digits = re.sub(r"\D", "", number)
    if number.startswith(("+", "00")):
        return PHONE if 9 <= len(digits) <= 15 else text
    # National: a leading 0 and 10 or 11 digits (UK), not a date or a sum of small numbers.
    return PHONE if digits.startswith("0") and 10 <= len(digits) <= 11 else text


# --- Staff numbers --------------------------------------------------------------------------------------------

_STAFF_NUMBER_SHAPE = re.compile(r"(?<![\w-])[a-z]{1,3}-?\d{4,8}(?![\w-])", re.IGNORECASE)
_TOKEN_WITH_DIGIT = re.compile(r"(?<![\w-])[\w-]*\d[\w-]*(?![\w-])")

# --- Names ----------------------------------------------------------------------------------------------------

# Words that are also names (first names and UK surnames): on their own they are taken for a name only
# when capitalised mid-sentence (see the rules above).
_EVERYDAY_WORDS = """
will may hope faith grace joy rose lily holly ivy iris daisy violet amber ruby pearl crystal dawn eve sky
rain storm autumn summer winter spring june april august march frank mark bill bob pat sue rob drew art
jack guy ray dean grant chase miles sunny carol chuck gene glen jean job lance max nick norm penny reed
rich rod sandy wade kit
brown green white black grey gray young long little short small sharp swift sweet best good fair gentle
hall wood woods hill king ward cook page field fields day friend church hunt lane marsh moss mill mills
rice ford stone frost power law bishop chance cross bush booth ball bird fox fish key kind lamb land love
pay pool post read reading rule tree wall waters well wells west north south east baker butcher brewer
mason miller shepherd hunter archer porter walker knight lord noble sterling bond banks bank bridge
bridges street brook brooks burn burns glass gold golden hay heath hood house lake moor more oak parks
person pike pope port rank ridge rivers rock rush sage salt sands sea shore spring stamp steel strong
summers tanner thorn tower towers trim vale wise worth wren dale done fell gay hardy heart heron horn
lock lucky mellow merry moon nice pace painter parish pine plant pound proud quick rider sale savage
silver sly snow speed stack stokes stout sturdy tall temple toll vine wake warren watt watts weaver wild
wing wolf worthy cash child cope craft dear duke early hale hand hands keen luck mayor mole peck peel
plum pounds prince rains raven sellers stables stern swan vice welsh wheat whittle wool gardener hull
"""
EVERYDAY_WORDS = frozenset(_EVERYDAY_WORDS.split()) | STOP_WORDS
_TITLES = "mr mrs ms miss mx dr cllr councillor sir dame prof professor"
TITLES = frozenset(_TITLES.split())
_WORD = re.compile(r"\w+(?:['\u2019\-]\w+)*")
_POSSESSIVE = ("'s", "\u2019s")
_MAX_NAME_WORDS = 4


def _norm(word: str) -> str:
    return word.replace("\u2019", "'").casefold()


def _name_words(name: str) -> tuple[str, ...]:
    return tuple(_norm(w) for w in _WORD.findall(name))


def _base(word: str) -> str:
    """A normalised word without a possessive 's."""
    return word[:-2] if word.endswith("'s") else word


def _capitalised(word: str) -> bool:
    """Written with a capital, as a name is ("Will", "McDonald"), not in capitals throughout ("WILL")."""
    return word[:1].isupper() and not (len(word) > 1 and word.isupper())


class Scrubber:
    """A scrubber for one staff list. `first_names`, `last_names`, `staff_numbers`: as stored."""

    def __init__(self, *, first_names: Iterable[str], last_names: Iterable[str], staff_numbers: Iterable[str]):
        self.firsts = self._names(first_names)
        self.lasts = self._names(last_names)
        self.names = self.firsts | self.lasts
        self.staff_numbers = {_norm(n) for n in staff_numbers if n}
        self.longest = min(_MAX_NAME_WORDS, max((len(n) for n in self.names), default=0))

    @staticmethod
    def _names(names: Iterable[str]) -> set[tuple[str, ...]]:
        out = set()
        for name in set(names):
            if not name:
                continue
            if name.isalpha():  # most names: one word, no apostrophe or hyphen
                if len(name) > 1:
                    out.add((name.casefold(),))
                continue
            words = _name_words(name)
            if not words or (len(words) == 1 and len(words[0]) < 2):
                continue
            out.add(words)
            # A double-barrelled name is often written in part: "Smith" for Smith-Jones.
            for word in words:
                out.update((part,) for part in word.split("-") if len(part) > 1)
        return out

    def __call__(self, text: str) -> str:
        text = _PLAIN_EMAIL.sub(EMAIL, text)
        text = _SPELLED_EMAIL.sub(_spelled_email, text)
        text = _PHONE.sub(_phone, text)
        text = _EXTENSION_ALONE.sub(PHONE, text)
        text = _TOKEN_WITH_DIGIT.sub(
            lambda m: STAFF_NUMBER if _norm(m.group(0)) in self.staff_numbers else m.group(0), text)
        text = _STAFF_NUMBER_SHAPE.sub(STAFF_NUMBER, text)
        # Names, between the markers left so far (a marker's words are never names).
        out, last = [], 0
        for marker in MARKER.finditer(text):
            out += [self._names_in(text[last:marker.start()]), marker.group(0)]
            last = marker.end()
        out.append(self._names_in(text[last:]))
        return "".join(out)

    # --- Names ---

    def _match(self, words, i: int, names: set) -> int:
        """How many words from i make a name in `names` (the longest; 0 if none)."""
        for length in range(min(self.longest, len(words) - i), 0, -1):
            key = tuple(w[1] for w in words[i:i + length])
            if key in names and all(words[j][3] for j in range(i + 1, i + length)):
                return length
            if key[-1].endswith(_POSSESSIVE) and key[:-1] + (key[-1][:-2],) in names \
                    and all(words[j][3] for j in range(i + 1, i + length)):
                return length
        return 0

    def _names_in(self, text: str) -> str:
        # (word, normalised, match, joined to the previous word by spaces only)
        words = []
        previous_end = None
        for m in _WORD.finditer(text):
            joined = previous_end is not None and text[previous_end:m.start()].strip(" \t") == ""
            words.append((m.group(0), _norm(m.group(0)), m, joined))
            previous_end = m.end()
        spans = []  # (start, end) of text to replace
        i = 0
        while i < len(words):
            found = self._name_at(text, words, i)
            if found:
                end_word, end = found
                spans.append((words[i][2].start(), end))
                i = end_word
            else:
                i += 1
        for start, end in reversed(spans):
            text = text[:start] + NAME + text[end:]
        return text

    def _end(self, words, last: int) -> int:
        """Where a name ending at word `last` ends in the text (before a possessive 's, which stays)."""
        word, m = words[last][0], words[last][2]
        if word.endswith(_POSSESSIVE) and (_norm(word),) not in self.names:
            return m.end() - 2
        return m.end()

    def _everyday(self, words, i: int, length: int) -> bool:
        return all(_base(words[j][1]) in EVERYDAY_WORDS for j in range(i, i + length))

    def _name_at(self, text: str, words, i: int):
        """(index after the name, end in text) for a name starting at word i, or None."""
        word, normalised, m, _ = words[i]
        # A title and a surname: "Mr Reid", "cllr reid", "Dr. Reid".
        if normalised in TITLES and i + 1 < len(words):
            gap = text[m.end():words[i + 1][2].start()]
            if gap.strip(" \t") in ("", "."):
                length = self._match(words, i + 1, self.lasts)
                if length:
                    return i + 1 + length, self._end(words, i + length)
        first = self._match(words, i, self.firsts)
        if first:
            after = i + first
            # A first name and a surname.
            last = self._match(words, after, self.lasts) if after < len(words) and words[after][3] else 0
            if last:
                pair = range(i, after + last)
                if not self._everyday(words, i, first + last) or any(_capitalised(words[j][0]) for j in pair):
                    return after + last, self._end(words, after + last - 1)
            # A first name and an initial: "Morgan R." / "Morgan R" (not "I" or "A", which are words).
            if (after < len(words) and words[after][3] and len(words[after][0]) == 1
                    and words[after][0].isupper() and words[after][0] not in "IA"
                    and not self._everyday(words, i, first)):
                end = words[after][2].end()
                if text[end:end + 1] == ".":
                    end += 1
                return after + 1, end
        # A name on its own.
        length = max(first, self._match(words, i, self.names))
        if not length:
            return None
        if not self._everyday(words, i, length):
            return i + length, self._end(words, i + length - 1)
        if _capitalised(word) and not self._opens_sentence(text, m.start()):
            return i + length, self._end(words, i + length - 1)
        return None

    @staticmethod
    def _opens_sentence(text: str, start: int) -> bool:
        before = text[:start].rstrip(" \t\"'\u201c\u2018(")
        return not before or before[-1] in ".!?\n:"


def scrub(text: str, *, first_names: Iterable[str], last_names: Iterable[str], staff_numbers: Iterable[str]) -> str:
    """Scrub one text (build a `Scrubber` once to scrub many)."""
    return Scrubber(first_names=first_names, last_names=last_names, staff_numbers=staff_numbers)(text)
