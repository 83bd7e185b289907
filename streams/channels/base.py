"""What every delivery channel is: a destination key, and one attempt to deliver an alert."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from config import Settings
from streams.outbound import GuardedClient

__all__ = ["Channel", "PermanentFailure"]


class PermanentFailure(Exception):
    """The channel refused the alert for good (a 4xx answer): retrying will not help."""


class Channel(ABC):
    """One kind of channel (``kind`` is the ``type`` a rule's channel gives).

    ``streams.delivery`` runs one consumer per kind and one queue per destination, retries
    what ``send`` raises as ``ConnectionError``/``TimeoutError``/``OSError`` with back-off,
    records what it returns (or a ``PermanentFailure``) in the delivery ledger. A new kind is
    a subclass in a module of its own, added to ``streams.channels.CHANNELS``."""

    kind: ClassVar[str]

    def __init__(self, settings: Settings, client: GuardedClient) -> None:
        self.settings = settings
        self.client = client

    @staticmethod
    @abstractmethod
    def destination(spec: dict[str, Any]) -> str:
        """Where the rule's channel ``spec`` sends to: one queue (and order) per destination."""

    @abstractmethod
    async def send(self, alert: dict[str, Any], spec: dict[str, Any], attempt: int) -> int:
        """One try: a status on success; ``PermanentFailure`` when retrying cannot help; any
        ``ConnectionError``, ``TimeoutError`` or ``OSError`` to be retried."""
