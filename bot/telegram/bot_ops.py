"""``TelegramOps`` on a library's ``Bot``: aiogram and python-telegram-bot spell these
Bot API calls alike, so they are written once. An adapter supplies its error mapping
(``call``), its keyboard type (``markup``) and how it fetches a file's bytes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.delivery import DeliveryError, Keyboard
from bot.telegram.core import CHANNEL, MAX_TEXT, FileTooLarge, is_photo_refused
from handlers.command_list import Audience

# (language, audience) -> the (command, description) pairs that audience may use.
CommandsFor = Callable[[str, Audience], list[tuple[str, str]]]


class BotOps:
    channel = CHANNEL
    max_text = MAX_TEXT

    def __init__(self, bot: Any) -> None:
        self.bot = bot
        self.commands_for: CommandsFor | None = None  # set by whoever runs the bot

    def command_types(self) -> tuple[Any, Any]:
        """The library's ``BotCommand`` and ``BotCommandScopeChat``."""
        raise NotImplementedError

    async def set_chat_commands(self, chat_id: str, audience: Audience) -> None:
        """The command menu of one private chat, in both languages (the default
        scope, for guests, stays as registered at start-up)."""
        if self.commands_for is None or self.is_group(chat_id):
            return  # in a group the menu would be every member's
        command, scope = self.command_types()
        for lang in ("vi", "en"):
            entries = [command(command=c, description=d[:256])
                       for c, d in self.commands_for(lang, audience)]
            await self.call(self.bot.set_my_commands(
                entries, scope=scope(chat_id=int(chat_id)),
                language_code=None if lang == "vi" else lang))

    async def call(self, request: Awaitable[Any]) -> Any:
        """Run one request, the library's failures turned into the delivery errors."""
        raise NotImplementedError

    def markup(self, buttons: Keyboard) -> Any:
        raise NotImplementedError

    async def fetch(self, info: Any) -> bytes:
        """The bytes of a file ``getFile`` described."""
        raise NotImplementedError

    def is_group(self, chat_id: str) -> bool:
        return chat_id.startswith("-")

    async def send_text(self, chat_id: str, text: str, buttons: Keyboard) -> None:
        await self.call(self.bot.send_message(chat_id=int(chat_id), text=text,
                                              reply_markup=self.markup(buttons)))

    async def edit_text(self, chat_id: str, message_id: int, text: str,
                        buttons: Keyboard) -> None:
        try:
            await self.call(self.bot.edit_message_text(
                text=text, chat_id=int(chat_id), message_id=message_id,
                reply_markup=self.markup(buttons)))
        except DeliveryError as exc:
            if "not modified" not in str(exc).lower():
                raise

    async def send_file(self, chat_id: str, file_id: str, caption: str) -> None:
        try:
            await self.call(self.bot.send_document(chat_id=int(chat_id), document=file_id,
                                                   caption=caption or None))
        except DeliveryError as exc:
            if not is_photo_refused(exc):
                raise
            # A photo's id cannot be sent as a document: send it as the photo it is.
            await self.call(self.bot.send_photo(chat_id=int(chat_id), photo=file_id,
                                                caption=caption or None))

    def upload(self, name: str, content: bytes) -> Any:
        """The library's object for a file sent from memory."""
        raise NotImplementedError

    async def send_upload(self, chat_id: str, name: str, content: bytes,
                          caption: str) -> None:
        await self.call(self.bot.send_document(chat_id=int(chat_id),
                                               document=self.upload(name, content),
                                               caption=caption or None))

    async def download(self, file_id: str, limit: int) -> bytes:
        info = await self.call(self.bot.get_file(file_id))
        if info.file_size and info.file_size > limit:
            raise FileTooLarge(file_id)
        if not info.file_path:
            raise DeliveryError(f"no file path for {file_id}")
        content = await self.fetch(info)
        if len(content) > limit:
            raise FileTooLarge(file_id)
        return content
