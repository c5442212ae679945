"""``cadrebot ask "QUESTION"``: who is competent, from a sentence in the person's words."""

from __future__ import annotations

import argparse

from bot.cli.common import CliError, add_json, add_rules_options, print_json, select_rules
from handlers.ask_answer import answer_as_dict, answer_question
from handlers.i18n import guess_language
from handlers.route_answer import validity_note


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "ask", help="who is competent? ask in your own words",
        description="Describe your post in your own words (with or without diacritics) "
                    "and get the competent body, a clarifying question, or a note that "
                    "the case is not covered. The rules are those in force on the day for "
                    "the installation's place, as in the assistant.")
    parser.add_argument("question", nargs="*", metavar="QUESTION",
                        help='e.g. "Tôi là hiệu trưởng trường mầm non xã Phổ Châu, '
                             'gửi kế hoạch cho ai?"')
    add_rules_options(parser)
    add_json(parser)
    parser.add_argument("--lang", choices=["vi", "en"], default=None,
                        help="language of the answer (default: the question's language)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    question = " ".join(args.question).strip()
    if not question:
        raise CliError('the question is empty; describe your post, e.g. cadrebot ask '
                       '"Tôi là hiệu trưởng trường mầm non xã Phổ Châu, gửi kế hoạch cho ai?"')
    rules = select_rules(args)
    args.lang = args.lang or guess_language(question)
    recognition, answer = answer_question(question, rules.pack, args.lang)
    note = validity_note(rules.pack, rules.on, args.lang)
    if args.json:
        print_json(answer_as_dict(recognition, answer) | rules.as_dict() | {"note": note})
        return 0
    print(answer)
    if note:
        print()
        print(note)
    return 0
