"""argparse speaks Chinese: its own messages (usage, errors, help headings) through the hook argparse
itself offers for translation — every message goes through the module's ``_`` / ``ngettext``, the
names it imports from :mod:`gettext`. :func:`install` points them at the table below; a message
without an entry stays as argparse wrote it.
"""

from __future__ import annotations

import argparse

MESSAGES = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n（加 -h 查看用法）\n",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s（请检查拼写，或加 -h 查看可用的参数）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的值 %(value)r（需要 %(type)s）",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多一个值",
    "expected at least one argument": "至少需要一个值",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "参数 %s 中必须给出一个",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是 %(matches)s",
    "ignored explicit argument %r": "多余的值 %r",
}
PLURALS = {"expected %s argument": "需要 %s 个值", "expected %s arguments": "需要 %s 个值"}


def gettext_zh(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext_zh(singular: str, plural: str, n: int) -> str:
    chosen = singular if n == 1 else plural
    return PLURALS.get(chosen, chosen)


def install() -> None:
    """Make argparse's messages Chinese (idempotent)."""
    argparse._ = gettext_zh
    argparse.ngettext = ngettext_zh
