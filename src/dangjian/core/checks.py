"""System checks of Dangjian's own settings (run by `dangjian check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def field_keys_configured(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Production must not encrypt protected fields with keys derived from the secret key."""
    from dangjian.core.crypto import CryptoError, keyring

    try:
        ring = keyring()
    except (CryptoError, OSError) as error:
        return [Error(f"字段加密密钥配置有误：{error}", id="dangjian.E002")]
    if settings.PRODUCTION and (ring.derived or not settings.DANGJIAN_LOOKUP_KEY):
        return [
            Error(
                "生产环境须配置 DANGJIAN_FIELD_KEYS（或 DANGJIAN_FIELD_KEY_FILE）和 DANGJIAN_LOOKUP_KEY。",
                hint="用 `openssl rand -hex 16` 生成，格式 k1:<32位十六进制>；见 docs/admin-guide.md。",
                id="dangjian.E001",
            )
        ]
    return []
