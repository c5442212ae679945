"""``cadrebot ask "QUESTION"``: who is competent, from a sentence in the person's words."""

from __future__ import annotations

import argparse
from datetime import date

from bot.cli.common import CliError, add_json, print_json
from handlers.ask_answer import answer_as_dict, answer_question
from handlers.i18n import guess_language
from handlers.route_answer import validity_note
from workflow.rules import UnknownPack, bundled_rulebook


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "ask", help="who is competent? ask in your own words",
        description="Describe your post in your own words (with or without diacritics) "
                    "and get the competent body, a clarifying question, or a note that "
                    "the case is not covered.")
    parser.add_argument("question", nargs="*", metavar="QUESTION",
                        help='e.g. "Tôi là hiệu trưởng trường mầm non xã Phổ Châu, '
                             'gửi kế hoạch cho ai?"')
    parser.add_argument("--pack", metavar="ID", help="rule pack id (default: duc-pho-2022)")
    add_json(parser)
    parser.add_argument("--lang", choices=["vi", "en"], default=None,
                        help="language of the answer (default: the question's language)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    question = " ".join(args.question).strip()
    if not question:
        raise CliError('the question is empty; describe your post, e.g. cadrebot ask '
                       '"Tôi là trưởng phòng Nội vụ thị xã, gửi kế hoạch cho ai?"')
    book = bundled_rulebook()
    try:
        pack = book.get(args.pack)
    except UnknownPack as exc:
        raise CliError(f"unknown pack '{exc.pack_id}'; valid packs: {', '.join(exc.known)}") \
            from None
    args.lang = args.lang or guess_language(question)
    recognition, answer = answer_question(question, pack, args.lang)
    if args.json:
        print_json(answer_as_dict(recognition, answer))
        return 0
    print(answer)
    if recognition.unit_kind:
        # As `cadrebot route` does: say when these rules are not the ones in force today.
        today = date.today()
        note = validity_note(pack, today, book.successor_in_force(pack, today), args.lang)
        if note:
            print()
            print(note)
    return 0
