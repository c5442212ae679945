"""The main menu, /start with an invitation code, /help and /language."""

from __future__ import annotations

from dataclasses import replace

from handlers.buttons import ChooseLanguage, Help, Home, HowToLink, SetLanguage, StartFlow
from handlers.command_list import Audience
from handlers.context import Turn
from handlers.messages import Button, rows
from handlers.ports import LinkStatus

PREFIX = Help.prefix  # the menu's buttons, answered by handlers.app
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


def _go(turn: Turn, flow: str, label: str) -> Button:
    return Button(label, StartFlow(flow))


async def show(turn: Turn) -> None:
    """The main menu; a person without an account sees what they can do without one."""
    t = turn.t
    if turn.person is None:
        turn.say(t("What would you like to do?"), rows(
            _go(turn, "competent", t("Who is competent for my plan?")),
            _go(turn, "regulations", t("Look up the regulations")),
            Button(t("Link my account"), HowToLink()),
            Button(t("Language / Ngôn ngữ"), ChooseLanguage()),
        ))
        return
    committee = [_go(turn, "desk", t("My tasks at the committee"))] if await _acts(turn) else []
    turn.say(t("What would you like to do?"), rows(
        _go(turn, "filing", t("Prepare a new plan")),
        _go(turn, "dossiers", t("My dossiers")),
        _go(turn, "deadlines", t("My deadlines")),
        *committee,
        _go(turn, "competent", t("Who is competent for my plan?")),
        _go(turn, "regulations", t("Look up the regulations")),
        Button(t("Language / Ngôn ngữ"), ChooseLanguage()),
        Button(t("Help"), Help()),
    ))


async def audience(turn: Turn) -> Audience:
    if turn.person is None:
        return Audience.GUEST
    return Audience.COMMITTEE if await _acts(turn) else Audience.CADRE


async def refresh_commands(turn: Turn) -> None:
    """Ask the channel to list, from now on, the commands this person may use."""
    if turn.replies:
        turn.replies[-1] = replace(turn.replies[-1], command_menu=await audience(turn))


async def _acts(turn: Turn) -> bool:
    """Whether the person holds a role at a committee (cell, office, member, head...)."""
    if turn.person is None:
        return False
    return await turn.services.directory.has_committee_role(turn.person.id)


async def start(turn: Turn, code: str) -> None:
    """/start, or /start CODE from an invitation (also a Telegram deep link)."""
    t = turn.t
    if code:
        await link(turn, code)
        return
    if turn.person is not None:
        turn.say(t("Welcome back, {name}.", name=turn.person.name))
    else:
        turn.say(t("Welcome to cadrebot, the assistant for plans that dare to think and "
                   "dare to act for the common good (Quy định 887-QĐ/TU).\n\n"
                   "I can tell you which body is competent for your plan and look up the "
                   "regulations for anyone. To prepare and send a plan, link your account "
                   "with the invitation code your committee's office gave you."))
    await show(turn)
    await refresh_commands(turn)


async def link(turn: Turn, code: str) -> None:
    t = turn.t
    inbound = turn.inbound
    status, person_id = await turn.services.directory.link(
        code, inbound.channel, inbound.account, inbound.chat)
    if status is LinkStatus.LINKED and person_id:
        turn.person = await turn.services.directory.person(person_id)
        if turn.person and turn.conversation.language is None:
            turn.lang = turn.person.language
        name = turn.person.name if turn.person else person_id
        turn.say(turn.t("Your account is linked: welcome, {name}. You can now prepare plans "
                        "and follow your dossiers here.", name=name))
        await show(turn)
        await refresh_commands(turn)
        return
    messages = {
        LinkStatus.UNKNOWN: t("This invitation code is not valid. Please check it, or ask your "
                              "committee's office for a new one."),
        LinkStatus.USED: t("This invitation code has already been used. Ask your committee's "
                           "office for a new one."),
        LinkStatus.EXPIRED: t("This invitation code has expired. Ask your committee's office "
                              "for a new one."),
        LinkStatus.ACCOUNT_TAKEN: t("This chat account is already linked to someone else. If "
                                    "that is wrong, please contact your committee's office."),
        LinkStatus.RATE_LIMITED: t("Too many wrong codes. Please wait a few minutes and try "
                                   "again."),
    }
    turn.say(messages.get(status, messages[LinkStatus.UNKNOWN]))
    await show(turn)


async def how_to_link(turn: Turn) -> None:
    turn.say(turn.t("To link your account, ask your committee's office for your invitation "
                    "code, then send: /start CODE (for example /start K7PM-Q2XD)."))


async def help(turn: Turn) -> None:
    """What the person can do here: a guest sees only what works without an account."""
    t = turn.t
    if turn.person is None:
        turn.say("\n".join([
            t("Here is what I can do:"),
            t("/who: which body is competent for your plan"),
            t("/quydinh KEYWORD: search the regulations, e.g. /quydinh thẩm định"),
            t("/language: Tiếng Việt or English"),
            t("/start CODE: link your account with the invitation code from your "
              "committee's office; then you can prepare and send plans here"),
            t("/menu: the main menu; /cancel: stop what you are doing")]))
        await refresh_commands(turn)
        return
    lines = [t("Here is what I can do:"),
             t("/plan: prepare a new plan, step by step"),
             t("/draft: continue a plan you saved"),
             t("/dossiers: your dossiers, where each one is and its deadline"),
             t("/deadlines: your upcoming deadlines, soonest first (also /hanchot)"),
             t("/timkiem WORDS: find a dossier, closed ones too, e.g. /timkiem mầm non 2026"),
             t("/khancap: report an action taken in an emergency, without a plan"),
             t("/who: which body is competent for your plan"),
             t("/quydinh KEYWORD: search the regulations, e.g. /quydinh thẩm định"),
             t("/kenh: choose the chat app your notifications go to"),
             t("/language: Tiếng Việt or English"),
             t("/menu: the main menu; /cancel: stop what you are doing")]
    if await _acts(turn):  # the desk and the figures are the committee's
        lines[3:3] = [t("/tasks: dossiers waiting for you at the committee (cell, office, "
                        "appraisal, vote)"),
                      t("/thongke: statistics of the plans, with charts and a table "
                        "(committees)"),
                      t("/congbo: the published results, as a public notice and a web "
                        "page")]
    turn.say("\n".join(lines))
    await refresh_commands(turn)


async def choose_language(turn: Turn) -> None:
    turn.say(turn.t("Choose your language:"), rows(
        *(Button(name, SetLanguage(code)) for code, name in LANGUAGE_NAMES.items()),
        per_row=2))


async def set_language(turn: Turn, lang: str) -> None:
    turn.conversation.language = lang
    turn.lang = lang
    if turn.person is not None:
        await turn.services.directory.set_language(turn.person.id, lang)
    turn.say(turn.t("I will answer in English from now on.") if lang == "en"
             else turn.t("I will answer in Vietnamese from now on."))


def ask_to_link(turn: Turn, why: str) -> None:
    """What someone not linked yet is told when they ask for something only a linked
    person has (``why``, translated by the caller), with the way to link."""
    t = turn.t
    turn.say(why, rows(Button(t("Link my account"), HowToLink()), Button(t("Main menu"), Home())))
