"""Domain errors: refusals that carry a Chinese message and, when known, the field at fault."""

from __future__ import annotations


class DomainError(Exception):
    """A refused state change. `errors` maps field names ('__all__' for none) to messages."""

    def __init__(self, message: str | dict[str, str], *, code: str = "") -> None:
        if isinstance(message, dict):
            self.errors = {name: str(text) for name, text in message.items()}
        else:
            self.errors = {"__all__": str(message)}
        self.code = code
        super().__init__("；".join(self.errors.values()))

    @property
    def message(self) -> str:
        """All messages joined, for places that show one line."""
        return str(self)


class RuleViolation(DomainError):
    """A breach of a configurable rule; an authorized user may record it as an exception."""

    def __init__(self, code: str, message: str, *, field: str = "__all__") -> None:
        super().__init__({field: message}, code=code)
        self.rule_code = code
