"""What the crisis detector looks for: risk phrases by category, and the context words that qualify them.

Written for this project from clinical wording (C-SSRS), safe-messaging guidance and how people write in
SMS and chat. The development set (../shared/eval) showed which kinds of message were missed; none of its
texts is copied here or in the tests. Specs use the notation of
bot.safety.patterns. A *strong* rule is a crisis on its own; a *weak* one (a means, a goodbye, "do it")
counts only next to a second weak cue or to words of despair, because alone it is ordinary ("bye!",
"I left a note", "my pills").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Category(str, Enum):
    SUICIDAL_IDEATION = "suicidal_ideation"
    PASSIVE_DEATH_WISH = "passive_death_wish"
    INTENT_OR_PLAN = "intent_or_plan"
    ATTEMPT_OR_PREPARATION = "attempt_or_preparation"
    SELF_HARM = "self_harm"
    HARM_TO_OTHERS = "harm_to_others"
    OVERDOSE_OR_MEDICAL = "overdose_or_medical"
    THIRD_PARTY = "third_party"


# When one message holds several, the most urgent names it.
PRIORITY = (
    Category.OVERDOSE_OR_MEDICAL,
    Category.ATTEMPT_OR_PREPARATION,
    Category.INTENT_OR_PLAN,
    Category.HARM_TO_OTHERS,
    Category.SUICIDAL_IDEATION,
    Category.SELF_HARM,
    Category.PASSIVE_DEATH_WISH,
    Category.THIRD_PARTY,
)


class Who(str, Enum):
    SELF = "self"  # the phrase names the writer ("kill myself")
    OTHER = "other"  # the phrase names someone else ("kill herself")
    CONTEXT = "context"  # read from the words before it ("she wants to die", "my suicidal thoughts")


@dataclass(frozen=True)
class Rule:
    category: Category
    specs: tuple[str, ...]
    weak: bool = False
    who: Who = Who.CONTEXT
    after: frozenset[str] = frozenset()  # if set, the next token must be one of these ($END, $PUNCT too)
    not_after: frozenset[str] = frozenset()
    not_before: frozenset[str] = frozenset()
    games: bool = False  # in a sentence about a game it is figurative ("I killed myself on level 3")
    negatable: bool = True  # False: the phrase carries its own negation ("want to be alive anymore")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def rule(
    category: Category,
    *specs: str,
    weak: bool = False,
    who: Who = Who.CONTEXT,
    after: str = "",
    not_after: str = "",
    not_before: str = "",
    games: bool = False,
    negatable: bool = True,
) -> Rule:
    return Rule(category, specs, weak, who, _words(after), _words(not_after), _words(not_before), games, negatable)


SI, PDW, IOP = Category.SUICIDAL_IDEATION, Category.PASSIVE_DEATH_WISH, Category.INTENT_OR_PLAN
AOP, SH, HTO = Category.ATTEMPT_OR_PREPARATION, Category.SELF_HARM, Category.HARM_TO_OTHERS
OD, TP = Category.OVERDOSE_OR_MEDICAL, Category.THIRD_PARTY
SELF, OTHER = Who.SELF, Who.OTHER

CLAUSE_END = "$END $PUNCT and but or so because when if since anymore again"
# "dead tired", "dead inside": idioms that follow "dead" and mean something else.
DEAD_IDIOMS = "tired serious set wrong last broke on end inside meat weight center centre silent asleep"
HEIGHTS = (
    "(bridge | building | roof | rooftop | cliff | balcony | ledge | window | overpass | train | bus | truck | "
    "car | traffic | tower | high rise | highrise | parking garage | skyscraper)"
)
BODY = (
    "(arm | arms | wrist | wrists | thigh | thighs | leg | legs | skin | stomach | hip | hips | body | forearm | "
    "forearms | ankles | ribs)"
)
STEPS = "(action | actions | steps | step | moves | preparations)"
LOOK_UP = "(~research | ~google | googling | googled | ~look up | ~search | ~read up on | ~read about)"
LIFE = "(~live | ~exist | be alive | ~go on | ~keep going | ~keep living | ~carry on | ~stay alive)"

# "I cut." / "I've been cutting again", but not "my hours got cut" or "a pay cut".
CUT_AFTER = CLAUSE_END + " myself deeper deep more is was helps to for every daily last yesterday today tonight"
CUT_NOUNS = (
    "hair paper pay paycheck price budget tax job hours salary a the short power clean first final 's wage "
    "deep major big massive drastic spending "
    "wages benefit benefits funding rate rates fund funds costs staff shifts shift program"
)

RULES: tuple[Rule, ...] = (
    # --- suicidal ideation ------------------------------------------------------------------------------------
    rule(SI, "~suicide|suicidal|suicidality|suicidally|unalive|kms|ctb", "~commit sudoku"),
    rule(SI, "~kill|~off|offing|~unalive|~end @SELF", who=SELF, games=True),
    rule(SI, "~do (something | anything) (stupid | bad | drastic)? to @SELF", who=SELF),
    rule(SI, "~do something (stupid | drastic)", weak=True),
    rule(SI, "i (might | could | will | may) ~do something", after="$END $PUNCT", weak=True),
    rule(SI, "(scared | afraid | terrified | frightened) of @SELF", weak=True),
    rule(
        SI,
        "(scared | afraid | terrified | frightened | worried) (of | about) what i (might | could | will | would | "
        "may) ~do",
        after="$END $PUNCT tonight now today",
    ),
    rule(
        SI,
        "(~can | could) not (promise | guarantee) *4 safe",
        "not (feel | feeling) safe (with | around | from) @SELF",
        "not sure i *2 (stay | keep @SELF | be) safe",
        negatable=False,
    ),
    rule(SI, "~kill|~off yourself", "kys", who=SELF),
    rule(SI, "~end|~take my own? life|existence", who=SELF, not_after="back over into in seriously"),
    rule(
        SI, "~end (it all | everything | this *1 life | this *1 existence | my suffering | my misery)", not_after="with"
    ),
    rule(
        SI,
        "(~want | ~wish | ~hope | ~need | should | could | might | going | just | finally | will | ready | can | "
        "am | about to) "
        "@FILL ~end (it | things)",
        "(close to | near) (ending it | ending things | ending my life | killing @SELF | suicide)",
        not_after="with between for off on up here there",
    ),
    # Clinical shorthand: "SI is back", "passive SI", "my ideation".
    rule(
        SI,
        "(my | having | passive | active | the | some | of | with | bad | more | constant) (si | ideation)",
        "(si | ideation) (is | has | thoughts | again | lately | urges | getting | worse | back)",
        not_before="homicidal",
        not_after="score scores question questions item screen screening",
    ),
    rule(
        SI,
        "(~urge | urges | ~need) to (~die | ~kill @SELF | ~end my life)",
        "(danger | threat) to @SELF",
        "(~drink | ~starve | ~bleed | ~cut) *3 until i (~die | am dead)",
    ),
    rule(SI, "by my own (hand | hands)", "~drink|~starve|~bleed @SELF to death", who=SELF),
    rule(SI, "@DESIRE @FILL (stop | cease) (~breathe | ~exist | breathing | existing | to exist)"),
    rule(SI, "@DESIRE @FILL (stop | cease) (being alive | living)", not_after="like in with at here there paycheck"),
    rule(SI, "the? (means | way | ways | method | methods) to (~end it | ~die | ~kill @SELF)"),
    rule(
        SI,
        "(~think | ~contemplate | ~consider | thoughts | thought | ideas) (about | of)? *1 (~die | dying | "
        "ending it | ending my life | ending things | ending everything | offing @SELF | not being here)",
        not_after="my her his the their your it hair with",
    ),
    rule(
        SI,
        "(keeps | keep | kept | been | always | started | is | was) talking about (dying | suicide | ending it | "
        "ending his life | ending her life | ending my life | not being here | wanting to die | "
        "killing @OTHER_SELF | killing @SELF)",
        not_after="with",
    ),
    rule(
        PDW,
        "(~think | ~contemplate | ~consider | thoughts | thought | ideas | ~dream | ~daydream) (about | of)? *1 "
        "(not being alive | not existing | being dead | not waking up)",
        "~welcome (death | dying)",
        "(~picture | ~imagine | ~visualise | ~visualize) my own (death | suicide | funeral | dead body)",
    ),
    rule(
        SI,
        "(~think | ~contemplate | ~consider | thoughts | thought) (about | of) (jumping | overdosing | "
        "hanging @SELF | ~overdose)",
        not_after="into in on at ship over through",
    ),
    rule(
        IOP,
        "(~think | ~contemplate | ~consider | thoughts | thought) (about | of) (taking | swallowing) (them all | "
        "all of them | all my pills | all the pills | every pill | the whole bottle | all my meds)",
    ),
    rule(
        SI,
        "(~think | ~contemplate | ~consider | thoughts | thought) (about | of) (driving | steering | swerving | "
        "crashing) *2 (off the road | off a cliff | off a bridge | into traffic | into oncoming | into a tree | "
        "into a wall | my car)",
    ),
    rule(SI, "way out *3 (~die | dying | death | dead | suicide)", negatable=False),  # "don't see a way out but dying"
    rule(
        SI,
        "feel like (dying | ~die | ending it | ending my life)",
        "i (should | might as well | may as well | could) @FILL ~die",
        not_after="happy laughing of from",
    ),
    rule(SI, "(~insistent | ~obsess | ~obsessed | ~fixate | ~fixated) on (~die | dying | death)"),
    rule(
        SI,
        "(only | one) (reason | reasons) (i | that i) *2 (not dead | still alive | still here | alive)",
        "(only | one) (reason | reasons) (i | that i) (will | do | did | have | has | am) not (~kill | ~take | ~end | "
        "~do it)",
        "(only | one | just) (thing | things | person | people | reason) *2 (~keep | ~stop | ~hold) me (alive | "
        "here | around | breathing)",
        "(only | one | just) (thing | things | person | people | reason) *2 (~keep | ~stop | ~hold) me from (~do it | "
        "~end it | ~kill @SELF | ~end my life | suicide | ~go through with it)",
        "(only | one) (thing | things | person | people) (stopping | stops | holding) me back? (is | are | was) (my | "
        "the thought | knowing)",
    ),
    # Who would find the body, who would grieve: the death is being weighed, and so is being considered.
    rule(SI, "(~find | found | ~discover) my dead? body", not_after="confidence image positivity type shape"),
    rule(
        SI,
        "not (want | wanna) (my | them | him | her | anyone | people) *6 (~go through | ~find | ~see | ~deal with "
        "| ~grieve | ~mourn | ~lose | ~bury | ~clean up) *4 (death | my death | my body | me dead | losing me | "
        "my suicide | my funeral)",
        "so that? *2 (does not | do not | will not | would not | can not | never) *5 (when | after | once) i @FILL "
        "(~die | am dead | am gone | 'm gone)",
        "(guilt | guilty | ~blame @OTHER_SELF | ~blame themselves | easier | ~prepare | ~move on | ~get over me) *5 "
        "(when | after | once) i @FILL (~die | am dead | am gone | 'm gone)",
        negatable=False,
        not_after="to for from on at out in",
    ),
    rule(
        SI,
        "not *4 (~make it | ~survive | ~last) (through | past | until | till) (the night | tonight | tomorrow | "
        "the weekend | the week)",
        "not *4 (~make it | ~survive | ~last | ~go on) (another | one more) (day | night | week)",
        after="$END $PUNCT like",
        negatable=False,
    ),
    rule(
        SI,
        "(~get | ~take | ~remove) @SELF (out of | out)? (the | this) (way | picture | world | equation)",
        weak=True,
        who=SELF,
    ),
    rule(SI, "(~imagine | ~dream) (about | of)? *5 (~die | dying | killing | death | dead)", weak=True),
    # --- passive death wish -----------------------------------------------------------------------------------
    rule(PDW, "@DESIRE @FILL ~die", not_after="laughing of from my her his their the it"),
    rule(PDW, "@DESIRE @FILL (be | was | were | am | been) dead", not_after=DEAD_IDIOMS),
    rule(
        PDW,
        "@DESIRE @FILL (not | never) (~wake | ~exist | born | be born | been born | be alive)",
        not_after="early at before until",
    ),
    rule(PDW, "@DESIRE @FILL (~disappear | ~vanish)", weak=True),
    rule(
        PDW,
        "(~disappear | ~vanish | disappearing | vanishing) (from this world | from existence | from the world | "
        "from the earth | into thin air | forever | permanently | for good | without a trace | off the face)",
    ),
    rule(
        PDW,
        "(~wish | ~want | ~hope | ~pray) for? *4 (death | accident)",
        "(~hope | ~wish | ~pray) that? (something | someone | somebody | anyone | god | it) (would | will | to)? "
        "@FILL (~kill | ~take) me",
        "(want | wanna) out (for good | of life | of this life | permanently | forever)",
        "@DESIRE (my heart | my breathing) to stop",
        "@DESIRE @FILL not (~make it | ~survive | ~live) (to | past | "
        "through | until | till) (next | the end | tomorrow | christmas | my birthday)",
        "(just | ~be) waiting (to | for) (~die | death | my death)",
        "counting down (until | till | to) *3 (~die | death | dead)",
        "(ready | ~wait) for (my life | it all | life | everything) to (be over | end)",
        games=True,
    ),
    rule(
        PDW,
        "@DESIRE @FILL be gone",
        "@DESIRE @FILL (~leave | ~exit | ~quit) (this world | this earth | life | this life | the world)",
        "(okay | ok | fine) if i @FILL (did not | never) ~wake up",
        after="$END $PUNCT forever anymore for good one tomorrow",
    ),
    rule(
        PDW,
        "(done | finished) (living | being alive | existing)",
        "not interested in (living | being alive | existing)",
        "not (want | wanna) to? (continue | keep on) (living | existing | being alive)",
        not_after="in with at here there like near",
    ),
    rule(
        PDW,
        "@DESIRE @FILL (it all | everything | life | this life | my life | all of this | this all) (to end | "
        "would end | to be over | would stop | to stop | over)",
        "@DESIRE @FILL it would all (end | stop)",
        not_after="with",
    ),
    rule(
        PDW,
        "(~rather | prefer) *1 (be dead | ~die | dead | death)",
        "better (to be dead | to die | dead)",
        not_after=DEAD_IDIOMS,
    ),
    rule(
        PDW,
        "better (place | off)? (dead | gone | without me)",
        "(better | easier | happier | happy | relieved | glad | okay | fine) *4 if i @FILL (dead | gone | "
        "death | died | ~die | "
        "disappeared | "
        "not here | not around | not alive | never existed | not exist | never been born | never born)",
    ),
    rule(
        PDW,
        "(~put up with | ~deal with | ~worry about) me (much | any) longer",
        "not *2 (see | imagine) @SELF *2 (alive | being alive | being here)",
        "not *2 (see | imagine) @SELF (making it | surviving | living | lasting) (to | past | until | till | through) "
        "(@COUNT | next year | christmas | my birthday | another year | the end of the year)",
        "not *2 (felt | feel | feeling) like being alive",
    ),
    rule(
        PDW,
        "not *2 (see | imagine) @SELF *2 living",
        "not *2 (felt | feel | feeling) like (living | ~live)",
        not_after="in at with near here there",
    ),
    rule(
        PDW,
        "(~death | dying | being dead | not existing | not being alive) *1 (~be | would | sounds | seems | "
        "feels | "
        "looks) *2 (better | easier | relief | peaceful | right | good | nice | answer | option | solution | "
        "escape | appealing | tempting | inviting | welcome | preferable | only way | only option | "
        "only answer | only solution | only escape | only choice)",
    ),
    # A death dreamt of and welcomed; waking up, or surviving, as a letdown.
    rule(
        PDW,
        "(~dream | dreamt | dreamed | dreaming) *6 (~die | died | dead | dying) *4 ,? *4 (wonderful | "
        "beautiful | peaceful | lovely | amazing | relief | relieved | happy | happiest | best | calm)",
        "(i | me) (~die | died | was dead | dying) in *1 (dream | dreams | sleep) *2 ,? *6 (wonderful | beautiful | "
        "peaceful | lovely | amazing | relief | relieved | happy | happiest | best | calm | disappointed)",
        "(disappointed | devastated | gutted | bummed | upset | angry | mad | pissed) (that | when | to | i)? *2 "
        "(survived | ~survive | am still alive | still alive | did not die | did not succeed)",
    ),
    rule(
        PDW,
        "(~wake | woke) up *2 (disappointed | devastated | gutted | upset | angry | sad) *3 (still here | still "
        "alive | alive | i did not die | i survived)",
        "(nothing | nobody | no one | not *2 anything | not *2 anyone) (left)? to live for",
        negatable=False,
    ),
    rule(
        PDW, "(disappointed | devastated | gutted | bummed) (that | when | to | i)? *2 still here", after="$END $PUNCT"
    ),
    rule(
        PDW,
        "(disappointed | devastated | gutted | bummed) (that | when | to | i)? *2 (woke | ~wake) up?",
        after="$END $PUNCT again every each this in",
    ),
    rule(
        PDW,
        "(tired | sick | exhausted | done) (of | with) *1 (being alive | living | existing | life | existence | "
        "breathing | waking up | wanting to live)",
        not_after="with in at here there like paycheck",
    ),
    rule(
        PDW,
        "~hate (being alive | living | existing | waking up | my existence)",
        "(would | 'd) hate to live",
        not_after="with in at here there near so alone paycheck on by like early",
    ),
    rule(
        PDW,
        "why @FILL (live | ~exist | bother living | ~keep living | ~keep going | ~go on | ~carry on | be alive | "
        "stay alive)",
        "why (am | are)? @FILL am? (still | even) still? (here | alive | breathing | living | around)",
        after="$END $PUNCT anymore",
    ),
    rule(
        PDW,
        "(no | zero | without | lost | losing | lose | what *2) (reason | reasons | will | desire | purpose | "
        "point) "
        "(to | for | of | in) " + LIFE,
        "(no | what *3) point (in | of) (living | life | being alive | existing | staying alive | going on | "
        "carrying on)",
        "~give me (one | a | any) (reason | reasons)",
        "not *2 any (reason | reasons | will | desire | purpose) (to | for) " + LIFE,
        "not *2 see (the | any) point (in | of | to) " + LIFE,
        not_after="with in at there a an about vacation holiday trips dates",
    ),
    rule(
        PDW,
        "(not | never) (meant | supposed) to be (alive | born | living)",
        "(not | never) ~deserve to (~live | ~exist | be alive)",
        "i @FILL ~deserve (to ~die | death | to be dead)",
    ),
    rule(PDW, "not (want | wanna) to? " + LIFE, after=CLAUSE_END + " any no like this tomorrow tonight today"),
    rule(PDW, "not *4 (~keep living | ~keep going | ~go on | ~live) like this", negatable=False),
    rule(
        PDW,
        "~give up (for good | on life | on living | on everything | on myself)",
        "(tired | sick | exhausted) of (fighting | trying | struggling) *3 (alive | live | living | going)",
    ),
    rule(
        PDW,
        "(~picture | ~imagine | ~plan) my own funeral",
        "~think (about | of) my own? funeral",
        "(who | how many people | anyone | anybody | nobody | no one) (would | will | 'd) (~come | ~show up | ~go | "
        "~cry) (to | at) my funeral",
    ),
    rule(PDW, "my funeral", weak=True),
    rule(PDW, "not (want | wanna) to? be here", after="$END $PUNCT", weak=True),
    rule(PDW, "@DESIRE @FILL (it | this | everything) to (end | stop)", after="$END $PUNCT", weak=True),
    rule(
        PDW,
        "@DESIRE @FILL *3 to (stop | end) (forever | for good | permanently)",
        "@DESIRE @FILL it to be over",
        weak=True,
    ),
    rule(PDW, "(~can | could) not ~go on", after="$END $PUNCT anymore any like living"),
    rule(
        PDW,
        "not (want | wanna) to? ~wake up",
        "(sleep | ~go to sleep | ~fall asleep) and (never | not) ~wake up",
        not_after="early at before until for",
    ),
    rule(
        PDW,
        "not (want | wanna) to? be (here | around) (anymore | any longer | no more)",
        "~want to? (be alive | ~live | ~exist) anymore",
        "(not | never) (~live | ~exist) (anymore | any longer)",
        "no longer (want | wish | care) to? (~live | ~exist | be alive | be here)",
        negatable=False,
    ),
    rule(
        PDW,
        "(not | no longer) (care | mind) (if | whether) i @FILL (~live | ~die | dead | ~wake | alive)",
        "(not | no longer) (care | mind) (if | whether) i (got | get | was | were) (hit | run over | killed)",
        "if i (got | get | was | were) (hit | run over | killed) *6 not (~care | ~mind)",
        "not (~care | ~mind) if (a | the) (car | bus | truck | train) (hit | hits | ~run over | ran over | ~kill) me",
        "not (~care | ~mind) if my (plane | flight | car) (went down | ~crash | crashed)",
        "better off with *2 (life insurance | insurance money | insurance payout)",
    ),
    # Worn out from holding on: each alone is ordinary, together (or with despair) a death wish.
    rule(PDW, "(done | tired of | sick of) fighting", "ready to let go", weak=True, after="$END $PUNCT anymore now"),
    rule(PDW, "~run out of reasons", after="$END $PUNCT"),
    rule(PDW, "~run out of reasons (to | for) " + LIFE),
    rule(PDW, "(fine | okay | ok | alright | happier) without me", weak=True, after="$END $PUNCT"),
    rule(PDW, "at peace with (my decision | it | dying | death | leaving)", "made my peace", weak=True),
    rule(
        PDW,
        "(~can | could) not (~take | ~handle | ~bear | ~stand | ~do | ~deal with | ~live) *3 (life | living | "
        "existence | being alive)",
    ),
    rule(
        PDW,
        "~wish @FILL (not | never) (~survive | ~wake | been born | born | ~exist | ~fail | alive)",
        "~wish @FILL (~have | 'd | would | could) have? (~die | dead | succeeded)",
        "~wish @FILL not have to *2 (~live | living | ~exist | ~wake | alive)",
    ),
    rule(
        PDW,
        "(unfortunately | sadly) ,? i @FILL (~survive | ~live | ~wake)",
        "not (~die | dead) ,? (unfortunately | sadly)",
        "still (alive | here) ,? (unfortunately | sadly)",
        "(unfortunately | sadly) ,? i *1 still (alive | here)",
    ),
    rule(
        PDW, "(~daydream | ~fantasize | ~fantasise | ~fantasy) (about | of) *7 (~die | dying | death | dead | killing)"
    ),
    rule(PDW, "not actively suicidal", "(passive | passively) (suicidal | ideation | suicide)", "~give up and ~die"),
    rule(PDW, "@DESIRE @FILL drop dead", "get to ~die", "(can | could) finally (~die | rest)"),
    rule(
        PDW,
        "@DESIRE @FILL (sleep forever | go to sleep forever | fall asleep forever)",
        not_after="on in at during every until after",
    ),
    # Wishing for an illness or an accident that ends in death ("hope I get sick and die", "want a bus to hit me").
    rule(PDW, "(~wish | ~hope | ~pray) that? i *5 (and | then) ~die", not_after="laughing of from"),
    rule(PDW, "@DESIRE (a | the | some) (car | bus | truck | train | drunk driver) to (~hit | ~kill | run over) me"),
    rule(
        PDW,
        "@DESIRE @FILL (get | be | ~get) (hit | run over) by (a | the) (car | bus | truck | train)",
        "(~hope | ~wish | ~pray) *3 (car | bus | truck | train) (hits | would hit | will hit) me",
        "not (~mind | ~care) (not waking up | not ~wake up | dying | being dead)",
        "(life | living) ~be? not worth (living | it)",
        "not worth living",
    ),
    rule(
        PDW,
        "(nobody | no one | who) *1 (would | will | 'd) (~miss | ~care about) me",
        after="$END $PUNCT if when",
        negatable=False,
    ),
    rule(
        PDW,
        "(nobody | no one | who) *1 (would | will | 'd) (~miss | ~notice | ~care) *3 (if | when) i @FILL (~die | "
        "dead | gone | ~disappear | not here | not around | ~kill @SELF)",
        "(glad | happy | relieved) *2 i am? (dead | gone)",
    ),
    rule(
        PDW,
        "(my | your) death (would | will) *2 (~improve | ~help | better | easier | relief | ~free | ~solve)",
        "if i (just | simply | finally) (~die | ~disappear | dead | gone)",
    ),
    rule(
        PDW,
        "(if | when | once | after) i @FILL (~die | dead | gone | am dead | am gone)",
        "my death",
        weak=True,
        not_after=DEAD_IDIOMS,
    ),
    rule(PDW, "not (afraid | scared) (of | to) (~die | dying | death)", weak=True),
    rule(
        PDW,
        "(finally | will | can) be? at (peace | rest)",
        "(i | then) (will | can) finally? rest",
        weak=True,
        not_after="up my the for",
    ),
    rule(PDW, "(want | wanna) out", weak=True, not_after="of"),
    # --- intent or plan ---------------------------------------------------------------------------------------
    rule(IOP, "(~ready | prepared) to (~die | ~end it | ~end my life | ~kill @SELF)"),
    rule(
        IOP,
        "(~plan | ~decide | ~intend | ~prepare) (on | to)? (committing | ~commit)? (~die | dying | ~kill @SELF | "
        "~hang @SELF | ~overdose | suicide | ~end it | ~end my life | ~take my life)",
    ),
    rule(IOP, "(~plan | ~decide | ~intend | ~prepare) (on | to) ~jump", not_after="into in on at"),
    rule(
        IOP,
        "~plan (my | a | the) own? (suicide | death | exit | funeral)",
        "(suicide | suicidal) (plan | plans | date | method | methods | pact | letter | note | notes)",
    ),
    rule(
        IOP,
        "~hang|~shoot|~drown|~stab|~poison|~gas|~electrocute|~strangle|~suffocate|~hurl|~throw @SELF",
        who=SELF,
        not_after="into at up",
    ),
    rule(
        IOP,
        "~slit my *1 (wrist | wrists | throat)",
        "~blow my brains",
        "(bullet | gun) (in | to | into | through) my (head | mouth | brain | temple)",
        who=SELF,
    ),
    rule(IOP, "~jump (off | from | in front of | out of) *3 " + HEIGHTS, games=True),
    rule(IOP, "~jump (off | from)", after="$END $PUNCT", weak=True),
    rule(
        IOP,
        "(~drive | ~crash | ~steer) *4 (into | off) *2 (pole | wall | truck | tree | bridge | cliff | traffic | "
        "oncoming | semi | lake | river | barrier | overpass)",
        "(~run | ~drive | ~steer | ~send | ~swerve) (my | the) car (off | into) (the road | a cliff | a bridge | "
        "a tree | a wall | traffic | the river | the lake | oncoming)",
        "~swerve (into | in front of) *2 (traffic | oncoming | truck | tree | semi | bus)",
    ),
    rule(IOP, "@DESIRE @FILL (~crash | ~wreck) (my | the) car", after="$END $PUNCT into on"),
    rule(
        IOP,
        "garage *5 (car | engine) running",
        "(car | engine) running *4 garage",
        "make it look like an accident",
        "(gun | rope | pills | noose | knife) and a plan",
        "a plan and (a | the) (gun | rope | pills | noose | knife)",
        "(~find | ~know) *2 (way | method) to (~die | ~end it | ~kill @SELF | ~end my life)",
    ),
    rule(
        SI,
        "(how much longer | how long) *3 (~hold on | ~keep @SELF alive | ~stay alive | ~keep going)",
        "not *3 ~hold on (much | any)? longer",
        "~talk me out of (it | this | killing | ending | doing it)",
        "so (that)? i @FILL ~die",
        "(so | too | would be) easy to @FILL (~crash | ~die | ~end it | ~jump | ~drive off | ~swerve)",
        "(what | something) i (might | could | may | will) ~do to @SELF",
    ),
    rule(PDW, "(be | stay) alive (much | any) longer", "why (am | are) i (even | still)? alive", negatable=False),
    rule(
        AOP,
        "(~give | giving | gave) away all? my (things | stuff | belongings | possessions)",
        "(~give | giving | gave) all? my (things | stuff | belongings | possessions) away",
        not_after="before because since",
    ),
    rule(AOP, "(~give | giving | gave) away *4 (because | since | as | cause) i (will not | no longer) need"),
    rule(
        AOP,
        "(note | letter | letters | notes) (for | to) *3 to find",
        "(~say | saying) my (goodbyes | last goodbyes | final goodbyes)",
        after="$END $PUNCT",
    ),
    rule(
        AOP,
        "(because | since | as | cause) i (will not | am not going to | not going to) be (here | around | alive)",
        "not (their | your | his | her | anyone 's | anybody 's) fault",
        after="$END $PUNCT anymore then",
        weak=True,
    ),
    rule(
        AOP,
        "will not need (it | them | this | these | anything | any of it) (anymore | any more | where i am going)",
        weak=True,
    ),
    # Steps taken towards dying, and attempts begun then abandoned.
    rule(
        AOP,
        "(~take | ~start | ~make) *3 " + STEPS + " (towards | toward) the end",
        "(~prepare | preparing | ~get ready) for the end",
        after="$END $PUNCT",
    ),
    rule(
        AOP,
        "(~take | ~start | ~make) *3 " + STEPS + " (towards | toward | to) (~end it | ending it | ~end my life | "
        "ending my life | my death | dying | death | ~die | suicide)",
        "(~prepare | preparing | ~get ready) (for | to) (my death | ~die | dying | my suicide | ~end it | "
        "~end my life | ~kill @SELF)",
        "(~start | ~try | ~attempt | almost | nearly) (it | did)? ,? but *5 (could not | did not | can not | "
        "was not able to | failed to) (~follow through | ~go through with it | ~finish the job | ~finish it)",
    ),
    rule(IOP, "tonight is the night", weak=True),
    rule(IOP, "(is | be) the (day | night) i (~end it | ~kill @SELF | ~end my life)", "(is | be) the night i ~do it"),
    # A plan said outright, or how the death will happen worked out.
    rule(
        IOP,
        "(~plan | planning | planned | ~figure | figured | ~work | worked | ~decide | decided) out? exactly? "
        "(how | when | where) i *4 (~die | ~kill @SELF | ~end it | ~end my life)",
    ),
    rule(IOP, "i (have | 've got | made) a plan", after="$END $PUNCT and", weak=True),
    rule(
        IOP,
        LOOK_UP + " *2 (ways | methods) to ~do it",
        "(~look at | looking at) (ways | methods) to ~do it",
        after="$END $PUNCT online",
    ),
    rule(IOP, "made up my mind", "ready to go", weak=True, not_after="to on for back out home with"),
    rule(AOP, "edge of the (platform | roof | rooftop | bridge | building | cliff | balcony | tracks)", weak=True),
    rule(
        IOP, "(going to | about to | will | ready to) ~jump", "@DESIRE to? ~jump", after="$END $PUNCT now tonight off"
    ),
    rule(IOP, "(~painless | peaceful | quickest | quick | easiest) (way | ways) to go", not_after="to about through"),
    rule(
        IOP,
        "how (much | many) @MEDS *4 (would take | it take | ~kill | ~die | lethal | enough to)",
        "@MEDS *2 (lined up | laid out | counted out | all ready)",
    ),
    rule(
        IOP,
        "(the | all the | all my | a bottle of | a handful of | a pile of) @MEDS *3 (in front of me | "
        "in my hand | in my hands | next to me | beside me | ready)",
        after="$END $PUNCT",
        weak=True,
    ),
    # Looking up means: how many pills, which bridge.
    rule(
        IOP,
        LOOK_UP + " *3 how (many | much) *4 @MEDS",
        LOOK_UP + " *3 (painless | lethal | surest | suicide) (methods | method | ways | way)",
    ),
    rule(
        IOP,
        LOOK_UP + " *3 (tallest | highest | ~bridge | ~gun | ~rope | ~noose | lethal | ~method | ~overdose | "
        "~dose | ~poison)",
        weak=True,
    ),
    rule(
        IOP,
        "(~step | ~walk | ~lie | ~throw @SELF) *2 (in front of | into | onto) *2 (train | bus | traffic | "
        "truck | car | tracks)",
    ),
    rule(
        IOP,
        "(courage | guts | nerve | balls | brave enough | strength) to @FILL (~jump | ~die | ~hang @SELF | "
        "~kill @SELF | ~end it | ~end my life | pull the trigger)",
    ),
    rule(IOP, "(courage | guts | nerve | balls | brave enough) to @FILL (~do it | ~go through with it)", weak=True),
    rule(
        IOP,
        "(~painless | quick | quickest | easy | easiest | best | fast | fastest | sure | surest | effective | "
        "reliable | peaceful | good) (way | ways | method | methods) (to | of | for) (~die | dying | "
        "~kill @SELF | ~end it | ~end my life | suicide | ~overdose | od)",
    ),
    rule(
        IOP,
        "how @FILL (~easy | ~quick | ~painless | long | many | much | fast) *6 (~die | ~overdose | od | lethal | "
        "fatal | deadly)",
    ),
    rule(
        IOP,
        "(lethal | fatal | deadly) (dose | amount | overdose | combination | combo)",
        "~be (this | that | these | it)? enough @MEDS",
        "enough @MEDS to *2 (~die | ~kill | ~end | od | ~overdose | ~do it | ~wake)",
    ),
    rule(
        IOP,
        "rope|ropes|noose|nooses",
        not_before="jump jumping skip skipping tow jumprope climbing",
        not_after="course courses swing bridge",
    ),
    rule(
        IOP,
        "(~drink | ~pour | ~swallow | cup of | glass of | bottle of) *2 (bleach | antifreeze | poison | "
        "cyanide | drano)",
    ),
    rule(
        IOP,
        "not (planning | plan | intend | intending) (on | to)? (be here | be around | be alive | being here | "
        "being around | being alive)",
        after="$END $PUNCT much anymore",
    ),
    rule(
        IOP,
        "not *3 (i will | i would | i 'll | i 'd) be alive (by | at | in | next | tomorrow | much | for)",
        "(gun | knife | blade | rope | pills) *2 (with me | on me | in my hand | in my lap) (right now | now)",
        "(enough | a lot of | all my | a stash of) @MEDS (saved | stockpiled | hoarded | collected | stashed)",
        "(~swallow | ~take | ~drink) (everything | all) (in | from) (the | my) (medicine cabinet | cabinet)",
    ),
    rule(
        IOP,
        "not (planning | plan | intend | intending) (on | to)? (~come | coming) back",
        after="$END $PUNCT alive home",
    ),
    rule(IOP, "i (will | going to | am going to) ~check out", after="$END $PUNCT"),
    rule(
        IOP,
        "the (day | date) i (~set | ~pick | ~choose)",
        "(~set | ~pick | ~choose) (a | the) (date | day)",
        "(a | the) (date | day) (picked | set | chosen) out?",
        not_after="for to up of with that which when out",
    ),
    rule(
        IOP,
        "(~buy | bought | ~get | ~order | ~keep | ~stockpile | ~hoard) *2 (a | some | the | my | enough)? "
        "(rope | noose | gun | firearm)",
        "(~stockpile | ~hoard | ~save | saving up | ~collect) *2 (my | the)? @MEDS",
    ),
    rule(
        IOP,
        "~gun|~pistol|~firearm|~razor|~blade|~knife|~bridge|bleach|edge",
        "(train | railway | railroad)? tracks",
        weak=True,
        not_before="shaving safety bullet on cutting",
    ),
    rule(
        IOP,
        "(~take | ~swallow | ~drink | ~pop | ~down | ~chug) *1 (the | all | all my | all of my | all the | "
        "every) @MEDS",
        weak=True,
    ),
    rule(
        IOP,
        "(going to | will | might | want to | ready to | tempted to | about to) ~use (it | them | the gun | "
        "the rope | the pills | the knife)",
        "~use *3 on @SELF",
        weak=True,
    ),
    rule(IOP, "~use (the | a | my | his | her) (gun | knife | blade | razor | rope) on @SELF"),
    # Means, place and body: each alone is ordinary, two of them (or one with despair) are a plan.
    rule(
        IOP,
        "(at | into | through | across | against) my (temple | temples | wrist | wrists | throat | "
        "jugular | vein | veins | artery | arteries | carotid)",
        "(~hold | held | ~put | ~press | ~point | pointed) it (to | against | at | on) my (head | temple | temples | "
        "throat | neck | wrist | wrists | chest | heart | mouth)",
        "~load *3 (gun | pistol | rifle | revolver)",
        "(gun | pistol | rifle | revolver) *2 (loaded | cocked)",
        "(~have | got | ~collect | ~save | saved) enough @MEDS",
        "(which | what) (bridge | building | method | rope | gun | pills | cliff | tree) i am? @FILL ~use",
        "@MEDS *2 and (a bottle of)? (vodka | whiskey | whisky | alcohol | wine | booze | liquor | rum | tequila)",
        weak=True,
    ),
    rule(
        IOP,
        "(~walk | ~swim | ~wade) (into | out into | out to) the (ocean | sea | lake | river | water | waves)",
        weak=True,
    ),
    rule(IOP, "(and | to) (never | not) ~come back", weak=True, negatable=False),
    rule(SI, "(and | to) ~end it", after="$END $PUNCT all", weak=True),
    rule(IOP, "(~get | got | have) everything (ready | planned | prepared | in place | sorted out)", weak=True),
    rule(
        IOP,
        "(~plan | planning | planned | ~know | ~figure | figured | ~decide | decided | ~work | worked) out? "
        "exactly? (how | when | where) (i | to) *4 ~do it",
        weak=True,
    ),
    rule(
        IOP,
        "~do it and (when | where)",
        "(how | when | where) and (when | where | how) i (am | will | would | 'll | 'd | plan | ~go)",
        weak=True,
    ),
    rule(
        IOP,
        "(~take | ~swallow | ~drink | ~pop | ~down | ~chug | ~eat) *2 @QTY *3 @MEDS",
        not_after="as every each daily regularly correctly prescribed",
    ),
    rule(
        IOP,
        "(~want | ~plan | ~go | ~think | ~consider | ~about | ~ready | just | will | might | to | i) (od | oding)",
        "overdose|overdosing",
    ),
    rule(IOP, "my? (~time | times) (has | is)? (~come | here)", "this is it", weak=True),
    rule(
        IOP,
        "(almost | nearly | finally | actually | going to | plan on | planning on | planning to | ready to | "
        "if i | when i | will | might | just need to) *2 (~do it | doing it | done it | ~go through with it | "
        "~follow through)",
        weak=True,
        not_after="right later tomorrow now with again",
    ),
    rule(IOP, "this time (i | it) will not ~fail", weak=True),
    # --- attempt or preparation -------------------------------------------------------------------------------
    rule(
        AOP,
        "(suicide | suicidal) (attempt | attempts | attempted)",
        "attempted @COUNT (times | years | months | weeks | days)",
    ),
    rule(
        AOP,
        "(my | first | second | third | last | previous | recent | latest | failed | weekly | daily) "
        "(attempt | attempts)",
        not_after="at to on of in with",
    ),
    rule(
        AOP,
        "attempt|attempted|attempting",
        after="$END $PUNCT again before twice once suicide yesterday recently "
        "last but and so when while since in at as on years months ago",
        not_before="an the first my",
    ),
    rule(
        AOP,
        "(~try | ~attempt) to (~kill @SELF | ~hang @SELF | ~shoot @SELF | ~drown @SELF | ~off @SELF | "
        "~end my life | ~take my life | ~end it | ~overdose | od | ~die)",
        not_after="with better",
    ),
    rule(
        AOP,
        "(stopped | caught | found) me (from | before | while | when)? *2 (jumping | cutting | hanging | "
        "killing @SELF | ~jump | ~hang)",
        "(stopped | caught | found) me (from | before | while | when)? *2 (taking | swallowing | drinking | ~take | "
        "~swallow | ~drink) *2 @MEDS",
    ),
    rule(
        AOP,
        "(~hold | ~put | ~press | held) *3 (knife | blade | razor | gun | pistol) *3 (to | over | against | on | "
        "into) my? (wrist | wrists | throat | neck | head | temple | skin | arm | chest | heart)",
        "(~tie | tied | ~hang | hung) *3 (rope | ropes | belt | cord | noose | sheet)",
        "(rope | noose) *2 (tied | ready | up)",
        "(knife | blade | razor | gun | pistol) *2 (to | against | on) my (wrist | wrists | throat | neck | head | "
        "temple | chest)",
        "(~stand | ~sit | standing | sitting | stood | sat) (on | at) (the | a | this | my) (bridge | roof | "
        "rooftop | ledge | edge | railing | tracks) *4 (right now | now)",
        "(~be | am) (on | at) (the | a | this | my) (bridge | roof | rooftop | ledge | railing | tracks) *4 "
        "(right now | now)",
        "(hose | pipe | tube) *5 exhaust",
    ),
    rule(
        AOP,
        "(~write | wrote | written | writing) *3 (note | notes | letter | letters)",
        "(~leave | left | leaving) *2 (note | notes | letter | letters) (for | to)",
        weak=True,
    ),
    rule(AOP, "(suicide | goodbye) (note | notes | letter | letters | message | messages | post | text | video)"),
    rule(
        AOP,
        "(~give | giving) away (my | all) *2 (pets | cat | dog)",
        "(~give | gave | giving) my (dog | cat | pets | pet) to",
        weak=True,
    ),
    rule(
        AOP,
        "(~finalise | ~finalize | ~settle | ~get | ~put) *2 (things | affairs | everything | "
        "stuff) *1 (in order | in place | first)",
        weak=True,
    ),
    rule(AOP, "(~wake | woke) up in *1 (hospital | icu | er | ambulance | ward)", weak=True),
    rule(AOP, "charcoal", "stomach pumped", "~pump my stomach", weak=True),
    rule(AOP, "~lock @SELF in", "(~stop | stopped) (midway | halfway)", "(~back | ~chicken) out", weak=True, who=SELF),
    rule(AOP, "(but | until) *3 (stopped | saved | interrupted | found) me", after="$END $PUNCT just in", weak=True),
    rule(AOP, "(~write | ~make | ~update | ~finish) *2 my (will | testament)", after="$END $PUNCT and", weak=True),
    # Goodbyes
    rule(
        AOP,
        "(goodbye | bye | farewell) (everyone | everybody | world | forever | y'all | reddit | cruel world | for good)",
        "(~say | saying) (goodbye | bye | farewell | goodbyes) to *2 (everyone | everybody | people | family | "
        "friends | world | life | you all | loved | parents | kids)",
        "(nice | good | great) knowing (you | y'all | everyone | u | everybody)",
        "this is (goodbye | farewell)",
        "by the time *3 ~read this",
        "final (message | goodbye | farewell | post | note | letter | words)",
        "last (words | goodbye | letter | note | farewell)",
        "(will not | not going to) be (here | around) *1 (much longer | for long | long | anymore | to)",
        "(will not | not going to) be alive",
        "my last (day | night | days) (on earth | alive)",
    ),
    rule(AOP, "goodbye|farewell|bye|goodbyes", weak=True),
    rule(AOP, "last (message | post | text | time)", "final thoughts", weak=True, not_after="for before until today"),
    rule(
        AOP,
        "the last (message | text | thing | time) *4 (from me | hear from me | ~get from me)",
        "~tell (my | everyone | them | him | her) *3 (i loved | that i loved)",
    ),
    # Parts of a farewell: each alone is ordinary, together they are goodbye.
    rule(
        AOP,
        "(not | never | nobody | no one) (should | can)? blame (yourself | yourselves | anyone | each other | "
        "themselves)",
        weak=True,
        negatable=False,
    ),
    rule(
        AOP,
        "what i am (about | going) to do",
        "(when | once | if) (you | anyone | someone | u | they) *1 ~read this",
        weak=True,
        negatable=False,
    ),
    rule(
        AOP,
        "sorry i (was not | could not be | could not | was never) (enough | stronger | better | strong enough)",
        weak=True,
    ),
    rule(AOP, "i love you (mom | mum | dad | all | guys | everyone)", weak=True),
    rule(AOP, "(will not | not going to) be a burden (anymore | much longer | for long | after)", weak=True),
    rule(AOP, "(thank you | thanks) for everything", weak=True),
    rule(AOP, "love you all", "~tell *3 (i love | that i love | i am sorry | that i am sorry)", weak=True),
    rule(AOP, "(everyone | everybody | all the people) i love", weak=True),
    rule(
        AOP,
        "not (answer | answering | pick up | picking up | respond | responding | reply | replying)",
        weak=True,
        negatable=False,
    ),
    rule(
        IOP,
        "i @FILL (will | going to | would | 'd | might | should | could) be dead",
        "ill be dead",
        not_after=DEAD_IDIOMS,
    ),
    rule(AOP, "i @FILL (will | going to | would | 'd | might | should | could) be gone", weak=True),
    # --- overdose or medical emergency ------------------------------------------------------------------------
    rule(
        OD,
        "(took | swallowed | drank | popped | taken | ate | downed) *2 (@QTY | too many | a lot of | lots of | "
        "most of | half) *4 @MEDS",
        not_before="not never",
    ),
    rule(
        OD,
        "(took | taken | swallowed | popped) *2 (half | most | all | the rest) of? (the | a | my)? (bottle | "
        "pack | packet | strip)",
        not_before="not never",
    ),
    rule(
        OD,
        "(took | taken | swallowed) *2 (way | much | a lot | lots)? more than (my | the) (prescription | "
        "prescribed | dose | dosage)",
        "(took | taken | swallowed) something *6 (can not breathe | heart is racing | can not feel | passing out | "
        "throwing up)",
    ),
    rule(IOP, "(~stop | stopping) (taking)? my (meds | pills | medication)", weak=True),
    rule(IOP, "(~take | ~swallow) (them | these) all (at once | together)", weak=True),
    rule(
        OD,
        "overdosed",
        "(drank | swallowed) (bleach | antifreeze | poison | cyanide)",
        "(took | swallowed | drank | overdosed) *5 on purpose",
    ),
    # --- self-harm --------------------------------------------------------------------------------------------
    rule(SH, "selfharm"),
    rule(
        SH,
        "(my | a | of | from | with | on | about | the | into | no | bad | stop | urge | urges) sh",
        "sh (scars | scar | urges | urge | problem | habit | wounds | relapse | marks | free | again)",
    ),
    rule(
        SH,
        "~cut|~burn|~hit|~punch|~scratch|~hurt|~harm|~injure|~bruise|~mutilate|~bite|~carve|~slice|~stab|~starve @SELF",
        who=SELF,
        not_after="up over playing at while lifting running working during falling skiing skating shaving cooking off",
    ),
    rule(SH, "~make @SELF *2 (bleed | ~suffer | ~hurt)", who=SELF),
    rule(SH, "~cut too deep", weak=True),
    rule(SH, "(will not | not) stop bleeding", weak=True),
    rule(
        SH,
        "(~hit | ~bang | ~punch | ~slam) my head *4 (on purpose | until | to feel | to hurt)",
        "until (it | i) (~bleed | bled | bleeds | bleed)",
        "(~punch | ~hit | ~bang | ~slam) (walls | the wall | a wall | things) *3 until (my | i) *2 (~bleed | bled | "
        "bleeding | ~break | broke)",
        "(~burn | ~cut | ~hit | ~scratch | ~bruise | ~punch | ~bang | ~slam | ~put | ~hold | held | ~stick) my *1 "
        "(hand | hands | arm | arms | wrist | wrists | leg | legs | skin | head | fist | fists | finger | fingers | "
        "thigh | thighs | palm) *6 (on purpose | deliberately | intentionally | purposely | purposefully)",
        who=SELF,
    ),
    rule(SH, "~put @SELF in (danger | harm)", weak=True, who=SELF),
    rule(SH, "~make @SELF *2 (physically | pain | bad)", weak=True, who=SELF),
    rule(
        SH,
        "(~cut | ~slash | ~scratch | ~burn | ~carve) *2 (my | into | on | in) *1 " + BODY,
        "(slash | slashes | cuts | scratches | burns | gashes | scars) *2 (to | on | into | in | across | over) my *1 "
        + BODY,
    ),
    rule(SH, "cut|cuts", after=CUT_AFTER, not_before="got get gets getting was were been be is are " + CUT_NOUNS),
    rule(SH, "cutting", after=CUT_AFTER, not_before=CUT_NOUNS),
    rule(
        SH,
        "(~urge | urges | urged | tempted | ~want) to (~cut | ~burn | ~hurt @SELF | ~harm @SELF | ~bleed | ~scratch)",
        not_after="back off down up out the my his her it costs",
    ),
    rule(
        SH,
        "(~stop | ~quit | ~resist | ~relapse | relapsed) *1 (cutting | sh)",
        "(~put | ~place | ~throw) (my | the) *1 (razor | razors | blade | blades) (down | away)",
        "(~cut | cutting | sh | selfharm) (free | clean)",
        "(~relapse | relapsed | relapsing) *6 (cut | cuts | cutting | ~blade | razor | ~bleed | bled | ~burn | burned "
        "| burnt | scars | wounds | sh | selfharm)",
        "(cut | cutting | sh | selfharm) *4 (~relapse | relapsed | relapsing)",
    ),
    rule(SH, "(razor | razors | blade | blades) *4 (only thing | helps me | calms me | makes me feel)"),
    rule(
        SH,
        "(deep | fresh | bleeding | open) (cuts | wounds | gashes)",
        "(my | the | these) (cuts | wounds | cut) (are | were | is | was) so? (deep | deeper | bleeding | fresh | "
        "infected)",
        not_after="of to in from",
        not_before="budget pay funding tax staff price rate job spending",
    ),
    # --- harm to others ---------------------------------------------------------------------------------------
    rule(
        HTO,
        "(~want | ~go | will | may | might | could | ~urge | urges | ~plan | ~think | ~tempt | ~fantasize | "
        "~dream | feel like | ~afraid | ~scared | ~worried | thoughts of | thought of | ~think about | "
        "~think of | "
        "thoughts about) @FILL physically? (~kill | ~murder | ~stab | ~shoot | ~strangle | "
        "~choke | ~poison | ~drown) (my | the | that | this | a | those | these | every)? @PERSON",
        who=SELF,
    ),
    rule(
        HTO,
        "(~want | ~go | will | may | might | could | ~urge | ~plan | ~think | ~afraid | ~scared | ~worried | i | "
        "thoughts of | thought of | thoughts about) "
        "@FILL physically? (~hurt | ~harm | ~attack | ~beat up | ~abuse) (someone | somebody | people | others | "
        "anyone | everyone | a person | the people | those people | the person | my baby | my child | my kids | "
        "my children | my son | my daughter | "
        "the baby | kids | children)",
        "(~plan | ~intend | planning) to physically? (~hurt | ~harm | ~attack | ~beat up) (my | the | that)? @PERSON",
        "(~want | ~go | will | ~plan | ~urge) @FILL physically? (~hurt | ~harm | ~attack | ~beat up) (the | those | "
        "these) (kids | students | bullies | guys | girls | boys) (who | that | at)",
        who=SELF,
        not_after="feelings 's pride chances",
    ),
    rule(
        HTO,
        "i (am | keep)? @FILL (~want | ~go | going to | will | ~plan | ~urge | ~afraid | ~scared | "
        "~think about | thoughts of | thinking about) @FILL physically? (~hurt | ~harm | ~attack | ~beat up | "
        "hurting | harming) (my | the | that)? @PERSON",
        who=SELF,
        not_after="feelings 's pride chances by if emotionally when with",
    ),
    rule(HTO, "~make (them | him | her | everyone | those people) pay", weak=True, who=SELF),
    rule(
        HTO,
        "pay with (his | her | their) (life | lives)",
        "~shoot up (the | a | my) (school | office | work | place | class | church | mall)",
        "(~bring | ~take) a gun to (school | work | class)",
        who=SELF,
    ),
    rule(
        HTO,
        "(going to | will | want to | wanna | ~plan to | about to | ready to | ~try to) @FILL (~hurt | ~harm | "
        "~beat up) (him | her | them)",
        who=SELF,
        games=True,
        after="$END $PUNCT when badly bad tonight physically before",
    ),
    # --- third party (the person at risk is someone else) -----------------------------------------------------
    rule(
        TP,
        "~kill|~hurt|~harm|~cut|~hang|~shoot|~off|~unalive|~overdose|~starve|~burn|~drown|~poison|~end|~stab "
        "@OTHER_SELF",
        who=OTHER,
        not_after="up over playing at while lifting running working during falling skiing skating shaving cooking off",
    ),
    rule(TP, "(~end | ~take) (his | her | their) own? (life | lives)", who=OTHER, not_after="back over"),
    rule(
        TP,
        "(wishes | wants | hopes) that? (she | he | they) (was | were | could | would | is | will) *1 (dead | "
        "~die | never born | not alive)",
        who=OTHER,
    ),
    rule(
        TP,
        "(~cut | ~slit | ~slash | ~burn) (his | her | their) *1 " + BODY.replace("(arm", "(throat | arm"),
        "(his | her | their) (wrist | wrists | arm | arms | thigh | thighs) (are | were | is | was)? (bleeding | slit)",
        who=OTHER,
    ),
    rule(
        TP,
        "(roof | ledge | bridge | edge) and (will not | refuses to | not) (~come down | ~get down | "
        "~come inside | ~move)",
        "(says | said | thinks | feels | told | saying | telling | tells | texted) *2 (everyone | everybody | "
        "people | the world | his family | her family | the family) *2 better off without (him | her | them)",
        who=OTHER,
    ),
    rule(
        TP,
        "(he | she | they | him | her | them | son | daughter | friend | husband | wife | partner | boyfriend | "
        "girlfriend | mom | dad | brother | sister | child | kid) (is | are | was | were)? (not breathing | "
        "unresponsive | unconscious | turning blue)",
        "(he | she | they) *2 will not ~wake up",
        who=OTHER,
        not_after="early for in on",
    ),
)


class Cue(str, Enum):
    """Context that qualifies a risk phrase (where it applies is decided in bot.safety.detector)."""

    FIGURATIVE = "figurative"  # overlaps a risk phrase and cancels it
    GRIEF = "grief"  # someone else's death is being mourned: their risk words are history
    PAST = "past"  # in the same sentence, puts the event long ago
    CURRENT = "current"  # in the same sentence, keeps it present ("again", "lately")
    RESOLVED = "resolved"  # anywhere in the message, says it is over ("stable since", "so glad I didn't")
    RECENT = "recent"  # someone else's event is recent (yesterday, again)
    WORRY = "worry"  # the writer asks for help for someone else: their risk is present
    INTENT = "intent"  # turns ideation into intent or plan
    HUMOUR = "humour"  # "lol" next to a threat to someone else
    GAME = "game"  # a game, where people die and kill all the time
    DISTRESS = "distress"  # despair: what lets a weak cue count


CUES: dict[Cue, tuple[str, ...]] = {
    Cue.FIGURATIVE: (
        "~kill @SELF *2 (laughing | working | studying | trying | running | cleaning | exercising | training | "
        "cramming)",
        "~kill @SELF (at | over) *2 (work | job | gym | school | homework | project | exams)",
        "(~die | dying | died) laughing",
        "(~die | dying | died) (of | from) (embarrassment | shame | laughter | cringe | boredom | cuteness)",
        "dying (to | for)",
        "cross my heart and hope to die",
        "~beat @SELF (up | over)",
        "~kick @SELF",
        "(jump | jumping | skip | skipping) rope",
        "ropes course",
        "the ropes",
        "~cut @SELF (off | some slack)",
        "~shoot @SELF in the foot",
        "cut to the chase",
        "cutting edge",
        "on edge",
        "(career | social | political | professional | financial | commercial | fashion | academic) suicide",
        "suicide (squad | doors | door | sprints | sprint | drills | drill | runs | mission | bomber | bombers | "
        "bombing | bombings | king | blonde)",
        "(suicide | suicidal) (rate | rates | statistics | stats | research | awareness | prevention | training | "
        "study | studies)",
        "(attempt | attempts) at",
        "end of (my | the | his | her | our | their) rope",
        "suicide (scene | scenes | storyline | episode | content | theme | themes)",
        "(overdose | overdoses) (crisis | epidemic | deaths | rates | rate | prevention)",
        # Talking about the topic, not about oneself: the screening's own questions, school work.
        "(~ask | ~question) (me | you | us | everyone | everybody | people)? (if | whether | about) *3 (suicide | "
        "suicidal | selfharm | ~kill @SELF | ~hurt @SELF | ~harm @SELF)",
        "(question | questions | paper | essay | article | book | class | course | project | presentation | report | "
        "research | story | movie | show | documentary | podcast | training) (about | on | regarding) *2 (suicide | "
        "suicidal | selfharm | overdose | overdoses)",
        "(~learn | ~teach | ~read | ~write) about *2 (suicide | suicidal | selfharm | overdose | overdoses)",
        "(suicidal | selfharm) (clients | patients | students)",
        "(clients | patients | students) (with | who have | who) *2 (suicidal | selfharm | suicide)",
        "(suicide | suicidal) (is not | was never | will never be) (an option | for me)",
        "(could | nearly | almost) have? died (when | of | from | laughing | right there)",
        "(hungry | embarrassed | bored | excited | full | happy | jealous | cute) *2 i could @FILL ~die",
        "(people | patients | those | anyone | clients | someone) (with | having) suicidal (thoughts | ideation | "
        "feelings)",
        "~hurt @SELF (at | in | during | playing) *2 (gym | practice | game | football | soccer | basketball | "
        "training | work | fall | accident)",
        "(~cut | ~burn | ~hurt | ~hit | ~injure) @SELF *5 (by accident | accidentally)",
        "accidentally (~cut | ~burn | ~hurt | ~hit | ~injure) @SELF",
        "(~give | giving | gave) *6 (charity | goodwill | donation | donations | thrift | declutter | decluttering)",
        "(~tell | told | ~say | said | ~text | texted | ~message | messaged) me to kys",
        "~say kys to me",
        "(fell | ~fall | tripped | ~trip | ~jump | jumped | ~climb) (off | down | over | from | on | onto) *4 "
        "(and | ,)? (~hurt | ~injure) (@SELF | @OTHER_SELF)",
        # A story's character, not the writer or someone they know.
        "(book | movie | film | show | series | novel | story | episode | song | play) about (a | an | the) *3 who "
        "(~kill | ~hang | ~shoot | ~drown | ~cut | ~hurt) @OTHER_SELF",
    ),
    Cue.GRIEF: (
        "committed suicide",
        "(died | death | deaths) (by | of | from) (suicide | overdose | an overdose)",
        "(~lose | lost | loss | losing) *4 to (suicide | overdose | an overdose)",
        "suicide of",
        "('s | his | her | their) suicide",
        "(killed | hanged | hung | shot | drowned | overdosed | poisoned | offed) @OTHER_SELF",
        "took (his | her | their) own? (life | lives)",
        "passed (away | on)",
        "~miss (him | her | them)",
        "~grieve|grief|grieving",
        "rest in peace",
        "rip",
    ),
    Cue.PAST: (
        "(years | yrs | decade | decades) (ago | back | earlier | before | since)",
        "(long | ages) ago",
        "a long time ago",
        "(when | while) (i | he | she | they | we) (was | were) *2 (young | younger | little | small | kid | child | "
        "teen | teenager | baby | pregnant | a)",
        "(when | while) (i | he | she | they | we) (was | were) @COUNT",
        "(back in | when i was in | during my) *2 (high | middle | school | college | teens | twenties | childhood | "
        "university | youth)",
        "as a (kid | child | teen | teenager | young | little | baby | youngster | boy | girl)",
        "in the past",
        "back then",
        "growing up",
        "used to",
        "my childhood",
        "(was | were | back | while | when) *3 in (high | middle | grade | junior high) school",
        "(attempted | tried | cut | did | started | overdosed | hurt | harmed | selfharm | stopped | began) *4 in "
        "(high | middle | grade | junior high) school",
        "(in | back in) @YEAR",
        "(attempted | tried | did | was | were | overdosed) *3 (in | during) (college | university | uni | "
        "grad school | my teens | my twenties)",
    ),
    Cue.CURRENT: (
        "again|now|just|lately|recently|currently|today|tonight|yesterday|anymore|still|starting|returning|worse|"
        "everyday",
        "last night",
        "this (week | morning | month | weekend)",
        "these days",
        "right now",
        "like this",
        "coming back",
        "every day",
    ),
    Cue.RESOLVED: (
        "(stable | sober | clean | free) (since | for | ever)",
        "better now",
        "therapy (helped | has helped | saved me)",
        "now and (happy | fine | okay | stable | doing well)",
        "(much | so | way | a lot | far) better",
        "doing better",
        "behind me",
        "doing (well | great | good | fine)",
        "in a good place",
        "recovery",
        "recovered",
        "healed",
        "(glad | grateful | thankful | happy) (i | that)",
        "not want to go back",
        "never (want | going) to? go? back",
        "not *3 since",
        "over it",
        "got through",
        "not (having | feeling | getting) (those | these | any | such)? (thoughts | feelings | urges) (now | anymore)",
        "but not (now | anymore | currently | lately | nowadays | these days)",
    ),
    Cue.RECENT: (
        "yesterday|today|tonight|just|recently|again|now|currently|keeps|keep|says|saying|texted|texting|told",
        "last night",
        "this (morning | week | weekend | afternoon | evening)",
        "the other day",
        "(days | hours | minutes) ago",
        "on (monday | tuesday | wednesday | thursday | friday | saturday | sunday)",
        "right now",
    ),
    Cue.WORRY: (
        "(how | what) *3 (~help | ~support | ~do | ~handle | ~talk | ~say)",
        "i *1 (scared | worried | terrified | afraid | panic | panicking | frightened)",
        "~help (my | him | her | them)",
    ),
    Cue.INTENT: (
        "plan|plans|planning|planned|decide|decided|ready|method|methods|bought",
        "going to",
    ),
    Cue.HUMOUR: ("lol|lmao|lmfao|haha|hahaha|jk|rofl|kidding|😂|🤣|😆",),
    Cue.GAME: (
        "game|games|gaming|level|boss|fortnite|minecraft|respawn|respawned|character|dice|rolled|d20|dnd|xbox|"
        "playstation|ps4|ps5|nintendo|videogame|controller|raid|warzone|gta|roblox|valorant|zombie|zombies",
    ),
    Cue.DISTRESS: (
        "~hate (every | my | this) *2 (life | living | existence | second)",
        "(~can | could) not (~go on | ~cope | ~continue)",
        "(~can | could) not (~do | ~take | ~handle) (this | it) (anymore | any longer | no more)",
        "no way out",
        "no hope",
        "hopeless|pointless|worthless|miserable|agony|suffering",
        "no future",
        "no point",
        "what *2 the point",
        "nothing left",
        "nothing to live for",
        "~burden|burdening",
        "better (than | then) me",
        "~deserve better",
        "(nobody | no one) (~care | cares | would | ~love | ~notice)",
        "left me",
        "~give up",
        "(absolutely | so | completely) done",
        "done with *1 (everything | life | it all)",
        "tired of *1 (everything | it all)",
        "sorry for *2 everything",
        "forgive me",
        "barely holding",
        "~hold on *3 longer",
        "(this | the) pain",
        "not *2 see a future",
        "so much pain",
        "never *2 better",
        "nothing *6 (get | make me | ever) *1 better",
        "~doubt *4 (seen | read)",
        "(gone | turned out) differently",
        "~wish things",
        "no one left",
        "can never feel",
        "meaningless",
        "nothing matters",
        "(after | past) tonight *3 (nothing | none of this | none of it) *2 matter",
    ),
}
