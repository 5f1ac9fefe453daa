"""Core models: the audit chain, rule settings and exceptions, notifications."""

from dangjian.core.models.audit import AuditChainHead, AuditEvent
from dangjian.core.models.notifications import Notification
from dangjian.core.models.rules import RuleException, RuleSetting

__all__ = ["AuditChainHead", "AuditEvent", "Notification", "RuleException", "RuleSetting"]
