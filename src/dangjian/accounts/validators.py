"""Password rules with Chinese messages (等保 practice).

Django 5.2's own minimum-length message has no Chinese translation and the similarity check
does not know this project's name and phone fields, so both are replaced here; settings list
these classes in AUTH_PASSWORD_VALIDATORS.
"""

from __future__ import annotations

import string
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext


class CharacterClassValidator:
    """Require `min_classes` of: lower case, upper case, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(c in string.punctuation or not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                gettext("密码须至少包含小写字母、大写字母、数字、符号中的%(n)d类。"),
                code="password_too_simple",
                params={"n": self.min_classes},
            )

    def get_help_text(self) -> str:
        return gettext("密码须至少包含小写字母、大写字母、数字、符号中的%(min_classes)s类。") % {
            "min_classes": self.min_classes
        }


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule, with a Chinese message."""

    def get_error_message(self) -> str:
        return gettext("密码太短，至少需要%(min_length)s个字符。") % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return gettext("密码至少需要%(min_length)s个字符。") % {"min_length": self.min_length}


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    """Django's similarity rule, also against the account's name and phone number."""

    DEFAULT_USER_ATTRIBUTES = ("username", "display_name", "phone", "email")

    def __init__(
        self,
        user_attributes: tuple[str, ...] = DEFAULT_USER_ATTRIBUTES,
        max_similarity: float = 0.7,
    ) -> None:
        super().__init__(user_attributes, max_similarity)

    def get_error_message(self) -> str:
        return gettext("密码与%(verbose_name)s过于相似。")

    def get_help_text(self) -> str:
        return gettext("密码不能与用户名、姓名、手机号、电子邮箱过于相似。")
