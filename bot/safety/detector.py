"""Crisis detection on one message: `detect(text) -> Detection`. Pure, no Rasa; runs on every message.

A blank English spaCy pipeline (tokenizer + lookup lemmatizer from spacy-lookups-data, nothing to
download), misspellings and shorthand mapped to their words (bot.safety.spelling), and Matcher patterns
on NORM/LEMMA compiled from the lexicon (bot.safety.lexicon), each tried only on messages that contain
the words it needs. Each risk phrase found becomes a `Mention`, then the words around it decide whether
it counts:

- negated: a negator shortly before it in the same clause ("I'm not suicidal", "never thought of
  hurting myself"), but not "can't" ("I hate that I can't kill myself") and not "never been this";
- figurative: an idiom over it ("killing myself laughing", "jump rope", "career suicide"), a game, or
  "lol" after a threat to someone else;
- historical: long ago and over ("I attempted years ago and have been stable since"), or someone else's
  death being mourned; it does not count, but is kept so the clinician sees it;
- third party: someone else is at risk ("my daughter said she wants to die") — a crisis if it is present.

Weak phrases (a means, a goodbye, "do it") count only with a second weak phrase or words of despair.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Iterable, Optional, cast

import spacy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc, Token

from bot.safety.lexicon import CUES, PRIORITY, RULES, Category, Cue, Rule, Who
from bot.safety.patterns import compile_spec, requirements
from bot.safety.spelling import Speller, rewrite

MAX_CHARS = 2000  # longer messages are read from their start (same bar as bot.dialogue)

NEGATORS = frozenset({"not", "never", "no", "nor", "without", "neither"})
NEGATION_REACH = 5  # tokens a negator reaches forward inside its clause ("never tried or contemplated suicide")
NO_REACH = 3  # "no" reaches less far: "no suicidal thoughts", but not "no one knows I'm suicidal"
# A negator followed by these does not deny what comes after ("not sure if", "never been this").
NEGATION_BREAKERS = frozenset(
    {"sure", "know", "certain", "only", "this", "so", "as", "more", "even", "afraid", "scared"}
)
# A negator after these is not a denial ("why shouldn't I", "the only reason I won't", "when I'm not cutting").
NEGATION_OPENERS = frozenset({"why", "reason", "when", "whenever", "while", "unless", "until"})
# A negation stops at a new clause: a subordinator or a new subject ("if it doesn't work I can always ...").
# After verbs of thinking the new subject is still inside it ("I don't think I want to die").
SCOPE_ENDS = frozenset(
    {
        "if",
        "when",
        "because",
        "since",
        "so",
        "after",
        "before",
        "once",
        "until",
        "unless",
        "cause",
        "cuz",
        "while",
        "whenever",
    }
)
SUBJECTS = frozenset({"i", "he", "she", "they", "you", "we", "it"})
THINKING = frozenset({"think", "believe", "feel", "say", "mean", "that", "guess", "suppose", "reckon"})
# "and" after the denied verb's object starts a new, undenied clause ("doesn't understand me and suicide ...").
OBJECTS = frozenset({"me", "him", "her", "them", "us", "it", "this", "that"})
CLAUSE_WORDS = frozenset({"but", "though", "although", "however", "yet", "except", "whereas", "instead"})
SENTENCE_PUNCT = frozenset({".", "!", "?", ";", "...", "..", "\n"})
# Risk words about someone else, shortly before: the subject of the phrase.
SELF_WORDS = frozenset({"i", "me", "my", "myself", "mine", "im"})
OTHER_WORDS = frozenset(
    {
        "he",
        "she",
        "they",
        "him",
        "her",
        "them",
        "his",
        "their",
        "hers",
        "himself",
        "herself",
        "themselves",
        "son",
        "daughter",
        "kid",
        "kids",
        "child",
        "children",
        "friend",
        "friends",
        "husband",
        "wife",
        "partner",
        "boyfriend",
        "girlfriend",
        "bf",
        "gf",
        "mom",
        "mum",
        "mother",
        "dad",
        "father",
        "brother",
        "sister",
        "ex",
        "cousin",
        "aunt",
        "uncle",
        "grandma",
        "grandpa",
        "grandmother",
        "grandfather",
        "niece",
        "nephew",
        "student",
        "client",
        "patient",
        "roommate",
        "coworker",
        "colleague",
        "teen",
        "teenager",
        "fiance",
        "fiancee",
        "man",
        "woman",
        "guy",
        "girl",
        "boy",
        "stepdad",
        "stepmom",
        "stepson",
        "stepdaughter",
        "parent",
        "parents",
        "sibling",
        "baby",
        "toddler",
        "spouse",
        "family",
        "people",
        "person",
    }
)
# "she texted me goodbye": the "me" is who heard it, not who said it.
TOLD_VERBS = frozenset({"texted", "messaged", "told", "sent", "wrote", "emailed", "called", "tells", "texts", "sends"})
# 3rd-person verb forms that put the phrase on someone else ("my son wants to die", "he plans on ...").
THIRD_PERSON_VERBS = frozenset(
    {
        "wants",
        "plans",
        "tries",
        "threatens",
        "says",
        "talks",
        "keeps",
        "hopes",
        "needs",
        "decides",
        "intends",
        "cuts",
        "hurts",
        "harms",
        "takes",
        "attempts",
        "wishes",
        "thinks",
        "feels",
    }
)
# Someone else's attempt in the past tense is history unless it is recent or the writer is worried.
PAST_FORMS = frozenset({"attempted", "tried"})
# A phrase in the present tense is not history, whatever else the sentence says ("I wish I hadn't failed
# my attempts in the past").
PRESENT_FORMS = frozenset({"wish", "want", "wanna", "hope", "need", "am", "'m", "m", "feel", "think", "keep"})
# "she could hurt herself" (a toddler, a fall) is a worry about accidents, not self-harm.
ACCIDENT_MODALS = frozenset({"could", "might", "may", "can"})
ACCIDENT_VERBS = frozenset({"hurt", "harm", "injure"})


@dataclass(frozen=True)
class Mention:
    """One risk phrase in the message and what its context made of it."""

    category: Category
    phrase: str
    # negated, figurative, historical: why it does not count; third_party: someone else is at risk;
    # past: long ago but back now (counts); weak: a cue that needs company (counts only with it).
    flags: tuple[str, ...] = ()
    counts: bool = True


@dataclass(frozen=True)
class Detection:
    crisis: bool
    category: Optional[Category]
    mentions: tuple[Mention, ...] = ()

    @property
    def phrases(self) -> tuple[str, ...]:
        """The phrases that made it a crisis."""
        return tuple(m.phrase for m in self.mentions if m.counts)

    @property
    def flags(self) -> tuple[str, ...]:
        """Why phrases did or did not count, over the whole message (sorted)."""
        return tuple(sorted({flag for m in self.mentions for flag in m.flags}))

    @property
    def historical(self) -> bool:
        """A past, resolved risk was mentioned: not a crisis, but the clinician should see it."""
        return any("historical" in m.flags for m in self.mentions)


NO_CRISIS = Detection(False, None)


# The lookup table's few wrong answers for words that matter here, and tokenizer pieces ("ca" of "can't").
LEMMA_FIXES = {"dying": "die", "dyin": "die", "ca": "can", "wo": "will", "gon": "go", "na": "to", "kms": "kms"}


@dataclass(frozen=True)
class _Bundle:
    """The patterns of one spec, and the word sets each needs (one word from each) to be worth trying."""

    requires: tuple[tuple[frozenset[str], ...], ...]
    matcher: Matcher


class _Index:
    """Which bundles a message can match at all, found from its words (the matcher is the main cost).

    Each requirement is filed under one of its word sets, the least common one; a message's words
    pick the filed requirements, which are then checked in full.
    """

    def __init__(self, bundles: list[_Bundle]) -> None:
        self.bundles = bundles
        self.always: list[int] = []
        self.by_word: dict[str, list[tuple[int, tuple[frozenset[str], ...]]]] = {}
        for number, bundle in enumerate(bundles):
            for sets in bundle.requires:
                if not sets:
                    self.always.append(number)
                    continue
                filed = min(sets, key=lambda words: (len(words & STOP_WORDS), len(words)))
                for word in filed:
                    self.by_word.setdefault(word, []).append((number, sets))

    def match(self, doc: Doc, words: set[str]) -> list[tuple[int, int, int]]:
        chosen = set(self.always)
        for word in words:
            for number, sets in self.by_word.get(word, ()):
                if number not in chosen and all(not needed.isdisjoint(words) for needed in sets):
                    chosen.add(number)
        return [found for number in sorted(chosen) for found in self.bundles[number].matcher(doc)]


class _Model:
    """The pipeline and the compiled lexicon, built once."""

    def __init__(self) -> None:
        nlp = spacy.blank("en")
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
        lemmatizer = cast(Lemmatizer, nlp.get_pipe("lemmatizer"))  # spaCy types every pipe as a callable
        table = lemmatizer.lookups.get_table("lemma_lookup")
        lemmas = set(table.values())
        self.nlp: Language = nlp
        self.lemma_table = table
        self.speller = Speller(lambda word: word in table or word in lemmas)
        self.rules: dict[int, Rule] = {}
        self.cues: dict[int, Cue] = {}
        rule_bundles: list[_Bundle] = []
        cue_bundles: list[_Bundle] = []
        for index, item in enumerate(RULES):
            self.rules[nlp.vocab.strings.add(f"rule{index}")] = item
            rule_bundles += [self._bundle(f"rule{index}", spec) for spec in item.specs]
        for cue, specs in CUES.items():
            self.cues[nlp.vocab.strings.add(f"cue:{cue.value}")] = cue
            cue_bundles += [self._bundle(f"cue:{cue.value}", spec) for spec in specs]
        self.rule_index = _Index(rule_bundles)
        self.cue_index = _Index(cue_bundles)

    def _bundle(self, key: str, spec: str) -> _Bundle:
        patterns = compile_spec(spec)
        matcher = Matcher(self.nlp.vocab)
        matcher.add(key, patterns)
        requires = tuple(dict.fromkeys(requirements(pattern) for pattern in patterns))
        return _Bundle(requires, matcher)

    def doc(self, text: str) -> Doc:
        doc = self.nlp(rewrite(text[:MAX_CHARS]))
        for token in doc:
            self._respell(token)
        return doc

    def _respell(self, token: Token) -> None:
        fixed = self.speller.correct(token.lower_)
        if fixed is not None:
            token.norm_ = fixed
            token.lemma_ = self.lemma_table.get(fixed, fixed)
        elif token.lower_ in LEMMA_FIXES:
            token.lemma_ = LEMMA_FIXES[token.lower_]
        if token.lower_ == "m" and token.i > 0 and token.nbor(-1).lower_ == "i":
            token.norm_ = "am"


_model: Optional[_Model] = None
_lock = threading.Lock()


def _get_model() -> _Model:
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = _Model()
    return _model


def warm_up() -> None:
    """Build the pipeline now (about half a second) rather than on the first message."""
    _get_model()


class _Reading:
    """One message's tokens, clause and sentence boundaries and context cues."""

    def __init__(self, doc: Doc, cues: Iterable[tuple[Cue, int, int]]) -> None:
        self.doc = doc
        self.sentence: list[int] = []
        self.clause: list[int] = []
        sentence = clause = 0
        for token in doc:
            text = token.lower_
            if token.is_punct or text in CLAUSE_WORDS:
                clause += 1
            self.sentence.append(sentence)
            self.clause.append(clause)
            if text in SENTENCE_PUNCT or "\n" in text:
                sentence += 1
        self.cues: dict[Cue, list[tuple[int, int]]] = {}
        for cue, start, end in cues:
            self.cues.setdefault(cue, []).append((start, end))

    def has(self, cue: Cue, *, sentence_of: Optional[int] = None, clause_of: Optional[int] = None) -> bool:
        for start, _end in self.cues.get(cue, ()):
            if sentence_of is not None and self.sentence[start] != self.sentence[sentence_of]:
                continue
            if clause_of is not None and self.clause[start] != self.clause[clause_of]:
                continue
            return True
        return False

    def near(self, cue: Cue, start: int, end: int, reach: int = 4) -> bool:
        """A cue within `reach` tokens of the span, in its sentence."""
        return any(
            self.sentence[s] == self.sentence[start] and s < end + reach and start - reach < e
            for s, e in self.cues.get(cue, ())
        )

    def covered(self, cue: Cue, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in self.cues.get(cue, ()))

    def next_word(self, end: int) -> str:
        if end >= len(self.doc):
            return "$END"
        token = self.doc[end]
        return "$PUNCT" if token.is_punct else token.norm_

    def previous_word(self, start: int) -> str:
        return self.doc[start - 1].norm_ if start > 0 else "$START"

    def negated(self, start: int) -> bool:
        doc = self.doc
        if doc[start].norm_ in SCOPE_ENDS:
            return False
        for i in range(start - 1, max(-1, start - 1 - NEGATION_REACH), -1):
            if self.clause[i] != self.clause[start]:
                return False
            norm = doc[i].norm_
            if norm in SCOPE_ENDS or (
                norm in SUBJECTS and i > 0 and doc[i - 1].norm_ not in THINKING and doc[i - 1].norm_ not in NEGATORS
            ):
                return False
            if norm == "and" and i > 0 and doc[i - 1].norm_ in OBJECTS:
                return False
            if norm not in NEGATORS or (norm == "no" and start - i > NO_REACH):
                continue
            if norm == "not" and i > 0 and doc[i - 1].norm_ in {"can", "could"}:
                continue  # "I can't kill myself" is not a denial
            between = {doc[j].norm_ for j in range(i + 1, min(start, i + 3))}
            if between & NEGATION_BREAKERS:
                continue
            opener = {doc[j].norm_ for j in range(max(0, i - 4), i)}
            if opener & NEGATION_OPENERS:
                continue
            return True
        return False

    def subject(self, start: int, end: int) -> Who:
        """Whom an unowned phrase is about: a person word in it, else the nearest one before it."""
        doc = self.doc
        if any(doc[i].lower_ in SELF_WORDS for i in range(start, end)):
            return Who.SELF
        if doc[start].lower_ in THIRD_PERSON_VERBS:
            return Who.OTHER
        for i in range(start - 1, -1, -1):
            if self.sentence[i] != self.sentence[start]:
                break
            word = doc[i].lower_
            if word == "me" and i > 0 and doc[i - 1].lower_ in TOLD_VERBS:
                continue
            if word in SELF_WORDS or doc[i].norm_ in {"i", "am"}:
                return Who.SELF
            if word in OTHER_WORDS or word in THIRD_PERSON_VERBS:
                return Who.OTHER
            if (
                word == "'s"
                and i > 0
                and doc[i - 1].lower_ not in {"it", "that", "there", "what", "he", "she", "who", "here", "this", "life"}
            ):
                return Who.OTHER  # "my mom's suicide"
        return Who.SELF


def _keep(rule: Rule, reading: _Reading, start: int, end: int) -> bool:
    if rule.after and reading.next_word(end) not in rule.after:
        return False
    if rule.not_after and reading.next_word(end) in rule.not_after:
        return False
    return not (rule.not_before and reading.previous_word(start) in rule.not_before)


def _third_party_history(reading: _Reading, start: int, end: int) -> bool:
    """Someone else's risk that is over: mourned, long ago, or past and not recent with nobody worried."""
    doc = reading.doc
    if reading.has(Cue.GRIEF) or reading.has(Cue.PAST, sentence_of=start):
        return True
    window = [doc[i].lower_ for i in range(max(0, start - 4), end)]
    if any(word in ACCIDENT_VERBS for word in window) and any(word in ACCIDENT_MODALS for word in window):
        return True
    past = any(word in PAST_FORMS for word in window)
    return past and not reading.has(Cue.RECENT, sentence_of=start) and not reading.has(Cue.WORRY)


def _own_history(reading: _Reading, start: int, end: int) -> bool:
    """The writer's own risk, long ago and over ("years ago ... stable since")."""
    if not reading.has(Cue.PAST, sentence_of=start):
        return False
    used_to = start > 1 and reading.doc[start - 2].norm_ == "used" and reading.doc[start - 1].norm_ == "to"
    if not used_to and any(reading.doc[i].lower_ in PRESENT_FORMS for i in range(start, end)):
        return False  # "I wish I was dead", unless it is "I used to wish I was dead"
    return reading.has(Cue.RESOLVED) or not reading.has(Cue.CURRENT, sentence_of=start)


def _mention(rule: Rule, reading: _Reading, start: int, end: int) -> Mention:
    who = rule.who if rule.who is not Who.CONTEXT else reading.subject(start, end)
    category = (
        Category.THIRD_PARTY if who is Who.OTHER and rule.category is not Category.HARM_TO_OTHERS else rule.category
    )
    flags: list[str] = []
    if who is Who.OTHER and rule.category is not Category.HARM_TO_OTHERS:
        flags.append("third_party")
    if (
        reading.covered(Cue.FIGURATIVE, start, end)
        or (rule.games and reading.has(Cue.GAME, sentence_of=start))
        or (category is Category.HARM_TO_OTHERS and reading.has(Cue.HUMOUR, sentence_of=start))
    ):
        flags.append("figurative")
    if rule.negatable and reading.negated(start):
        flags.append("negated")
    if reading.covered(Cue.GRIEF, start, end):
        flags.append("historical")  # "lost my brother to suicide", "his suicide"
    elif who is Who.OTHER:
        if _third_party_history(reading, start, end):
            flags.append("historical")
    elif _own_history(reading, start, end):
        flags.append("historical")
    elif reading.near(Cue.PAST, start, end):
        flags.append("past")  # long ago, but the message says it is back: counts, names the category last
    if category in (Category.SUICIDAL_IDEATION, Category.PASSIVE_DEATH_WISH) and reading.has(
        Cue.INTENT, clause_of=start
    ):
        category = Category.INTENT_OR_PLAN
    if rule.weak:
        flags.append("weak")
    counts = not {"negated", "figurative", "historical"} & set(flags)
    return Mention(category, reading.doc[start:end].text, tuple(flags), counts)


def _settle_weak(mentions: list[tuple[Rule, Mention]], distress: bool) -> list[Mention]:
    """A weak mention counts next to words of despair or a second, different weak mention."""
    weak_rules = {id(rule) for rule, m in mentions if rule.weak and m.counts}
    settled = []
    for rule, mention in mentions:
        if rule.weak and mention.counts and not (distress or len(weak_rules) > 1):
            mention = Mention(mention.category, mention.phrase, mention.flags, False)
        settled.append(mention)
    return settled


def detect(text: str) -> Detection:
    """Whether this message needs the crisis response now, and why."""
    if not text or not text.strip():
        return NO_CRISIS
    model = _get_model()
    doc = model.doc(text)
    words = {token.norm_ for token in doc} | {token.lemma_ for token in doc}
    candidates = model.rule_index.match(doc, words)
    if not candidates:
        return NO_CRISIS
    reading = _Reading(doc, ((model.cues[key], s, e) for key, s, e in model.cue_index.match(doc, words)))
    # One mention per rule and start: the longest span.
    spans: dict[tuple[int, int], tuple[Rule, int]] = {}
    for key, start, end in candidates:
        rule = model.rules[key]
        if not _keep(rule, reading, start, end):
            continue
        previous = spans.get((key, start))
        if previous is None or end > previous[1]:
            spans[(key, start)] = (rule, end)
    if not spans:
        return NO_CRISIS
    raw = [
        (rule, _mention(rule, reading, start, end))
        for (_key, start), (rule, end) in sorted(spans.items(), key=lambda item: (item[0][1], item[1][1]))
    ]
    mentions = _settle_weak(raw, reading.has(Cue.DISTRESS))
    counted = [m for m in mentions if m.counts]
    present = {m.category for m in counted if "past" not in m.flags} or {m.category for m in counted}
    category = next((c for c in PRIORITY if c in present), None)
    return Detection(category is not None, category, tuple(mentions))
