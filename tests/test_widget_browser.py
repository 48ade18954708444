"""The website widget in a real browser: headless Chromium (Debian's /usr/bin/chromium, driven by Playwright)
on the console's demo page, against the real Rasa, action and console servers (started once for the module).

Screenshots of the open widget mid-conversation go to var/artifacts/ (desktop and 360 px phone width).
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from typing import Iterator

import pytest
import requests

from harness.conversation import LIKELY_FIT
from harness.servers import BIN, ROOT, STAFF_TOKEN, Servers, module_servers
from tests.support.browser import AXE, chromium, require_chromium, shoot

pytestmark = pytest.mark.e2e

SOCKET_IO = ROOT / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}

playwright = require_chromium()
if not (AXE.exists() and SOCKET_IO.exists()):
    pytest.skip(
        "browser tests need the widget's npm packages: run `npm ci` (scripts/setup does)", allow_module_level=True
    )

# Questions answered by clicking the button with this title; the others are typed (LIKELY_FIT's words).
CLICKS = {
    "consent": "Yes, let's start",
    "for_whom": "For me",
    "current_care": "A therapist",
    "phq9_1": "More than half the days",
    "phq9_2": "Nearly every day",
    "phq9_3": "More than half the days",
    "gad7_1": "More than half the days",
    "alcohol_use": "No",
    "cssrs_1": "No",
    "cssrs_2": "No",
    "cssrs_6": "No",
    "schedule_times": "Mornings",
    "modality": "Either works",
    "insurance_holder": "Own plan",
}
SESSION_KEY = "iop-intake-session"


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    with module_servers(tmp_path_factory, "widget", console=True) as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    with chromium(playwright) as launched:
        yield launched


@pytest.fixture
def open_page(browser, servers):
    contexts = []

    def opened(viewport: dict = DESKTOP, *, clock: bool = False, **options):
        context = browser.new_context(viewport=viewport, **options)
        contexts.append(context)
        page = context.new_page()
        if clock:  # the page's timers, to move time forward
            page.clock.install()
        page.dialogs = []
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(f"{servers.console_url}/demo")
        return page

    yield opened
    for context in contexts:
        context.close()


def session_id(page) -> str:
    page.wait_for_function(f"localStorage.getItem('{SESSION_KEY}')")
    return page.evaluate(f"localStorage.getItem('{SESSION_KEY}')")


def bot_texts(servers: Servers, sid: str) -> list[str]:
    return [e["text"] for e in servers.tracker(sid)["events"] if e["event"] == "bot" and e.get("text")]


def settle(page, servers: Servers, sid: str, before: int, timeout: float = 30) -> str:
    """Wait until the bot has answered (more bot messages than `before`, listening again or paused for a
    person) and the widget shows its last message; that message."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tracker = servers.tracker(sid)
        said = [e["text"] for e in tracker["events"] if e["event"] == "bot" and e.get("text")]
        done = tracker.get("latest_action_name") == "action_listen" or tracker.get("paused")
        if len(said) > before and done:
            shown = page.locator(".msg.bot .text").last
            if shown.count() and shown.text_content() == said[-1]:
                return said[-1]
        time.sleep(0.2)
    raise AssertionError(f"the widget did not show the bot's answer within {timeout} s")


def launch(page) -> None:
    page.get_by_role("button", name=re.compile("^Chat with")).click()


def start(page, servers: Servers) -> str:
    launch(page)
    sid = session_id(page)
    settle(page, servers, sid, 0)
    return sid


def answer(page, servers: Servers, sid: str, key: str) -> str:
    before = len(bot_texts(servers, sid))
    if key in CLICKS:
        page.locator(".msg.bot").last.get_by_role("button", name=CLICKS[key], exact=True).click()
    else:
        type_message(page, LIKELY_FIT[key])
    return settle(page, servers, sid, before)


def type_message(page, text: str) -> None:
    page.get_by_label("Your message").fill(text)
    page.get_by_role("button", name="Send").click()


def test_full_screening_by_clicks_and_typing_survives_a_reload(open_page, servers):
    page = open_page()
    sid = start(page, servers)
    assert re.fullmatch(r"web-[0-9a-f]{32}", sid)
    asked, clicked, last = [], 0, ""
    for _ in range(60):
        key = servers.requested(sid)
        if key is None:
            break
        asked.append(key)
        clicked += key in CLICKS
        last = answer(page, servers, sid, key)
        if key == "phq9_3":  # mid-way: reload, the conversation comes back and goes on
            page.reload()
            launch(page)  # the widget never opens by itself
            page.locator(".msg.bot .text").last.wait_for()
            assert page.locator(".msg.user", has_text="my name is Sam").count() == 1
            assert page.locator(".msg.user", has_text="More than half the days").count() >= 1
            assert page.locator(".msg.bot .text").last.text_content() == bot_texts(servers, sid)[-1]
            assert session_id(page) == sid
            latest = page.locator(".msg.bot").last.get_by_role("button")
            assert latest.count() == 4 and latest.first.is_enabled()
            assert page.locator(".choices button:enabled").count() == 4  # answered ones stay disabled
            shoot(page, "widget-desktop.png")
    assert asked[:3] == ["consent", "for_whom", "first_name"] and "gad7_7" in asked and "member_id" in asked
    assert clicked >= 10 and len(asked) - clicked >= 10
    assert last  # the bot's reply to the last answer, and before it the likely level of care:
    final = " ".join(page.locator(".msg.bot .text").all_text_contents()[-4:]).lower()
    assert "likely" in final and "clinician" in final
    # The browser keeps the conversation id and nothing else.
    assert page.evaluate("Object.keys(localStorage)") == [SESSION_KEY]
    assert page.evaluate("sessionStorage.length") == 0
    out = subprocess.run(
        [str(BIN / "iop-intake"), "export"], env=servers.env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    rows = [json.loads(line) for line in out.splitlines() if sid in line]
    assert rows and rows[-1]["outcome"] == "likely_fit"


def test_phone_width_markup_is_text_and_crisis_shows_the_card(open_page, servers):
    page = open_page(PHONE, has_touch=True, is_mobile=True)
    sid = start(page, servers)
    panel = page.locator(".panel").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    crisis_line = page.locator(".crisis-line")
    assert crisis_line.is_visible() and "In crisis? Call or text 988" in crisis_line.text_content()
    assert crisis_line.locator("a[href='tel:988']").count() == 1
    assert crisis_line.locator("a[href='sms:988']").count() == 1

    for key in ("consent", "for_whom"):
        answer(page, servers, sid, key)
    attack = "<img src=x onerror=alert(1)>"
    before = len(bot_texts(servers, sid))
    type_message(page, attack)
    settle(page, servers, sid, before)
    assert page.locator(".msg.user").last.text_content() == attack
    assert page.locator("#iop-intake-widget img").count() == 0
    assert page.dialogs == []
    shoot(page, "widget-phone.png")

    before = len(bot_texts(servers, sid))
    type_message(page, "honestly I want to kill myself")
    settle(page, servers, sid, before)
    card = page.locator(".msg.crisis")
    assert card.count() == 1 and card.get_attribute("role") == "alert"
    assert "988" in card.text_content() and "741741" in card.text_content()
    assert card.locator("a[href='tel:988']").count() >= 1 and card.locator("a[href='sms:988']").count() == 1
    shoot(page, "widget-crisis-phone.png")

    # A person from the team answers through the staff endpoint: it arrives in the open widget, no reload.
    staff = {"Authorization": f"Bearer {STAFF_TOKEN}"}
    base = f"{servers.rasa_url}/webhooks/staff/conversations/{sid}"
    requests.post(f"{base}/take", json={"staff": "Dana"}, headers=staff, timeout=30).raise_for_status()
    requests.post(
        f"{base}/reply",
        json={"staff": "Dana", "text": "Hi, this is Dana. Are you safe right now?"},
        headers=staff,
        timeout=30,
    ).raise_for_status()
    page.locator(".msg.bot", has_text="Are you safe right now?").wait_for(timeout=10_000)
    assert page.locator(".msg.bot .who").last.text_content() == "Dana (intake team)"

    page.reload()  # after a reload the crisis card is still the card (its mark is in the conversation's events)
    launch(page)
    page.locator(".msg.crisis").wait_for()
    assert page.locator(".msg.bot .who").last.text_content() == "Dana (intake team)"


PROBE = """async ([botUrl, foreign]) => {
  const socket = io(botUrl, {transports: ["websocket"], forceNew: true});
  const next = (event) => new Promise((resolve) => socket.once(event, resolve));
  await next("connect");
  socket.emit("session_request", {session_id: "e2e-likely-fit"});  // someone else's conversation
  const id = await next("session_confirm");
  socket.emit("user_uttered", {message: "hi", session_id: foreign});  // not this socket's session
  await next("session_expired");
  socket.emit("user_uttered", {message: "/restart", session_id: id});  // text, not a command
  await next("bot_uttered");
  socket.disconnect();
  return id;
}"""


def test_the_socket_only_speaks_for_the_session_the_server_issued(open_page, servers):
    page = open_page()
    page.add_script_tag(url=f"{servers.console_url}/vendor/socket.io.min.js")
    foreign = f"web-{'0' * 32}"
    issued = page.evaluate(PROBE, [servers.rasa_url, foreign])
    assert re.fullmatch(r"web-[0-9a-f]{32}", issued)
    deadline = time.monotonic() + 10  # the reply goes out before the conversation is stored
    while not (said := [e["text"] for e in servers.tracker(issued)["events"] if e["event"] == "user"]):
        assert time.monotonic() < deadline, "the message was not stored"
        time.sleep(0.2)
    assert said == ["restart"]
    assert not [e for e in servers.tracker(foreign)["events"] if e["event"] == "user"]


def test_keyboard_only_first_questions_and_accessibility(open_page, servers):
    page = open_page(reduced_motion="reduce")
    for _ in range(40):  # the launcher is the page's last stop in the tab order
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "iop-intake-widget":
            break
    focused = "document.getElementById('iop-intake-widget').shadowRoot.activeElement"
    assert page.evaluate(f"{focused}.className") == "launcher"
    page.keyboard.press("Enter")
    assert page.evaluate(f"{focused}.id") == "iop-input"
    sid = session_id(page)
    settle(page, servers, sid, 0)

    # The consent buttons are just before the input: Shift+Tab reaches them, Enter answers, focus comes back.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(f"{focused}.textContent") == "Yes, let's start"
    before = len(bot_texts(servers, sid))
    page.keyboard.press("Enter")
    settle(page, servers, sid, before)
    assert page.evaluate(f"{focused}.id") == "iop-input"
    for text in ("for myself", "Sam", "34", "Oregon"):
        before = len(bot_texts(servers, sid))
        page.keyboard.type(text)
        page.keyboard.press("Enter")
        settle(page, servers, sid, before)
    assert servers.requested(sid) == "concerns_text"

    assert page.locator(".log").get_attribute("aria-live") == "polite"
    assert (
        page.evaluate(
            "getComputedStyle(document.getElementById('iop-intake-widget').shadowRoot"
            ".querySelector('.typing span')).animationName"
        )
        == "none"
    )
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []

    page.keyboard.press("Escape")
    assert page.locator(".panel").is_hidden()
    assert page.evaluate(f"{focused}.className") == "launcher"


def test_a_reconnect_keeps_the_session_and_shows_what_came_meanwhile(open_page, servers):
    page = open_page()
    sid = start(page, servers)
    answer(page, servers, sid, "consent")
    shown = page.locator(".msg").count()
    page.context.set_offline(True)  # drops the socket; the widget says so and retries
    page.locator(".status", has_text="Reconnecting").wait_for()
    staff = {"Authorization": f"Bearer {STAFF_TOKEN}"}
    base = f"{servers.rasa_url}/webhooks/staff/conversations/{sid}"
    requests.post(f"{base}/take", json={"staff": "Dana"}, headers=staff, timeout=30).raise_for_status()
    requests.post(
        f"{base}/reply",
        json={"staff": "Dana", "text": "Dana here, sent while you were offline."},
        headers=staff,
        timeout=30,
    ).raise_for_status()
    page.context.set_offline(False)
    page.locator(".msg.bot", has_text="sent while you were offline").wait_for(timeout=20_000)
    assert page.locator(".msg").count() == shown + 1  # what came meanwhile is added, nothing twice
    assert page.locator(".choices button:enabled").count() == 0  # the staff message came after the question
    assert page.locator(".status").text_content() == ""
    assert session_id(page) == sid
    users = [e["text"] for e in servers.tracker(sid)["events"] if e["event"] == "user"]
    assert users == ["hi", "yes"]  # the same conversation: no new greeting after the reconnect


def test_on_a_shared_computer_the_widget_stays_closed_and_end_chat_forgets_the_conversation(open_page, servers):
    page = open_page()
    sid = start(page, servers)
    answer(page, servers, sid, "consent")
    later = page.context.new_page()  # the next visit to the site, in the same browser
    later.goto(f"{servers.console_url}/demo")
    later.get_by_role("button", name=re.compile("^Chat with")).wait_for()
    assert later.locator(".panel").is_hidden() and later.locator(".msg").count() == 0
    launch(later)  # opened on purpose, within the idle period: the conversation is there
    later.locator(".msg.user", has_text="Yes, let's start").wait_for()

    later.get_by_role("button", name="End chat").click()
    assert later.locator(".panel").is_hidden() and later.locator(".msg").count() == 0
    assert later.evaluate("Object.keys(localStorage)") == []
    launch(later)
    assert session_id(later) != sid  # a new conversation; the old one stays for staff
    assert [e["text"] for e in servers.tracker(sid)["events"] if e["event"] == "user"] == ["hi", "yes"]


def test_after_the_idle_period_the_open_widget_forgets_the_conversation(open_page, servers):
    page = open_page(clock=True)
    sid = start(page, servers)
    answer(page, servers, sid, "consent")
    page.clock.fast_forward("29:00")  # a long pause to think is fine
    assert page.locator(".msg").count() > 0 and session_id(page) == sid
    page.clock.fast_forward("02:00")  # 30 minutes without a message: whoever sits down next sees nothing
    page.locator(".panel").wait_for(state="hidden")
    assert page.locator(".msg").count() == 0
    assert page.evaluate("Object.keys(localStorage)") == []


def test_an_unsure_message_gets_the_check_in_with_buttons_and_no_goes_back(open_page, servers):
    page = open_page()
    sid = start(page, servers)
    for key in ("consent", "for_whom", "first_name", "age", "state"):
        answer(page, servers, sid, key)
    before = len(bot_texts(servers, sid))
    type_message(page, "I'm not suicidal or anything, I just can't sleep")
    asked = settle(page, servers, sid, before)
    assert asked.startswith("I want to make sure I understand you.")
    assert page.locator(".msg.crisis").count() == 0  # a question, not the crisis card
    before = len(bot_texts(servers, sid))
    page.locator(".msg.bot").last.get_by_role("button", name="No", exact=True).click()
    back = settle(page, servers, sid, before)
    assert "what's been going on" in back and servers.requested(sid) == "concerns_text"
    assert "Thank you for telling me" in " ".join(page.locator(".msg.bot .text").all_text_contents()[-2:])
