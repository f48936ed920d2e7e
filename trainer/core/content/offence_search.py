"""Finding an offence class by what a call-handler types: a code, a police word, or plain words.

The index is built once per catalogue from its own data: class codes and names, every offence the
Notifiable Offence List files under each class (with its Act and section), and the kept list of
everyday police words (`SearchTerm`). Text is normalised once when the index is built, so a search
is a few dictionary look-ups and substring tests, fast enough to run on every keystroke.

Ranking, best first: an exact class code, an exact Home Office code, an exact police word or
abbreviation, the start of a class code, the start of a class name (or of a police word), every
typed word starting a word of the class name (or of a police word), and last every typed word
starting a word of one offence listed under the class. Ties keep the word's own order of classes,
then the catalogue's order, so the same text always gives the same list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trainer.core.content.catalogue import Catalogue, Offence, SearchTerm

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")

# Tiers, best first (the first number of a match's rank).
EXACT_CODE, HOME_OFFICE_CODE, POLICE_WORD, CODE_START, NAME_START, NAME_WORDS, LISTED = range(7)


def _words(text: str) -> list[str]:
    return _NOT_ALNUM.sub(" ", text.casefold()).split()


def _compact(text: str) -> str:
    """Letters and digits only: "s.47", "S 47" and "s47" are one key."""
    return _NOT_ALNUM.sub("", text.casefold())


def _code_key(text: str) -> str:
    return "".join(text.casefold().split())


def _has_words(padded: str, words: list[str]) -> bool:
    """Whether every word starts a word of `padded` (its words joined, with a leading space)."""
    return all(f" {w}" in padded for w in words)


@dataclass(frozen=True)
class OffenceMatch:
    offence: Offence
    matched: str  # what matched, in words: "code", "name", "police word: ABH", ...
    source: str = ""  # for a police word: the rule page or Home Office code behind it
    rank: tuple[int, int, int, int] = (0, 0, 0, 0)

    def to_json_dict(self) -> dict[str, str]:
        out = {
            "code": self.offence.code,
            "name": self.offence.name,
            "group": self.offence.group,
            "matched": self.matched,
        }
        if self.source:
            out["source"] = self.source
        return out


@dataclass(frozen=True)
class _Listed:
    padded: str
    ho_code: str
    text: str


@dataclass(frozen=True)
class _Word:
    compact: str
    padded: str
    word: str
    term: SearchTerm


class OffenceIndex:
    """The catalogue's offence classes, prepared for `search`."""

    def __init__(self, catalogue: Catalogue) -> None:
        self._offences = catalogue.offences
        self._order = {o.code: i for i, o in enumerate(catalogue.offences)}
        self._by_code = {_code_key(o.code): o for o in catalogue.offences}
        self._by_ho_code: dict[str, list[Offence]] = {}
        self._names: list[tuple[Offence, str]] = []
        self._padded_names: dict[str, str] = {}
        self._listed: list[tuple[Offence, str, list[_Listed]]] = []
        for offence in catalogue.offences:
            self._padded_names[offence.code] = " " + " ".join(_words(offence.name))
            self._names.append((offence, self._padded_names[offence.code]))
            listed = []
            for ho in offence.ho_codes:
                self._by_ho_code.setdefault(_code_key(ho.code), []).append(offence)
                for entry in ho.offences:
                    text = " ".join(p for p in (entry.name, entry.act, entry.section) if p)
                    listed.append(_Listed(" " + " ".join(_words(text)), ho.code, text))
            everything = "".join(e.padded for e in listed)  # one test rules most classes out
            self._listed.append((offence, everything, listed))
        self._words: list[_Word] = [
            _Word(_compact(word), " " + " ".join(_words(word)), word, term)
            for term in catalogue.search_terms
            for word in term.words
        ]
        self._word_by_compact = {w.compact: w for w in self._words}

    def search(self, text: str) -> list[OffenceMatch]:
        """Classes matching `text`, best first; none for blank text."""
        words = _words(text)
        if not words:
            return []
        found: dict[str, OffenceMatch] = {}
        code, compact = _code_key(text), _compact(text)
        exact = self._by_code.get(code)
        if exact is not None:
            self._offer(found, exact, (EXACT_CODE, 0, 0), "code")
        first, _, rest = text.strip().partition(" ")
        labelled = self._by_code.get(_code_key(first)) if rest else None
        if labelled is not None and _has_words(self._padded_names[labelled.code], _words(rest)):
            self._offer(found, labelled, (EXACT_CODE, 1, 0), "code and name")
        for offence in self._by_ho_code.get(code, ()):
            self._offer(found, offence, (HOME_OFFICE_CODE, 0, 0), f"Home Office code {code}")
        word = self._word_by_compact.get(compact)
        if word is not None:
            self._offer_word(found, word, POLICE_WORD)
        if code[:1].isdigit():
            for key, offence in self._by_code.items():
                if key.startswith(code):
                    self._offer(found, offence, (CODE_START, len(key), 0), "start of the code")
        phrase = " " + " ".join(words)
        for offence, name in self._names:
            if name.startswith(phrase):
                self._offer(found, offence, (NAME_START, 0, 0), "start of the name")
            elif _has_words(name, words):
                self._offer(found, offence, (NAME_WORDS, 0, 0), "words of the name")
        for entry in self._words:
            if entry.compact.startswith(compact):
                self._offer_word(found, entry, NAME_START)
            elif _has_words(entry.padded, words):
                self._offer_word(found, entry, NAME_WORDS)
        for offence, everything, listed in self._listed:
            if offence.code in found or not _has_words(everything, words):
                continue  # already found by something better, or no listed offence has them all
            hit = next((e for e in listed if _has_words(e.padded, words)), None)
            if hit is not None:
                matched = f"Home Office offence {hit.ho_code}: {hit.text}"
                self._offer(found, offence, (LISTED, 0, 0), matched)
        return sorted(found.values(), key=lambda m: m.rank)

    def _offer(
        self,
        found: dict[str, OffenceMatch],
        offence: Offence,
        rank: tuple[int, int, int],
        matched: str,
        source: str = "",
    ) -> None:
        """Keep `offence` at this rank unless it already matched better."""
        full = (*rank, self._order[offence.code])
        best = found.get(offence.code)
        if best is None or full < best.rank:
            found[offence.code] = OffenceMatch(offence, matched, source, full)

    def _offer_word(self, found: dict[str, OffenceMatch], word: _Word, tier: int) -> None:
        """A police word's classes, in its own order; after names within the same tier."""
        sub = 0 if tier == POLICE_WORD else 1
        for position, code in enumerate(word.term.classes):
            offence = self._by_code[_code_key(code)]
            rank = (tier, sub, position)
            self._offer(found, offence, rank, f"police word: {word.word}", word.term.source)


_INDEXES: dict[int, tuple[Catalogue, OffenceIndex]] = {}


def offence_index(catalogue: Catalogue) -> OffenceIndex:
    """The index of `catalogue`, built on first use (a catalogue never changes once loaded)."""
    kept = _INDEXES.get(id(catalogue))
    if kept is None or kept[0] is not catalogue:
        kept = _INDEXES[id(catalogue)] = (catalogue, OffenceIndex(catalogue))
    return kept[1]


def find_offences(catalogue: Catalogue, text: str) -> list[OffenceMatch]:
    """Classes of `catalogue` matching `text`, best first (see the module's docstring)."""
    return offence_index(catalogue).search(text)
