"""The staff console in a real browser: headless Chromium (Debian's /usr/bin/chromium, driven by Playwright)
against the real Rasa, action and console servers. A participant writes over REST and says something that
needs a crisis response; a member of staff signs in, opens the queue, the screening and its transcript,
acknowledges the escalation, replies in the live conversation (the reply is in the participant's
conversation, read back through Rasa's HTTP API), sees the participant's answer arrive, and hands back.

Screenshots go to var/artifacts/ (console-*.png).
"""

from __future__ import annotations

import re
import subprocess
import time
import uuid
from typing import Iterator

import pytest

from harness.servers import BIN, ROOT, Servers, module_servers
from tests.support.browser import AXE, chromium, require_chromium, shoot

pytestmark = pytest.mark.e2e

STAFF, PASSWORD = "Dana Example", "correct horse battery staple"
ATTACK = "<script>alert('x')</script>"
playwright = require_chromium()


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    with module_servers(tmp_path_factory, "console", console=True) as running:
        subprocess.run(
            [str(BIN / "iop-intake"), "staff", "add", STAFF, "--role", "intake"],
            cwd=ROOT,
            check=True,
            env={**running.env, "IOP_STAFF_PASSWORD": PASSWORD},
            capture_output=True,
        )
        yield running


@pytest.fixture(scope="module")
def browser():
    with chromium(playwright) as launched:
        yield launched


def staff_said(servers: Servers, sender: str) -> list[tuple[str, str]]:
    return [
        (e["text"], e["metadata"]["staff"])
        for e in servers.tracker(sender)["events"]
        if e["event"] == "bot" and (e.get("metadata") or {}).get("staff")
    ]


def test_staff_work_a_crisis_from_the_queue_to_a_reply_in_the_conversation(browser, servers: Servers) -> None:
    sender = f"e2e-console-{uuid.uuid4().hex[:8]}"
    for text in ("hi", "yes", "for myself", "Riley", "29"):
        servers.send(sender, text)
    servers.send(sender, f"{ATTACK} honestly I just want to kill myself")
    assert servers.tracker(sender)["paused"] is True  # the bot stepped back; an escalation is open

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    dialogs, violations = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )

    page.goto(f"{servers.console_url}/")  # signed out: the sign-in page, and back to the queue after it
    assert page.url.startswith(f"{servers.console_url}/sign-in")
    page.get_by_label("Name").fill(STAFF)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{servers.console_url}/")
    row = page.locator("tr", has_text="Suicidal ideation")
    assert row.count() == 1 and "Nobody yet" in row.text_content()
    shoot(page, "console-queue.png", full_page=True)

    row.get_by_role("button", name="Acknowledge").click()  # from the queue itself
    page.locator("tr", has_text="Suicidal ideation").get_by_text(STAFF).wait_for()

    page.locator("tr", has_text="Suicidal ideation").get_by_role("link", name="Open").click()
    assert re.search(r"/escalations/\d+$", page.url)
    assert page.locator(".typed").first.text_content().startswith(ATTACK)  # shown as text
    page.get_by_role("link", name=re.compile(r"^Screening \d+$")).click()
    assert page.locator("table.answers tr", has_text="Riley").count() == 1  # the first-name answer
    assert "Screening" in page.title() and "Riley" not in page.title()
    shoot(page, "console-screening.png", full_page=True)

    page.get_by_role("link", name="Transcript").click()
    flagged = page.locator(".line.participant.flagged")
    assert flagged.count() == 1 and flagged.locator(".text").text_content().startswith(ATTACK)
    assert "Crisis detected" in flagged.text_content()
    assert page.locator(".line.event", has_text="The bot stepped back").count() == 1
    assert page.locator("main script").count() == 0 and dialogs == []

    page.get_by_role("link", name="Live conversation").click()
    page.get_by_label(re.compile("^Your message")).fill("Hi Riley, this is Dana from the intake team. Are you safe?")
    page.get_by_role("button", name="Send").click()
    page.locator(".line.staff", has_text="Are you safe?").wait_for()
    assert staff_said(servers, sender) == [("Hi Riley, this is Dana from the intake team. Are you safe?", STAFF)]

    servers.send(sender, "yes I'm safe, my sister is here")  # arrives on the open page by itself
    page.locator(".line.participant", has_text="my sister is here").wait_for(timeout=15_000)
    shoot(page, "console-handoff.png", full_page=True)
    page.get_by_role("button", name="Hand back to the bot").click()
    deadline = time.monotonic() + 20
    while servers.tracker(sender)["paused"]:
        assert time.monotonic() < deadline, "the conversation was not handed back"
        time.sleep(0.3)
    assert violations == [] and dialogs == []
    context.close()

    audit = subprocess.run(
        [
            str(BIN / "python"),
            "-c",
            (
                "import sys; from bot.store.db import session_scope; from bot.store import staff as s; "
                "from bot.settings import settings\n"
                "with session_scope(settings().database_url) as session:\n"
                "    print(' '.join(r.action for r in reversed(s.audit_log(session)) if r.staff_name == sys.argv[1]))"
            ),
            STAFF,
        ],
        cwd=ROOT,
        env=servers.env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert audit[0] == "sign_in" and "acknowledge" in audit and "view_screening" in audit
    assert audit.index("view_transcript") < audit.index("reply") < audit.index("hand_back")


def test_the_console_pages_pass_an_accessibility_check(browser, servers: Servers) -> None:
    if not AXE.exists():
        pytest.skip("axe-core is an npm package of the project: run `npm ci`")
    context = browser.new_context(bypass_csp=True)  # to inject axe; the policy itself is checked above
    page = context.new_page()
    page.goto(f"{servers.console_url}/sign-in")
    page.get_by_label("Name").fill(STAFF)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{servers.console_url}/")
    for path in ("/", "/appointments", "/funnel"):
        page.goto(f"{servers.console_url}{path}")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        serious = [
            (v["id"], [n["target"] for n in v["nodes"]])
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], path
    context.close()
