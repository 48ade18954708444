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
PRIORITY = (Category.OVERDOSE_OR_MEDICAL, Category.ATTEMPT_OR_PREPARATION, Category.INTENT_OR_PLAN,
            Category.HARM_TO_OTHERS, Category.SUICIDAL_IDEATION, Category.SELF_HARM,
            Category.PASSIVE_DEATH_WISH, Category.THIRD_PARTY)


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


def rule(category: Category, *specs: str, weak: bool = False, who: Who = Who.CONTEXT, after: str = "",
         not_after: str = "", not_before: str = "", games: bool = False, negatable: bool = True) -> Rule:
    return Rule(category, specs, weak, who, _words(after), _words(not_after), _words(not_before), games, negatable)


SI, PDW, IOP = Category.SUICIDAL_IDEATION, Category.PASSIVE_DEATH_WISH, Category.INTENT_OR_PLAN
AOP, SH, HTO = Category.ATTEMPT_OR_PREPARATION, Category.SELF_HARM, Category.HARM_TO_OTHERS
OD, TP = Category.OVERDOSE_OR_MEDICAL, Category.THIRD_PARTY
SELF, OTHER = Who.SELF, Who.OTHER

CLAUSE_END = "$END $PUNCT and but or so because when if since anymore again"
# "dead tired", "dead inside": idioms that follow "dead" and mean something else.
DEAD_IDIOMS = "tired serious set wrong last broke on end inside meat weight center centre silent asleep"
HEIGHTS = "(bridge | building | roof | rooftop | cliff | balcony | ledge | window | overpass | train | bus | truck | " \
          "car | traffic | tower | high rise | highrise | parking garage | skyscraper)"
BODY = "(arm | arms | wrist | wrists | thigh | thighs | leg | legs | skin | stomach | hip | hips | body | forearm | " \
       "forearms | ankles | ribs)"
LIFE = "(~live | ~exist | be alive | ~go on | ~keep going | ~keep living | ~carry on | ~stay alive)"

# "I cut." / "I've been cutting again", but not "my hours got cut" or "a pay cut".
CUT_AFTER = CLAUSE_END + " myself deeper deep more is was helps to for every daily last yesterday today tonight"
CUT_NOUNS = "hair paper pay paycheck price budget tax job hours salary a the short power clean first final 's wage " \
            "wages benefit benefits funding rate rates fund funds costs staff shifts shift program"

RULES: tuple[Rule, ...] = (
    # --- suicidal ideation ------------------------------------------------------------------------------------
    rule(SI, "~suicide|suicidal|suicidality|suicidally|unalive|kms|ctb", "~commit sudoku"),
    rule(SI, "~kill|~off|offing|~unalive|~end @SELF", who=SELF, games=True),
    rule(SI, "~do (something | anything) (stupid | bad | drastic)? to @SELF", who=SELF),
    rule(SI, "~do something (stupid | drastic)", weak=True),
    rule(SI, "(~can | could) not (promise | guarantee) *4 safe",
         "not (feel | feeling) safe (with | around | from) @SELF",
         "not sure i *2 (stay | keep @SELF | be) safe", negatable=False),
    rule(SI, "~kill|~off yourself", who=SELF),
    rule(SI, "~end|~take my own? life|existence", who=SELF, not_after="back over into in seriously"),
    rule(SI, "~end (it all | everything | this *1 life | this *1 existence | my suffering | my misery)",
         not_after="with"),
    rule(SI, "(~want | ~wish | ~hope | ~need | should | could | might | going | just | finally | will | ready | can | "
             "am) "
             "@FILL ~end (it | things)", not_after="with between for off on up here there"),
    rule(SI, "by my own (hand | hands)", "~drink|~starve|~bleed @SELF to death", who=SELF),
    rule(SI, "@DESIRE @FILL (stop | cease) (~breathe | ~exist | breathing | existing | to exist)"),
    rule(SI, "the? (means | way | ways | method | methods) to (~end it | ~die | ~kill @SELF)"),
    rule(SI, "(~think | ~contemplate | ~consider | thoughts | thought | ideas) (about | of)? *1 (~die | dying | "
             "ending it | ending my life | ending things | ending everything | offing @SELF | not being here)",
         not_after="my her his the their your it hair"),
    rule(PDW, "(~think | ~contemplate | ~consider | thoughts | thought | ideas) (about | of)? *1 (not being alive | "
              "not existing | being dead)"),
    rule(SI, "(~think | ~contemplate | ~consider | thoughts | thought) (about | of) (jumping | overdosing | "
             "hanging @SELF | ~overdose)", not_after="into in on at ship over through"),
    rule(SI, "way out *3 (~die | dying | death | dead | suicide)", negatable=False),  # "don't see a way out but dying"
    rule(SI, "feel like (dying | ~die | ending it | ending my life)",
         "i (should | might as well | may as well | could) @FILL ~die", not_after="happy laughing of from"),
    rule(SI, "(~insistent | ~obsess | ~obsessed | ~fixate | ~fixated) on (~die | dying | death)"),
    rule(SI, "(only | one) (reason | reasons) (i | that i) *2 (not dead | still alive | still here | alive)",
         "(only | one) (reason | reasons) (i | that i) (will | do | did) not (~kill | ~take | ~end | ~do it)"),
    rule(SI, "(~get | ~take | ~remove) @SELF (out of | out)? (the | this) (way | picture | world | equation)",
         weak=True, who=SELF),
    rule(SI, "(~imagine | ~dream) (about | of)? *5 (~die | dying | killing | death | dead)", weak=True),
    # --- passive death wish -----------------------------------------------------------------------------------
    rule(PDW, "@DESIRE @FILL ~die", not_after="laughing of from my her his their the it"),
    rule(PDW, "@DESIRE @FILL (be | was | were | am | been) dead", not_after=DEAD_IDIOMS),
    rule(PDW, "@DESIRE @FILL (not | never) (~wake | ~exist | born | be born | been born | be alive)",
         not_after="early at before until"),
    rule(PDW, "@DESIRE @FILL (~disappear | ~vanish)", weak=True),
    rule(PDW, "(~disappear | ~vanish | disappearing | vanishing) (from this world | from existence | from the world | "
              "from the earth | into thin air | forever | permanently | for good | without a trace | off the face)"),
    rule(PDW, "(~wish | ~want | ~hope | ~pray) for? *3 (death | accident)"),
    rule(PDW, "@DESIRE @FILL (it all | everything | life | this life | my life | all of this | this all) (to end | "
              "would end | to be over | would stop | to stop | over)", "@DESIRE @FILL it would all (end | stop)",
         not_after="with"),
    rule(PDW, "(~rather | prefer) *1 (be dead | ~die | dead | death)", "better (to be dead | to die | dead)",
         not_after=DEAD_IDIOMS),
    rule(PDW, "better (place | off)? (dead | gone | without me)",
         "(better | easier | happier | happy | relieved | glad) *4 if i @FILL (dead | gone | death | died | ~die | "
         "disappeared | "
         "not here | not around | not alive | never existed | not exist | never been born | never born)"),
    rule(PDW, "(~put up with | ~deal with | ~worry about) me (much | any) longer",
         "not *2 (see | imagine) @SELF *2 (alive | living | being alive | being here)",
         "not *2 (felt | feel | feeling) like (living | being alive | ~live)"),
    rule(PDW, "(~death | dying | being dead | not existing | not being alive) *1 (~be | would | sounds | seems | "
              "feels | "
              "looks) *2 (better | easier | relief | peaceful | right | good | nice | answer | option | solution | "
              "escape | appealing | tempting | inviting | welcome | preferable)"),
    rule(PDW, "(tired | sick | exhausted | done) (of | with) *1 (being alive | living | existing | life | existence | "
              "breathing | waking up | wanting to live)", not_after="with in at here there like paycheck"),
    rule(PDW, "~hate (being alive | living | existing | waking up | my existence)", "(would | 'd) hate to live",
         not_after="with in at here there near so alone paycheck on by like early"),
    rule(PDW, "why @FILL (live | ~exist | bother living | ~keep living | ~keep going | ~go on | ~carry on | be alive | "
              "stay alive)", after="$END $PUNCT anymore"),
    rule(PDW, "(no | zero | without | lost | losing | lose | what *2) (reason | reasons | will | desire | purpose | "
              "point) "
              "(to | for | of | in) " + LIFE, "(no | what *2) point (in | of) (living | life | being alive | existing)",
         "~give me (one | a | any) (reason | reasons)",
         "not *2 any (reason | reasons | will | desire | purpose) (to | for) " + LIFE, not_after="with in at there"),
    rule(PDW, "(not | never) (meant | supposed) to be (alive | born | living)",
         "(not | never) ~deserve to (~live | ~exist | be alive)"),
    rule(PDW, "not (want | wanna) to? " + LIFE, after=CLAUSE_END + " any like this tomorrow tonight today"),
    rule(PDW, "not *4 (~keep living | ~keep going | ~go on | ~live) like this", negatable=False),
    rule(PDW, "~give up (for good | on life | on living | on everything | on myself)",
         "(tired | sick | exhausted) of (fighting | trying | struggling) *3 (alive | live | living | going)"),
    rule(PDW, "(~picture | ~imagine | ~plan) my own funeral"),
    rule(PDW, "my funeral", weak=True),
    rule(PDW, "not (want | wanna) to? be here", after="$END $PUNCT", weak=True),
    rule(PDW, "@DESIRE @FILL *3 to (stop | end) (forever | for good | permanently)", "@DESIRE @FILL it to be over",
         weak=True),
    rule(PDW, "(~can | could) not ~go on", after="$END $PUNCT anymore any like living"),
    rule(PDW, "not (want | wanna) to? ~wake up", "(sleep | ~go to sleep | ~fall asleep) and (never | not) ~wake up",
         not_after="early at before until for"),
    rule(PDW, "not (want | wanna) to? be (here | around) (anymore | any longer | no more)",
         "~want to? (be alive | ~live | ~exist) anymore", "(not | never) (~live | ~exist) (anymore | any longer)",
         "no longer (want | wish | care) to? (~live | ~exist | be alive | be here)", negatable=False),
    rule(PDW, "(not | no longer) (care | mind) (if | whether) i @FILL (~live | ~die | dead | ~wake | alive)"),
    rule(PDW, "(~can | could) not (~take | ~handle | ~bear | ~stand | ~do | ~deal with | ~live) *3 (life | living | "
              "existence | being alive)"),
    rule(PDW, "~wish @FILL (not | never) (~survive | ~wake | been born | born | ~exist | ~fail)",
         "~wish @FILL (~have | 'd | would | could) have? (~die | dead | succeeded)",
         "~wish @FILL not have to *2 (~live | living | ~exist | ~wake | alive)"),
    rule(PDW, "(unfortunately | sadly) ,? i @FILL (~survive | ~live | ~wake)", "not (~die | "
                                                                               "dead) ,? (unfortunately | sadly)",
         "still (alive | here) ,? (unfortunately | sadly)", "(unfortunately | sadly) ,? i *1 still (alive | here)"),
    rule(PDW, "(~daydream | ~fantasize | ~fantasise | ~fantasy) (about | of) *7 (~die | dying | death | dead | "
              "killing)"),
    rule(PDW, "not actively suicidal", "(passive | passively) (suicidal | ideation | suicide)", "~give up and ~die"),
    rule(PDW, "@DESIRE @FILL drop dead", "get to ~die", "(can | could) finally (~die | rest)",
         "@DESIRE @FILL (sleep forever | go to sleep forever | fall asleep forever)"),
    rule(PDW, "@DESIRE @FILL (get | be | ~get) (hit | run over) by (a | the) (car | bus | truck | train)",
         "(~hope | ~wish | ~pray) *3 (car | bus | truck | train) (hits | would hit | will hit) me",
         "not (~mind | ~care) (not waking up | not ~wake up | dying | being dead)",
         "(life | living) ~be? not worth (living | it)", "not worth living"),
    rule(PDW, "(nobody | no one | who) *1 (would | will | 'd) (~miss | ~care about) me", after="$END $PUNCT if when",
         negatable=False),
    rule(PDW, "(nobody | no one | who) *1 (would | will | 'd) (~miss | ~notice | ~care) *3 (if | when) i @FILL (~die | "
              "dead | gone | ~disappear | not here | not around | ~kill @SELF)", "(glad | happy | relieved) *2 i am? "
              "(dead | gone)"),
    rule(PDW, "(my | your) death (would | will) *2 (~improve | ~help | better | easier | relief | ~free | ~solve)",
         "if i (just | simply | finally) (~die | ~disappear | dead | gone)"),
    rule(PDW, "(if | when | once | after) i @FILL (~die | dead | gone | am dead | am gone)", "my death", weak=True,
         not_after=DEAD_IDIOMS),
    rule(PDW, "not (afraid | scared) (of | to) (~die | dying | death)", weak=True),
    rule(PDW, "(finally | will | can) be? at (peace | rest)", "(i | then) (will | can) finally? rest", weak=True,
         not_after="up my the for"),
    rule(PDW, "(want | wanna) out", weak=True, not_after="of"),
    # --- intent or plan ---------------------------------------------------------------------------------------
    rule(IOP, "(~ready | prepared) to (~die | ~end it | ~end my life | ~kill @SELF)"),
    rule(IOP, "(~plan | ~decide | ~intend | ~prepare) (on | to)? (committing | ~commit)? (~die | dying | ~kill @SELF | "
              "~hang @SELF | ~overdose | suicide | ~end it | ~end my life | ~take my life)"),
    rule(IOP, "(~plan | ~decide | ~intend | ~prepare) (on | to) ~jump", not_after="into in on at"),
    rule(IOP, "~plan (my | a | the) own? (suicide | death | exit | funeral)", "(suicide | suicidal) (plan | plans | "
                                                                              "date | method | "
              "methods | pact | letter | note | notes)"),
    rule(IOP, "~hang|~shoot|~drown|~stab|~poison|~gas|~electrocute|~strangle|~suffocate|~hurl|~throw @SELF",
         who=SELF, not_after="into at up"),
    rule(IOP, "~slit my *1 (wrist | wrists | throat)", "~blow my brains",
         "(bullet | gun) (in | to | into | through) my (head | mouth | brain | temple)", who=SELF),
    rule(IOP, "~jump (off | from | in front of | out of) *3 " + HEIGHTS),
    rule(IOP, "~jump (off | from)", after="$END $PUNCT", weak=True),
    rule(IOP, "(~drive | ~crash | ~steer) *4 (into | off) *2 (pole | wall | truck | tree | bridge | cliff | traffic | "
              "oncoming | semi | lake | river | barrier | overpass)"),
    rule(IOP, "garage *4 engine running", "engine running *4 garage", "make it look like an accident",
         "(gun | rope | pills | noose | knife) and a plan", "a plan and (a | the) (gun | rope | pills | noose | knife)",
         "(~find | ~know) *2 (way | method) to (~die | ~end it | ~kill @SELF | ~end my life)"),
    rule(SI, "(how much longer | how long) *3 ~hold on", "not *3 ~hold on (much | any)? longer",
         "~talk me out of (it | this | killing | ending | doing it)", "so (that)? i @FILL ~die",
         "(so | too | would be) easy to @FILL (~crash | ~die | ~end it | ~jump | ~drive off | ~swerve)",
         "(what | something) i (might | could | may | will) ~do to @SELF"),
    rule(PDW, "(be | stay) alive (much | any) longer", "why (am | are) i (even | still)? alive", negatable=False),
    rule(AOP, "(~give | giving) away all? my (things | stuff | belongings | possessions)",
         not_after="before because since"),
    rule(IOP, "tonight is the night", weak=True),
    rule(IOP, "made up my mind", "ready to go", weak=True, not_after="to on for back out home with"),
    rule(AOP, "edge of the (platform | roof | rooftop | bridge | building | cliff | balcony | tracks)", weak=True),
    rule(IOP, "(going to | about to | will | ready to) ~jump", "@DESIRE to? ~jump",
         after="$END $PUNCT now tonight off"),
    rule(IOP, "(~painless | peaceful | quickest | quick | easiest) (way | ways) to go", not_after="to about through"),
    rule(IOP, "how (much | many) @MEDS *4 (would take | it take | ~kill | ~die | lethal | enough to)",
         "@MEDS *2 (lined up | laid out | counted out | all ready)"),
    rule(IOP, "(~step | ~walk | ~lie | ~throw @SELF) *2 (in front of | into | onto) *2 (train | bus | traffic | "
              "truck | car | tracks)"),
    rule(IOP, "(courage | guts | nerve | balls | brave enough | strength) to @FILL (~jump | ~die | ~hang @SELF | "
              "~kill @SELF | ~end it | ~end my life | pull the trigger)"),
    rule(IOP, "(courage | guts | nerve | balls | brave enough) to @FILL (~do it | ~go through with it)", weak=True),
    rule(IOP, "(~painless | quick | quickest | easy | easiest | best | fast | fastest | sure | surest | effective | "
              "reliable | peaceful | good) (way | ways | method | methods) (to | of | for) (~die | dying | "
              "~kill @SELF | ~end it | ~end my life | suicide | ~overdose | od)"),
    rule(IOP, "how @FILL (~easy | ~quick | ~painless | long | many | much | fast) *6 (~die | ~overdose | od | lethal | "
              "fatal | deadly)"),
    rule(IOP, "(lethal | fatal | deadly) (dose | amount | overdose | combination | combo)",
         "~be (this | that | these | it)? enough @MEDS",
         "enough @MEDS to *2 (~die | ~kill | ~end | od | ~overdose | ~do it | ~wake)"),
    rule(IOP, "rope|ropes|noose|nooses", not_before="jump jumping skip skipping tow jumprope climbing",
         not_after="course courses swing bridge"),
    rule(IOP, "(~drink | ~pour | ~swallow | cup of | glass of | bottle of) *2 (bleach | antifreeze | poison | "
              "cyanide | drano)"),
    rule(IOP, "not (planning | plan | intend | intending) (on | to)? (~come | coming) back",
         after="$END $PUNCT alive home"),
    rule(IOP, "i (will | going to | am going to) ~check out", after="$END $PUNCT"),
    rule(IOP, "the (day | date) i (~set | ~pick | ~choose)", "(~set | ~pick | ~choose) (a | the) (date | day)",
         not_after="for to up of with that which when"),
    rule(IOP, "(~buy | bought | ~get | ~order | ~keep | ~stockpile | ~hoard) *2 (a | some | the | my | enough)? "
              "(rope | noose | gun | firearm)",
         "(~stockpile | ~hoard | ~save | saving up | ~collect) *2 (my | the)? @MEDS"),
    rule(IOP, "~gun|~pistol|~firearm|~razor|~blade|~knife|~knives|~bridge|bleach|edge|~tracks", weak=True,
         not_before="shaving safety bullet on cutting"),
    rule(IOP, "(~take | ~swallow | ~drink | ~pop | ~down | ~chug) *2 (the | my | all | every) @MEDS", weak=True),
    rule(IOP, "(going to | will | might) ~use (it | them | the gun | the rope | the pills | the knife)", weak=True),
    rule(IOP, "(~take | ~swallow | ~drink | ~pop | ~down | ~chug | ~eat) *2 @QTY *3 @MEDS",
         not_after="as every each daily regularly correctly prescribed"),
    rule(IOP, "(~want | ~plan | ~go | ~think | ~consider | ~about | ~ready | just | will | might | to | i) (od | "
              "oding)",
         "overdose|overdosing"),
    rule(IOP, "my? (~time | times) (has | is)? (~come | here)", "this is it", weak=True),
    rule(IOP, "(almost | nearly | finally | actually | going to | plan on | planning on | planning to | ready to | "
              "if i | when i | will | might) *2 (~do it | doing it | done it | ~go through with it | ~follow through)",
         weak=True, not_after="right later tomorrow now with again"),
    rule(IOP, "this time (i | it) will not ~fail", weak=True),
    # --- attempt or preparation -------------------------------------------------------------------------------
    rule(AOP, "(suicide | suicidal) (attempt | attempts | attempted)",
         "attempted @COUNT (times | years | months | weeks | days)"),
    rule(AOP, "(my | first | second | third | last | previous | recent | latest | failed | weekly | daily) "
              "(attempt | attempts)", not_after="at to on of in with"),
    rule(AOP, "attempt|attempted|attempting", after="$END $PUNCT again before twice once suicide yesterday recently "
                                                    "last but and so when while since in at as on years months ago",
         not_before="an the first my"),
    rule(AOP, "(~try | ~attempt) to (~kill @SELF | ~hang @SELF | ~shoot @SELF | ~drown @SELF | ~off @SELF | "
              "~end my life | ~take my life | ~end it | ~overdose | od | ~die)", not_after="with better"),
    rule(AOP, "(stopped | caught | found) me (from | before | while | when)? *2 (jumping | cutting | hanging | "
              "killing @SELF | ~jump | ~hang)",
         "(stopped | caught | found) me (from | before | while | when)? *2 (taking | swallowing | drinking | ~take | "
         "~swallow | ~drink) *2 @MEDS"),
    rule(AOP, "(~hold | ~put | ~press | held) *3 (knife | blade | razor | gun | pistol) *3 (to | over | against | on | "
              "into) my? (wrist | wrists | throat | neck | head | temple | skin | arm | chest | heart)",
         "(~tie | tied | ~hang | hung) *3 (rope | ropes | belt | cord | noose | sheet)",
         "(rope | noose) *2 (tied | ready | up)",
         "(knife | blade | razor | gun | pistol) *2 (to | against | on) my (wrist | wrists | throat | neck | head | "
         "temple | chest)",
         "(~stand | ~sit | standing | sitting | stood | sat) (on | at) (the | a | this) (bridge | roof | rooftop | "
         "ledge | edge | railing | tracks) *2 (right now | now)"),
    rule(AOP, "(~write | wrote | written | writing) *3 (note | notes | letter | letters)", weak=True),
    rule(AOP, "(suicide | goodbye) (note | notes | letter | letters | message | messages | post | text | video)"),
    rule(AOP, "(~give | giving) away (my | all) *2 (pets | cat | dog)", weak=True),
    rule(AOP, "(~finalise | ~finalize | ~settle | ~get | ~put) *2 (things | affairs | everything | "
              "stuff) *1 (in order | in place | first)", weak=True),
    rule(AOP, "(~wake | woke) up in *1 (hospital | icu | er | ambulance | ward)", weak=True),
    rule(AOP, "charcoal", "stomach pumped", "~pump my stomach", weak=True),
    rule(AOP, "~lock @SELF in", "(~stop | stopped) (midway | halfway)", "(~back | ~chicken) out", weak=True, who=SELF),
    # Goodbyes
    rule(AOP, "(goodbye | bye | farewell) (everyone | everybody | world | forever | y'all | reddit | cruel world | "
              "for good)",
         "(~say | saying) (goodbye | bye | farewell | goodbyes) to *2 (everyone | everybody | people | family | "
         "friends | world | life | you all | loved | parents | kids)",
         "(nice | good | great) knowing (you | y'all | everyone | u | everybody)", "this is (goodbye | farewell)",
         "by the time you *1 ~read this", "final (message | goodbye | farewell | post | note | letter | words)",
         "last (words | goodbye | letter | note | farewell)",
         "will not be (here | around | alive) *1 (much | for long | long | anymore | to)",
         "my last (day | night | days) (on earth | alive)"),
    rule(AOP, "goodbye|farewell|bye|goodbyes", weak=True),
    rule(AOP, "last (message | post | text | time)", "final thoughts", weak=True),
    rule(AOP, "love you all", "~tell *3 (i love | that i love | i am sorry | that i am sorry)", weak=True),
    rule(AOP, "(everyone | everybody | all the people) i love", weak=True),
    rule(AOP, "not (answer | answering | pick up | picking up | respond | responding | reply | replying)", weak=True,
         negatable=False),
    rule(IOP, "i @FILL (will | going to | would | 'd | might | should | could) be dead", "ill be dead",
         not_after=DEAD_IDIOMS),
    rule(AOP, "i @FILL (will | going to | would | 'd | might | should | could) be gone", weak=True),
    # --- overdose or medical emergency ------------------------------------------------------------------------
    rule(OD, "(took | swallowed | drank | popped | taken | ate | downed) *2 (@QTY | too many | a lot of | lots of | "
             "most of | half) *3 @MEDS", not_before="not never"),
    rule(OD, "overdosed", "(drank | swallowed) (bleach | antifreeze | poison | cyanide)",
         "(took | swallowed | drank | overdosed) *5 on purpose"),
    # --- self-harm --------------------------------------------------------------------------------------------
    rule(SH, "selfharm"),
    rule(SH, "(my | a | of | from | with | on | about | the | into | no | bad | stop | urge | urges) sh",
         "sh (scars | scar | urges | urge | problem | habit | wounds | relapse | marks | free | again)"),
    rule(SH, "~cut|~burn|~hit|~punch|~scratch|~hurt|~harm|~injure|~bruise|~mutilate|~bite|~carve|~slice|~stab|~starve "
             "@SELF", who=SELF, not_after="up over playing at while lifting running working during falling skiing "
                                          "skating shaving cooking off"),
    rule(SH, "~make @SELF *2 (bleed | ~suffer | ~hurt)", who=SELF),
    rule(SH, "(~hit | ~bang | ~punch | ~slam) my head *4 (on purpose | until | to feel | to hurt)",
         "until (it | i) (~bleed | bled | bleeds | bleed)"),
    rule(SH, "~put @SELF in (danger | harm)", weak=True, who=SELF),
    rule(SH, "~make @SELF *2 (physically | pain | bad)", weak=True, who=SELF),
    rule(SH, "(~cut | ~slash | ~scratch | ~burn | ~carve) *2 (my | into | on | in) *1 " + BODY,
         "(slash | slashes | cuts | scratches | burns | gashes | scars) *2 (to | on | into | in | across | over) my *1 "
         + BODY),
    rule(SH, "cut|cuts", after=CUT_AFTER, not_before="got get gets getting was were been be is are " + CUT_NOUNS),
    rule(SH, "cutting", after=CUT_AFTER, not_before=CUT_NOUNS),
    rule(SH, "(~urge | urges | urged | tempted | ~want) to (~cut | ~burn | ~hurt @SELF | ~harm @SELF | ~bleed | "
             "~scratch)",
         not_after="back off down up out the my his her it costs"),
    rule(SH, "(~stop | ~quit | ~resist | ~relapse | relapsed) *1 (cutting | sh)",
         "(~put | ~place | ~throw) (my | the) *1 (razor | razors | blade | blades) (down | away)",
         "(~cut | cutting | sh | selfharm) (free | clean)"),
    # --- harm to others ---------------------------------------------------------------------------------------
    rule(HTO, "(~want | ~go | will | may | might | could | ~urge | urges | ~plan | ~think | ~tempt | ~fantasize | "
              "~dream | feel like | ~afraid | ~scared | ~worried | thoughts of | thought of | ~think about | "
              "~think of | "
              "thoughts about) @FILL physically? (~kill | ~murder | ~stab | ~shoot | ~strangle | "
              "~choke | ~poison | ~drown) (my | the | that | this | a | those | these | every)? @PERSON", who=SELF),
    rule(HTO, "(~want | ~go | will | may | might | could | ~urge | ~plan | ~think | ~afraid | ~scared | ~worried | i | "
              "thoughts of | thought of | thoughts about) "
              "@FILL physically? (~hurt | ~harm | ~attack | ~beat up | ~abuse) (someone | somebody | people | others | "
              "anyone | everyone | a person | the people | those people | the person | my baby | my child | my kids | "
              "my children | my son | my daughter | "
              "the baby | kids | children)", who=SELF),
    rule(HTO, "pay with (his | her | their) (life | lives)",
         "~shoot up (the | a | my) (school | office | work | place | class | church | mall)",
         "(~bring | ~take) a gun to (school | work | class)", who=SELF),
    # --- third party (the person at risk is someone else) -----------------------------------------------------
    rule(TP, "~kill|~hurt|~harm|~cut|~hang|~shoot|~off|~unalive|~overdose|~starve|~burn|~drown|~poison|~end|~stab "
             "@OTHER_SELF", who=OTHER, not_after="up over playing at while lifting running working during falling "
                                                 "skiing skating shaving cooking off"),
    rule(TP, "(~end | ~take) (his | her | their) own? (life | lives)", who=OTHER, not_after="back over"),
    rule(TP, "(~cut | ~slit | ~slash | ~burn) (his | her | their) *1 " + BODY.replace("(arm", "(throat | arm"),
         who=OTHER),
    rule(TP, "(he | she | they | him | her | them | son | daughter | friend | husband | wife | partner | boyfriend | "
             "girlfriend | mom | dad | brother | sister | child | kid) (is | are | was | were)? (not breathing | "
             "unresponsive | unconscious | turning blue)",
         "(he | she | they) *2 will not ~wake up", who=OTHER, not_after="early for in on"),
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
        "dying (to | for)", "cross my heart and hope to die", "~beat @SELF (up | over)", "~kick @SELF",
        "(jump | jumping | skip | skipping) rope", "ropes course", "the ropes", "~cut @SELF (off | some slack)",
        "~shoot @SELF in the foot", "cut to the chase", "cutting edge", "on edge",
        "(career | social | political | professional | financial | commercial | fashion | academic) suicide",
        "suicide (squad | doors | door | sprints | sprint | drills | drill | runs | mission | bomber | bombers | "
        "bombing | bombings | king | blonde)",
        "(suicide | suicidal) (rate | rates | statistics | stats | research | awareness | prevention | training | "
        "study | studies)",
        "(attempt | attempts) at", "end of (my | the | his | her | our | their) rope",
        "suicide (scene | scenes | storyline | episode | content | theme | themes)",
        "(overdose | overdoses) (crisis | epidemic | deaths | rates | rate | prevention)",
        # Talking about the topic, not about oneself: the screening's own questions, school work.
        "(~ask | ~question) (me | you | us | everyone | everybody | people)? (if | whether | about) *3 (suicide | "
        "suicidal | selfharm | ~kill @SELF | ~hurt @SELF | ~harm @SELF)",
        "(question | questions | paper | essay | article | book | class | course | project | presentation | report | "
        "research | story | movie | show | documentary | podcast | training) (about | on | regarding) *2 (suicide | "
        "suicidal | selfharm | overdose | overdoses)",
        "(~learn | ~teach | ~read | ~write) about *2 (suicide | suicidal | selfharm | overdose | overdoses)",
        "(people | patients | those | anyone | clients | someone) (with | having) suicidal (thoughts | ideation | "
        "feelings)",
        "~hurt @SELF (at | in | during | playing) *2 (gym | practice | game | football | soccer | basketball | "
        "training | work | fall | accident)",
    ),
    Cue.GRIEF: (
        "committed suicide", "(died | death | deaths) (by | of | from) (suicide | overdose | an overdose)",
        "(~lose | lost | loss | losing) *4 to (suicide | overdose | an overdose)", "suicide of",
        "('s | his | her | their) suicide", "(killed | hanged | hung | shot | drowned | overdosed | poisoned | offed) "
        "@OTHER_SELF", "took (his | her | their) own? (life | lives)", "passed (away | on)", "~miss (him | her | them)",
        "~grieve|grief|grieving", "rest in peace", "rip",
    ),
    Cue.PAST: (
        "(years | yrs | decade | decades) (ago | back | earlier | before)", "(long | ages) ago", "a long time ago",
        "(when | while) (i | he | she | they | we) (was | were) *2 (young | younger | little | small | kid | child | "
        "teen | teenager | baby | pregnant | a)",
        "(when | while) (i | he | she | they | we) (was | were) @COUNT",
        "(back in | when i was in | during my) *2 (high | middle | school | college | teens | twenties | childhood | "
        "university | youth)",
        "as a (kid | child | teen | teenager | young | little | baby | youngster | boy | girl)", "in the past",
        "back then", "growing up", "used to", "my childhood", "in (high | middle | grade | junior high) school",
        "(in | back in) @YEAR",
    ),
    Cue.CURRENT: (
        "again|now|just|lately|recently|currently|today|tonight|yesterday|anymore|still|starting|returning|worse|"
        "everyday",
        "last night", "this (week | morning | month | weekend)", "these days", "right now", "like this", "coming back",
        "every day",
    ),
    Cue.RESOLVED: (
        "(stable | sober | clean | free) (since | for | ever)", "better now",
        "(much | so | way | a lot | far) better", "doing better", "behind me",
        "doing (well | great | good | fine)", "in a good place", "recovery", "recovered", "healed",
        "(glad | grateful | thankful | happy) (i | that)", "not want to go back", "never (want | going) to? go? back",
        "not *3 since", "over it", "got through",
        "not (having | feeling | getting) (those | these | any | such)? (thoughts | feelings | urges) (now | anymore)",
    ),
    Cue.RECENT: (
        "yesterday|today|tonight|just|recently|again|now|currently|keeps|keep|says|saying|texted|texting|told",
        "last night", "this (morning | week | weekend | afternoon | evening)", "the other day",
        "(days | hours | minutes) ago", "on (monday | tuesday | wednesday | thursday | friday | saturday | sunday)",
        "right now",
    ),
    Cue.WORRY: (
        "(how | what) *3 (~help | ~support | ~do | ~handle | ~talk | ~say)",
        "i *1 (scared | worried | terrified | afraid | panic | panicking | frightened)",
        "~help (my | him | her | them)",
    ),
    Cue.INTENT: (
        "plan|plans|planning|planned|decide|decided|going|ready|method|methods|bought",
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
        "no way out", "no hope", "hopeless|pointless|worthless|miserable|agony|suffering", "no future", "no point",
        "what *2 the point", "nothing left", "nothing to live for", "~burden|burdening", "better (than | then) me",
        "~deserve better", "(nobody | no one) (~care | cares | would | ~love | ~notice)", "left me",
        "~give up", "(absolutely | so | completely) done", "done with *1 (everything | life | it all)",
        "tired of *1 (everything | it all)", "sorry for *2 everything", "forgive me", "barely holding",
        "~hold on *3 longer", "(this | the) pain", "not *2 see a future", "so much pain", "never *2 better",
        "nothing *6 (get | make me | ever) *1 better", "~doubt *4 (seen | read)", "(gone | turned out) differently",
        "~wish things", "no one left", "can never feel", "meaningless",
    ),
}
