"""The SMS channel's plain logic: keywords, numbered options, GSM-7 and segments, splitting long texts,
phone numbers, pseudonyms and the encrypted number. No Rasa, no database, no network."""

from __future__ import annotations

import re

import pytest
from cryptography.fernet import Fernet

from bot.program import load_program
from bot.screening import QUESTIONS
from bot.sms import compliance
from bot.sms.compliance import Keyword, keyword
from bot.sms.encoding import MAX_SMS_CHARS, is_gsm7, non_gsm7, plain, segments, split_text
from bot.sms.identity import NumberCipher, e164, pseudonym
from bot.sms.render import Options, chosen_payload, render, sms_texts

PROGRAM = load_program()
NUMBER = "+15035550123"
KEY = "k" * 40


# ---------------------------------------------------------------------------------------------------
# Keywords


@pytest.mark.parametrize("text", ["STOP", "stop", " Stop ", "STOPALL", "unsubscribe", "CANCEL", "end", "Quit\n"])
def test_opt_out_words_are_keywords_in_any_case_and_with_spaces(text: str) -> None:
    assert keyword(text, opted_out=False) is Keyword.OPT_OUT
    assert keyword(text, opted_out=True) is Keyword.OPT_OUT


@pytest.mark.parametrize("text", ["HELP", " info ", "Help"])
def test_help_words(text: str) -> None:
    assert keyword(text, opted_out=False) is Keyword.HELP


@pytest.mark.parametrize("text", ["START", "unstop", " yes "])
def test_opt_in_words_only_count_for_a_number_that_opted_out(text: str) -> None:
    assert keyword(text, opted_out=True) is Keyword.OPT_IN
    assert keyword(text, opted_out=False) is None  # "yes" answers a question, "start" starts the screening


@pytest.mark.parametrize("text", ["please stop", "stop.", "I need help", "the end", "", "stop asking me that"])
def test_a_keyword_inside_a_sentence_is_a_message_for_the_bot(text: str) -> None:
    assert keyword(text, opted_out=False) is None


def test_help_text_names_the_program_its_phone_rates_and_how_to_opt_out() -> None:
    text = compliance.help_text(PROGRAM)
    assert PROGRAM.name in text and PROGRAM.phone in text
    assert "Msg & data rates may apply" in text and "STOP" in text and "988" in text
    assert is_gsm7(text) and len(text) <= MAX_SMS_CHARS


def test_first_contact_notice_and_confirmations_say_how_to_opt_out_or_back_in() -> None:
    assert "STOP to opt out" in compliance.first_contact_notice(PROGRAM)
    assert "START" in compliance.opted_out_text(PROGRAM) and "988" in compliance.opted_out_text(PROGRAM)
    assert "STOP" in compliance.opted_in_text(PROGRAM)
    for text in (
        compliance.first_contact_notice(PROGRAM),
        compliance.opted_out_text(PROGRAM),
        compliance.opted_in_text(PROGRAM),
        compliance.MEDIA_ONLY,
    ):
        assert is_gsm7(text) and len(text) <= MAX_SMS_CHARS, text


# ---------------------------------------------------------------------------------------------------
# Numbered options


def buttons(key: str) -> list[dict]:
    return [{"title": c.label, "payload": c.payload} for c in QUESTIONS[key].choices]


def test_buttons_become_numbered_options_with_a_reply_hint() -> None:
    text, options = render("Do you want to start?", buttons("consent"))
    assert text.splitlines() == ["Do you want to start?", "1) Yes, let's start", "2) Not now", "Reply 1 or 2."]
    assert options == Options(("1", "2"), ("yes", "no"))


@pytest.mark.parametrize("reply", ["2", "2.", " 2 ", "two", "Two", "2)", "(2)", "#2"])
def test_a_reply_of_2_picks_the_second_options_payload(reply: str) -> None:
    _, options = render("?", buttons("current_care"))
    assert chosen_payload(reply, options) == "psychiatrist"


@pytest.mark.parametrize("reply", ["5", "0", "22", "a therapist", "", "b", "1 and x"])
def test_anything_else_is_not_an_option_and_goes_to_the_bot_as_typed(reply: str) -> None:
    _, options = render("?", buttons("current_care"))
    assert chosen_payload(reply, options) is None


@pytest.mark.parametrize("reply", ["1 and 3", "1, 3", "1,3", "1 3", "one and three", "1 & 3"])
def test_several_options_can_be_picked_where_the_question_takes_more_than_one(reply: str) -> None:
    _, options = render("?", buttons("current_care"))
    picked = chosen_payload(reply, options)
    assert picked == "therapist and recent_discharge"
    parsed = QUESTIONS["current_care"].parse(picked)
    assert parsed.ok and parsed.value == ["therapist", "recent_discharge"]


def test_scale_options_keep_the_numbers_the_questionnaire_uses() -> None:
    # The bot's own hints say "a number from 0 to 3": the SMS list must not renumber the scale 1 to 4.
    text, options = render("Little interest or pleasure in doing things?", buttons("phq9_1"))
    assert text.splitlines()[1:] == [
        "0) Not at all",
        "1) Several days",
        "2) More than half the days",
        "3) Nearly every day",
        "Reply 0, 1, 2 or 3.",
    ]
    assert chosen_payload("2", options) == "2" and chosen_payload("zero", options) == "0"
    assert chosen_payload("4", options) is None  # out of range: the parser explains the scale


def test_a_skip_option_beside_a_scale_is_named_in_the_hint() -> None:
    text, options = render("?", buttons("phq9_1") + [{"title": "Skip", "payload": "skip"}])
    assert text.endswith('Reply 0, 1, 2, 3 or "Skip".') and "Skip)" not in text
    assert chosen_payload("skip", options) == "skip" and chosen_payload("3", options) == "3"


def test_options_whose_words_start_with_another_number_are_lettered() -> None:
    # "How many drinks?" -- "2" would be read as "3 or 4" if the options were numbered.
    text, options = render("How many drinks?", buttons("auditc_2"))
    assert "A) 1 or 2" in text and "B) 3 or 4" in text and text.endswith("Reply A, B, C, D or E.")
    assert chosen_payload("b", options) == "3 or 4" and chosen_payload(" B. ", options) == "3 or 4"
    assert chosen_payload("2", options) is None  # goes to the question's own parser as "2"
    assert QUESTIONS["auditc_2"].parse("2").value == 0  # which reads it as "1 or 2" drinks


def test_options_numbered_like_their_words_stay_numbered() -> None:
    _, options = render("How many days?", buttons("schedule_days"))
    assert options.marks == tuple("1234567") and chosen_payload("3", options) == "3"


def test_without_buttons_there_is_nothing_to_pick() -> None:
    text, options = render("How old are you?", None)
    assert (text, options, chosen_payload("2", options)) == ("How old are you?", None, None)


def test_options_survive_a_round_trip_through_json() -> None:
    _, options = render("?", buttons("current_care"))
    assert Options.from_json(options.as_json()) == options
    assert Options.from_json(None) is None and Options.from_json({"marks": ["1"], "payloads": []}) is None


# ---------------------------------------------------------------------------------------------------
# Encoding and length


def test_gsm7_detection_and_segment_counts() -> None:
    assert is_gsm7("Reply 1, 2 or 3. Msg & data rates may apply: $0 @ home!")
    assert not is_gsm7("I’m fine") and non_gsm7("I’m fine 🙂 “ok”") == "’🙂“”"
    assert segments("x" * 160) == 1 and segments("x" * 161) == 2 and segments("x" * 306) == 2
    assert segments("x" * 307) == 3
    assert segments("€" * 80) == 1 and segments("€" * 81) == 2  # extension characters take two septets
    assert segments("é" * 100 + "🙂") == 2  # UCS-2: 70 per segment, 67 when split; the emoji is two units
    assert segments("ü" * 160) == 1  # ü is in GSM-7


def test_typographic_punctuation_becomes_plain_gsm7() -> None:
    assert plain("I’m “sure” – really… ok") == 'I\'m "sure" - really... ok'
    assert is_gsm7(plain("It’s “fine”—thanks…"))


def test_short_texts_are_one_message() -> None:
    assert split_text("  Hello there.  ") == ["Hello there."]
    assert split_text("") == []


def test_long_texts_split_at_sentence_ends_within_the_limit() -> None:
    sentences = [f"This is sentence number {i} of a long reply about the program." for i in range(1, 16)]
    text = " ".join(sentences)
    parts = split_text(text)
    assert len(parts) > 1
    assert all(len(part) <= MAX_SMS_CHARS for part in parts)
    assert " ".join(parts) == text  # nothing lost or reordered
    assert all(part.endswith(".") for part in parts)  # every break is at the end of a sentence


def test_line_breaks_are_kept_and_preferred() -> None:
    text = "\n".join(f"{i}) An option line that is not very long at all" for i in range(1, 12))
    parts = split_text(text)
    assert all(len(part) <= MAX_SMS_CHARS for part in parts)
    assert "\n".join(parts) == text


def test_a_sentence_longer_than_the_limit_is_split_between_words_never_inside_one() -> None:
    words = [f"word{i}" for i in range(200)]
    parts = split_text(" ".join(words))
    assert all(len(part) <= MAX_SMS_CHARS for part in parts)
    assert [w for part in parts for w in part.split(" ")] == words


def test_a_1600_character_text_with_emoji_splits_cleanly() -> None:
    text = ("I have been feeling low 😞 for weeks. " * 45)[:1600]
    parts = split_text(text)
    assert all(0 < len(part) <= MAX_SMS_CHARS for part in parts)
    assert re.sub(r"\s+", " ", " ".join(parts)) == re.sub(r"\s+", " ", text.strip())


# ---------------------------------------------------------------------------------------------------
# Identity


@pytest.mark.parametrize(
    "raw", ["+15035550123", "+1 (503) 555-0123", "503-555-0123", "(503) 555 0123", "1-503-555-0123"]
)
def test_numbers_are_normalised_to_e164(raw: str) -> None:
    assert e164(raw) == NUMBER


def test_fictional_555_numbers_and_foreign_numbers_are_accepted_nonsense_is_not() -> None:
    assert e164("+15555550101") == "+15555550101"
    assert e164("+44 7700 900123") == "+447700900123"
    assert e164("") is None and e164("12") is None and e164("not a number") is None


def test_the_pseudonym_is_stable_keyed_and_holds_no_digits_of_the_number() -> None:
    conversation_id = pseudonym(NUMBER, KEY)
    assert re.fullmatch(r"sms-[0-9a-f]{24}", conversation_id)
    assert pseudonym(NUMBER, KEY) == conversation_id  # the same phone continues its conversation
    assert pseudonym(NUMBER, "another key" * 4) != conversation_id
    assert pseudonym("+15035550124", KEY) != conversation_id
    assert "5550123" not in conversation_id and "5035550123" not in conversation_id


def test_the_number_is_stored_encrypted_and_only_the_key_opens_it() -> None:
    cipher = NumberCipher(Fernet.generate_key().decode())
    token = cipher.encrypt(NUMBER)
    assert "5550123" not in token and cipher.decrypt(token) == NUMBER
    assert cipher.encrypt(NUMBER) != token  # randomised: equal numbers do not give equal tokens
    with pytest.raises(ValueError, match="SMS_NUMBER_KEY"):
        NumberCipher(Fernet.generate_key().decode()).decrypt(token)


def test_a_question_that_does_not_fit_with_its_intro_keeps_its_own_lines_with_the_options() -> None:
    intro = " ".join(["This is a long introduction to the next part of the questions."] * 4)
    texts, options = sms_texts(f"{intro}\nOver the last 2 weeks, how often?\nFeeling down?", buttons("phq9_2"))
    assert texts[0] == intro
    assert texts[1].startswith("Over the last 2 weeks, how often?\nFeeling down?\n0) Not at all")
    assert texts[1].endswith("Reply 0, 1, 2 or 3.") and options.payloads == ("0", "1", "2", "3")


def test_a_short_message_with_options_is_one_text() -> None:
    texts, _ = sms_texts("Is this for you?", buttons("for_whom"))
    assert texts == ["Is this for you?\n1) For me\n2) For someone else\nReply 1 or 2."]
