"""The Zalo channel: the same assistant on the Zalo Bot Platform, choices as numbers.

``client`` speaks the Bot API (``<base>/bot<TOKEN>/<method>``, ``{ok, result}``
envelopes); ``choices`` shows a reply's buttons as a numbered list and maps a reply
"2" back to the button's action; ``core`` turns an update into an ``Inbound`` and the
assistant's replies into messages; ``adapter`` polls or takes webhooks, and sends for
the notifier.
"""
