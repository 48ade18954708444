"""What the crisis detector looks for: risk phrases by category, and the context words that qualify them.

Written for this project from clinical wording (C-SSRS), safe-messaging guidance and how people write in
SMS and chat; the evaluation set is only measured against, never copied. Specs use the notation of
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


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def rule(category: Category, *specs: str, weak: bool = False, who: Who = Who.CONTEXT, after: str = "",
         not_after: str = "", not_before: str = "", games: bool = False) -> Rule:
    return Rule(category, specs, weak, who, _words(after), _words(not_after), _words(not_before), games)


SI, PDW, IOP = Category.SUICIDAL_IDEATION, Category.PASSIVE_DEATH_WISH, Category.INTENT_OR_PLAN
AOP, SH, HTO = Category.ATTEMPT_OR_PREPARATION, Category.SELF_HARM, Category.HARM_TO_OTHERS
OD, TP = Category.OVERDOSE_OR_MEDICAL, Category.THIRD_PARTY

CLAUSE_END = "$END $PUNCT and but or so because when if since anymore again"
# "dead tired", "dead inside": idioms that follow "dead" and mean something else.
DEAD_IDIOMS = "tired serious set wrong last broke on end inside meat weight center centre silent asleep"
MEANS_OBJECTS = "bridge building roof rooftop cliff balcony ledge window overpass train bus truck car traffic " \
                "tower highrise parking garage skyscraper"

RULES: tuple[Rule, ...] = (
    # --- suicidal ideation ------------------------------------------------------------------------------------
    rule(SI, "~suicide|suicidal|suicidality|suicidally|unalive|kms|ctb"),
    rule(SI, "~commit sudoku"),
    rule(SI, "~kill|~off|~unalive|~end @SELF", who=Who.SELF, games=True),
    rule(SI, "~kill|~off yourself", who=Who.SELF),
    rule(SI, "~end|~take my own? life|existence", who=Who.SELF, not_after="back over into seriously"),
    rule(SI, "~end it all|everything", "~end this *1 life|existence", who=Who.SELF),
    rule(SI, "~want|~wish|~hope|~need|should|could|might|gon|going|just|finally|will|ready|can @FILL ~end it|things",
         not_after="with between for off on up here there now"),
    rule(SI, "by my own hand|hands", who=Who.SELF),
    rule(SI, "~drink|~starve|~bleed @SELF to death", who=Who.SELF),
    rule(SI, "~want|~need|~wish @FILL stop|cease ~breathe|~exist|breathing|existing"),
    rule(SI, "the? means|way|ways|method|methods to ~end it|~die|~kill"),
    rule(SI, "~think|~contemplate|~consider|thoughts|thought|~fantasize|~fantasise about|of? *1 ~die|dying"),
    rule(SI, "~insistent|~obsess|~obsessed|~fixate|~fixated on ~die|dying|death"),
    rule(SI, "reason|reasons i *1 not|n't|no|still *1 dead|alive|here", "reason|reasons i wo|will n't|not ~kill|~take"),
    rule(SI, "~get|~take|~remove @SELF out? of? the|this way|picture|world|equation", weak=True, who=Who.SELF),
    rule(SI, "~imagine|~dream about|of *5 ~die|dying|killing|death|dead", weak=True),
    rule(SI, "~hold on *3 longer", weak=True),
    # --- passive death wish -----------------------------------------------------------------------------------
    rule(PDW, "@DESIRE @FILL ~die", "@DESIRE @FILL for? *2 ~die", not_after="laughing of from"),
    rule(PDW, "@DESIRE @FILL be|was|were|am|been dead", not_after=DEAD_IDIOMS),
    rule(PDW, "@DESIRE @FILL not|never ~wake|~exist|been born|be born|be alive|was born|were born"),
    rule(PDW, "@DESIRE @FILL n't|not ~wake|~exist|be alive", not_after="early at before"),
    rule(PDW, "@DESIRE @FILL ~disappear|~vanish|disappearing|vanishing", weak=True),
    rule(PDW, "~disappear|~vanish|disappearing|vanishing from|into|forever|permanently|off *2 world|existence|air|earth|good|face|forever",
         "~disappear|~vanish|disappearing|vanishing forever|permanently"),
    rule(PDW, "~wish|~want|~hope|~pray for? *3 death|accident"),
    rule(PDW, "@DESIRE @FILL it|everything|life all? to? ~end|over", not_after="with"),
    rule(PDW, "~rather|prefer *1 be? dead|~die", not_after=DEAD_IDIOMS),
    rule(PDW, "better off dead|gone|without me", "better|easier *4 if i @FILL dead|gone|death|died|~die|disappeared"),
    rule(PDW, "~death|dying|being dead *1 ~be|would|sounds|seems|feels|looks *2 better|easier|relief|peaceful|right|"
              "good|nice|answer|option|solution|escape|appealing|tempting|inviting|welcome"),
    rule(PDW, "~tired|sick|exhausted|done of|with *1 being alive|living|existing|life|existence|breathing|~exist|~live",
         not_after="with in at here there like paycheck"),
    rule(PDW, "~hate being alive|living|existing", after=CLAUSE_END),
    rule(PDW, "'d|would hate to live"),
    rule(PDW, "why @FILL live|exist|bother|~keep living|going", after="$END $PUNCT anymore"),
    rule(PDW, "why @FILL be alive|~carry on|~go on", after="$END $PUNCT anymore"),
    rule(PDW, "no|any|one|zero|without|lost|losing|lose|what|the *1 reason|reasons|will|desire|purpose to|for ~live|living|exist|existing|life",
         "no|any|one|zero|without|lost|losing|lose|what *1 reason|reasons|will|desire|point|purpose to ~keep|~carry|~stay|~go|be going|on|alive|living|here",
         "what *1 the point of|in ~live|living|life|existing|being|~go|~keep|anything",
         not_after="with in at there"),
    rule(PDW, "n't|not|never meant|supposed to be alive|born|here|living", "n't|not|never deserve to live|exist|be alive"),
    rule(PDW, "n't|not want|wanna to? ~live|~exist|be alive|~go on|~keep going|~keep living",
         not_after="with in at near there together on by alone home abroad here far close without"),
    rule(PDW, "n't|not want|wanna to? be here|around anymore|any|no", "~want to? be alive|~live|~exist anymore"),
    rule(PDW, "n't|not|never ~live|~exist anymore|any"),
    rule(PDW, "no longer want|wish|care to? ~live|~exist|be alive|be here"),
    rule(PDW, "n't|not|no longer care|mind if|whether i @FILL ~live|~die|dead|~wake|alive"),
    rule(PDW, "~can|could n't|not ~take|~handle|~bear|~stand|~do|~deal|~live *2 life|living|existence|being alive"),
    rule(PDW, "~wish @FILL n't|not|never ~survive|~wake|been born|~exist"),
    rule(PDW, "~wish @FILL n't|not|never ~fail"),
    rule(PDW, "~wish @FILL ~have|'d|would|could have? ~die|dead|succeeded"),
    rule(PDW, "~wish @FILL n't|not have to *2 ~live|living|~exist|~wake|alive"),
    rule(PDW, "unfortunately|sadly ,? i @FILL ~survive|~live|~wake", "n't|not die|dead ,? unfortunately|sadly",
         "still alive|here ,? unfortunately|sadly", "unfortunately|sadly ,? i *1 still alive|here"),
    rule(PDW, "~daydream|~fantasize|~fantasise|~fantasy about|of *7 ~die|dying|death|dead|killing|~kill"),
    rule(PDW, "not actively suicidal", "passive|passively suicidal|ideation|suicide", "~give up and ~die"),
    rule(PDW, "@DESIRE @FILL drop dead", "get to ~die", "can|could finally ~die|rest"),
    rule(PDW, "nobody|no one|who *1 would|will|'d ~miss|~notice|~care *3 me|if i|when i",
         "glad|happy|relieved *2 i|i'm|im|am|'m dead|gone"),
    rule(PDW, "my|your death would|will *2 ~improve|~help|better|easier|relief|~free|~solve"),
    rule(PDW, "if i just|simply|finally ~die|~disappear|dead|gone"),
    rule(PDW, "if|when|once|after i @FILL ~die|dead|gone", "my death", weak=True, not_after=DEAD_IDIOMS),
    rule(PDW, "n't|not|no afraid|scared of|to ~die|dying|death", weak=True),
    rule(PDW, "finally|will|'ll|can be? at peace|rest", "want|wanna out", weak=True),
    # --- intent or plan ---------------------------------------------------------------------------------------
    rule(IOP, "~plan|~decide|~intend|~prepare on|to committing? ~die|dying|~kill|~hang|~overdose|suicide|~jump"),
    rule(IOP, "~plan|planning my|a|the suicide|death|exit|end"),
    rule(IOP, "suicide|suicidal plan|plans|date|method|methods|pact|letter|note|notes"),
    rule(IOP, "~hang|~shoot|~drown|~stab|~poison|~gas|~electrocute|~strangle|~suffocate|~hurl|~throw @SELF",
         who=Who.SELF, not_after="into at"),
    rule(IOP, "~slit my *1 wrist|wrists|throat", "~blow my brains", "bullet|gun in|to|into my head|mouth|brain|temple",
         who=Who.SELF),
    rule(IOP, "~jump|jumping off|from|in front of *3 " + MEANS_OBJECTS.replace(" ", "|")),
    rule(IOP, "~jump off|from", after="$END $PUNCT", weak=True),
    rule(IOP, "~drive|~crash|~steer *4 into|off *2 pole|wall|truck|tree|bridge|cliff|traffic|oncoming|semi|lake|river|barrier"),
    rule(IOP, "~step|~walk|~lie|~throw *2 in front of|into|onto *2 train|bus|traffic|truck|car|tracks"),
    rule(IOP, "courage|guts|nerve|balls|brave|strength enough? to @FILL ~jump|~die|~hang"),
    rule(IOP, "courage|guts|nerve|balls|brave|strength enough? to @FILL ~do|~end|~go it|through", weak=True),
    rule(IOP, "~painless|quick|quickest|easy|easiest|best|fast|fastest|sure|surest|effective|reliable|peaceful|~good "
              "way|ways|method|methods to|of ~die|dying|~kill|~end|suicide|~overdose"),
    rule(IOP, "how @FILL ~easy|~quick|~painless|long|many|much|fast *4 to? ~die|~overdose|od|lethal|fatal|deadly"),
    rule(IOP, "lethal|fatal|deadly dose|amount|overdose|combination"),
    rule(IOP, "~be this|that|these|it enough @MEDS", "enough @MEDS to *2 ~die|~kill|~end|od|~overdose|~do|~wake"),
    rule(IOP, "rope|ropes|noose|nooses",
         not_before="jump jumping skip skipping tow the jumprope climbing", not_after="course courses swing bridge"),
    rule(IOP, "~drink|~pour|~swallow|cup|glass|bottle of? *2 bleach|antifreeze|poison|cyanide|drano"),
    rule(IOP, "n't|not|never planning|plan|intend|intending on|to ~come|coming back", after="$END $PUNCT alive home"),
    rule(IOP, "i will|'ll|gon na? ~check out", after="$END $PUNCT"),
    rule(IOP, "the day|date i ~set|~pick|~choose", "~set|~pick|~choose a|the date|day", not_after="for to up of with"),
    rule(IOP, "~go|~buy|bought|~get|~order|~keep|~stockpile|~hoard|~save *2 a|some|the|my|enough? rope|noose|gun|firearm"),
    rule(IOP, "~stockpile|~hoard|~save|saving up|~collect *2 my|the? @MEDS"),
    rule(IOP, "~gun|~pistol|~firearm|~razor|~blade|~knife|~knives|~bridge|bleach|~pill|~tablet|edge|~tracks", weak=True,
         not_before="shaving safety the bullet"),
    rule(IOP, "~take|~swallow|~drink|~pop|~down|~chug *2 the|my|all|every @MEDS", weak=True),
    rule(IOP, "~take|~swallow|~drink|~pop|~down|~chug|~eat *2 @QTY *3 @MEDS"),
    rule(IOP, "~want|~plan|~go|~think|~consider|~about|~ready|just|will|'ll|might|gon|to|i od|oding"),
    rule(IOP, "~overdose|overdosing"),
    rule(IOP, "~time|times has|is|'s? ~come|here", "this is it", weak=True),
    rule(IOP, "almost|nearly|finally|actually|gon|going|plan|planning|ready|if|when|will|'ll|might|should *2 ~do|doing it",
         "~go|going through with it", "~follow through|~finish it", weak=True, not_after="right later tomorrow now with"),
    rule(IOP, "this time i|it wo|will n't|not ~fail", weak=True),
    # --- attempt or preparation -------------------------------------------------------------------------------
    rule(AOP, "suicide|suicidal attempt|attempts|attempted"),
    rule(AOP, "my|first|second|third|last|previous|recent|latest|failed|weekly|another|next|multiple|several|many|"
              "daily attempt|attempts", not_after="at to on of in with"),
    rule(AOP, "attempt|attempted|attempting", after="$END $PUNCT again before twice once suicide yesterday recently "
                                                    "last but and so when while since a few several many multiple",
         not_before="an the to an's first"),
    rule(AOP, "attempted @COUNT times"),
    rule(AOP, "~try|~attempt to ~kill|~hang|~shoot|~drown|~off|~unalive @SELF", who=Who.SELF),
    rule(AOP, "~try|~attempt to ~end|~take my own? life|it", "~try|~attempt to ~overdose|od|~die",
         not_after="with better"),
    rule(AOP, "~stop|~catch|~find|~find me from|before|while|when|in? the? middle? of? ~take|~swallow|~drink|taking|"
              "swallowing|drinking|jumping|~jump|cutting|hanging|~hang|~kill|killing"),
    rule(AOP, "stomach pumped", "~pump my stomach"),
    rule(AOP, "~hold|~put|~press|held|put *3 knife|blade|razor|gun|pistol *3 to|over|against|on|into my? wrist|wrists|"
              "throat|neck|head|temple|skin|arm|chest|heart"),
    rule(AOP, "~tie|tied|~hang|hung *3 rope|ropes|belt|cord|noose|sheet"),
    rule(AOP, "~write|wrote|written|writing *3 my|a|the|goodbye|suicide|last|final *1 note|notes|letter|letters", weak=True),
    rule(AOP, "suicide|goodbye note|notes|letter|letters"),
    rule(AOP, "~give|giving away my|all *2 things|stuff|belongings|possessions|pets|cat|dog|clothes"),
    rule(AOP, "~finalise|~finalize|~settle|~get|~put *2 things|affairs|everything|stuff *1 in? order|place|first",
         weak=True),
    rule(AOP, "~wake|woke up in *1 hospital|icu|er|ambulance|ward", "charcoal", weak=True),
    rule(AOP, "~lock @SELF in", "~stop|stopped midway|halfway", "~back|~chicken out", weak=True, who=Who.SELF),
    # Goodbyes
    rule(AOP, "goodbye|bye|farewell everyone|everybody|world|forever|y'all|reddit|friends|cruel|all|for good"),
    rule(AOP, "~say|saying goodbye|bye|farewell|goodbyes to *2 everyone|everybody|people|family|friends|world|life|"
              "all|loved|parents|kids|mom|dad"),
    rule(AOP, "nice|good|great knowing you|y'all|everyone|u|everybody", "this is goodbye|farewell",
         "by the time you *1 ~read this", "final message|goodbye|farewell|post|note|letter|words|thoughts",
         "last words|goodbye|letter|note|farewell", "~wo|will n't|not be here|around|alive *1 much|for|long|anymore|to",
         "my last day|night|days on earth|alive"),
    rule(AOP, "goodbye|farewell|bye|~say goodbye|goodbyes", "last message|post|text|time", "love you all", weak=True),
    rule(AOP, "i @FILL will|'ll|gon|going|would|'d|might|should|could to|na? be dead|gone", not_after=DEAD_IDIOMS),
    # --- overdose or medical emergency ------------------------------------------------------------------------
    rule(OD, "took|swallowed|drank|popped|taken|ate|downed *2 @QTY *3 @MEDS", not_before="not never"),
    rule(OD, "overdosed|overdosing|od'd", "i *1 ~overdose|od", who=Who.CONTEXT),
    rule(OD, "~drink|drank|~swallow|swallowed bleach|antifreeze|poison|cyanide"),
    # --- self-harm --------------------------------------------------------------------------------------------
    rule(SH, "selfharm|selfharming|selfharmed"),
    rule(SH, "my|a|of|from|with|on|about|the|into|no|bad|stop|urge|urges sh", "sh scars|scar|urges|urge|problem|habit|"
                                                                                  "wounds|relapse|marks|free|again"),
    rule(SH, "~cut|~burn|~hit|~punch|~scratch|~hurt|~harm|~injure|~bruise|~mutilate|~bite|~carve|~slice|~stab|~starve @SELF",
         who=Who.SELF, not_after="up over playing at while lifting running working during falling skiing skating "
                                 "shaving cooking"),
    rule(SH, "~make @SELF *2 bleed|~suffer|~hurt", who=Who.SELF),
    rule(SH, "~put @SELF in danger|harm", weak=True, who=Who.SELF),
    rule(SH, "~make @SELF *2 physically|pain|bad", weak=True, who=Who.SELF),
    rule(SH, "~cut|~slash|~scratch|~burn|~carve *2 my|into|on|in *1 arm|arms|wrist|wrists|thigh|thighs|leg|legs|skin|"
             "stomach|hip|hips|body|forearm|forearms|ankles|ribs"),
    rule(SH, "~slash|slashes|cuts|scratches|burns|gashes|scars *2 to|on|into|in|across|over my *1 arm|arms|wrist|"
             "wrists|thigh|thighs|leg|legs|skin|stomach|hip|hips|body|forearm"),
    rule(SH, "cut|cutting|cuts", after=CLAUSE_END + " myself deeper deep more is was helps to for every daily",
         not_before="got get gets getting was were been be is are hair paper pay paycheck price budget tax job hours "
                    "salary a the short power clean first final director's 's clear-cut precision"),
    rule(SH, "~urge|urges|urged|tempted|~want to ~cut|~burn|~hurt|~harm|~bleed|~scratch", not_after="back off down up out"),
    rule(SH, "~stop|~quit|~resist|~relapse|relapsed *1 cutting|selfharm|sh"),
    rule(SH, "~put|~place|~throw my|the *1 razor|razors|blade|blades down|away"),
    rule(SH, "~cut|sh|selfharm free|clean"),
    # --- harm to others ---------------------------------------------------------------------------------------
    rule(HTO, "~want|~go|gon|will|'ll|may|might|could|~urge|urges|~plan|~think|~tempt|~fantasize|~dream|~feel like|"
              "~afraid|~scared|~worried|i @FILL physically? ~kill|~murder|~stab|~shoot|~strangle|~choke|~poison|~drown "
              "my|the|that|this|a|those|these|every? @PERSON", who=Who.SELF),
    rule(HTO, "~want|~go|gon|will|'ll|may|might|could|~urge|~plan|~think|~afraid|~scared|~worried|i @FILL physically? "
              "~hurt|~harm|~attack|~beat|~abuse someone|somebody|people|others|anyone|everyone|a|my|kids|children",
         who=Who.SELF, not_after="feelings"),
    rule(HTO, "physically ~hurt|~harm|~attack", who=Who.SELF),
    rule(HTO, "pay with @THEIR life|lives", "~shoot up the|a|my school|office|work|place|class|church|mall",
         "~bring|~take a gun to school|work|class", who=Who.SELF),
    # --- third party (the person at risk is someone else) -----------------------------------------------------
    rule(TP, "~kill|~hurt|~harm|~cut|~hang|~shoot|~off|~unalive|~overdose|~starve|~burn|~drown|~poison|~end|~stab "
             "@OTHER_SELF", who=Who.OTHER),
    rule(TP, "~end|~take @THEIR own? life|lives", who=Who.OTHER, not_after="back over"),
    rule(TP, "he|she|they|him|her|them|son|daughter|friend|husband|wife|partner|boyfriend|girlfriend|mom|dad|brother|"
             "sister|child|kid 's|is|are|was|were? not|n't breathing", who=Who.OTHER),
    rule(TP, "he|she|they|son|daughter|friend|husband|wife|partner|boyfriend|girlfriend|mom|dad|brother|sister|child|"
             "kid 's|is|are|was|were|~be unresponsive|unconscious|turning blue|wo|will n't|not ~wake", who=Who.OTHER),
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
        "~kill @SELF *2 laughing|working|studying|trying|running|cleaning|exercising|training|cramming",
        "~kill @SELF at|over|for|with *2 work|job|gym|school|homework|project|exams|this",
        "~die|dying|died laughing", "~die|dying|died of|from embarrassment|shame|laughter|cringe|boredom|cuteness",
        "dying to|for", "cross my heart and hope to die", "~beat @SELF up|over", "~kick @SELF",
        "jump|jumping|skip|skipping rope", "ropes course", "the ropes", "~learn|~know the ropes", "~cut @SELF off|some slack",
        "career|social|political|professional|financial|commercial|fashion|academic suicide",
        "suicide squad|doors|door|sprints|sprint|drills|drill|runs|mission|bomber|bombers|bombing|bombings|king|blonde",
        "suicide|suicidal rate|rates|statistics|stats|research|awareness|prevention|training|study|studies|crisis",
        "~kill @SELF *4 game|level|boss|fortnite|minecraft", "attempt|attempts at", "~cut|cutting @SELF some",
        "~hurt @SELF *4 gym|practice|game|football|soccer|basketball|fall|accident|back|knee|ankle|wrist|shoulder",
    ),
    Cue.GRIEF: (
        "committed suicide", "~die|died|death|deaths by|of|from suicide|overdose|an overdose",
        "~lose|lost|loss|losing *4 to suicide|overdose|an overdose", "suicide of", "'s|his|her|their suicide",
        "killed|hanged|hung|shot|drowned|overdosed|poisoned|offed @OTHER_SELF",
        "took @THEIR own? life|lives", "passed away|on", "~miss him|her|them", "~funeral", "~grieve|grief|grieving",
        "~bury", "rest in peace", "rip",
    ),
    Cue.PAST: (
        "years|yrs|decade|decades ago|back|earlier|before", "long|ages ago", "a long time ago",
        "when|while i|he|she|they|we was|were *2 young|younger|little|small|kid|child|teen|teenager|baby|pregnant|a",
        "when|while i|he|she|they|we was|were @COUNT",
        "back in|when i was in|during my *2 high|middle|school|college|teens|twenties|childhood|university|youth",
        "as a kid|child|teen|teenager|young|little|baby|youngster|boy|girl", "in the past", "back then", "growing up",
        "used to", "my childhood", "in 19*|20*",
    ),
    Cue.CURRENT: (
        "again", "now", "lately", "recently", "currently", "today", "tonight", "yesterday", "last night",
        "this week|morning|month|weekend", "these days", "right now", "anymore", "still", "like this", "coming back",
        "back again", "starting", "returning", "worse", "every day", "everyday",
    ),
    Cue.RESOLVED: (
        "stable|sober|clean|free since|for|ever", "better now", "much|so|way|lot|far better",
        "doing well|great|good|fine", "in a good place", "recovery", "recovered", "healed",
        "glad|grateful|thankful|happy i|that", "not want to go back", "never want to go back", "never going back",
        "n't|not|never *3 since", "over it", "got through",
    ),
    Cue.RECENT: (
        "yesterday", "today", "tonight", "last night", "this morning|week|weekend|afternoon|evening", "just",
        "recently", "again", "the other day", "days|hours|minutes ago", "on monday|tuesday|wednesday|thursday|"
        "friday|saturday|sunday", "right now", "now", "currently", "keeps|keep", "says|saying|texted|texting|told",
    ),
    Cue.WORRY: (
        "how|what *3 ~help|~support|~do|~handle|~talk|~say", "i *1 scared|worried|terrified|afraid|panic|frightened",
        "~help my|him|her|them",
    ),
    Cue.INTENT: (
        "~plan|planning|planned|~decide|decided|gon|going|ready|tonight|tomorrow|soon|method|methods|date|bought|"
        "weekend",
    ),
    Cue.HUMOUR: ("lol|lmao|lmfao|haha|hahaha|jk|rofl|kidding|😂|🤣|😆",),
    Cue.GAME: (
        "game|games|gaming|level|boss|fortnite|minecraft|respawn|respawned|character|dice|rolled|d20|dnd|xbox|"
        "playstation|ps4|ps5|nintendo|videogame|controller|raid|warzone|gta|roblox|valorant|zombie|zombies",
    ),
    Cue.DISTRESS: (
        "~hate every|my|this *2 life|living|existence|second", "~can|could n't|not ~go on|~cope|~handle|~continue",
        "~can|could n't|not ~do|~take|~live *2 this|it|like *1 anymore|longer", "no way out", "no hope", "hopeless",
        "pointless", "worthless", "no future", "no point", "what *1 the point", "nothing left", "nothing to live",
        "~burden|burdening", "better than|then me", "deserve better", "nobody|no one ~care|cares|~notice|would|~love",
        "alone", "left me", "~give up", "given up", "giving up", "i *1 done", "so done", "done with *1 everything|life",
        "tired of *1 everything|it all", "sorry for *2 everything", "forgive me", "barely holding", "~hold on",
        "this|the pain", "so much pain", "agony", "suffering", "never *2 better", "nothing *6 better|~change|~help|~work",
        "~doubt *4 seen|read", "gone|turned out differently", "~wish things", "miserable", "empty", "numb",
        "deserves|deserve better", "no one left", "~finish|~finalise *2 things|everything",
    ),
}
