"""Controlled vocabularies: evidence methods (评分依据) and indicator kinds.

The method names follow the glossary of the evaluation design and the
province's assessment plan (吉林省文化厅 2018, 二、三): 文件梳理, 内部访谈,
专家论证, 服务对象抽查, 政务大厅调研 in the index system, and 资料审查, 实地核查,
座谈会, 个别谈话, 暗访, 电话征询, 问卷调查 in the workflow.  Each method has a
code name, its Chinese name, an English name and the aliases the documents use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    code: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()

    def names(self) -> tuple[str, ...]:
        return (self.code, self.zh, self.en, *self.aliases)


METHODS: tuple[Term, ...] = (
    Term("document_review", "文件梳理", "document review", ("资料审查", "文件审查", "材料审查")),
    Term("internal_interview", "内部访谈", "internal interview", ("个别谈话",)),
    Term("expert_review", "专家论证", "expert review", ("专家评审",)),
    Term("service_user_check", "服务对象抽查", "service-user spot check", ()),
    Term("service_hall_visit", "政务大厅调研", "service-hall visit", ("实地核查", "政务大厅实地调研")),
    Term("mystery_visit", "暗访", "mystery visit", ()),
    Term("phone_inquiry", "电话征询", "phone inquiry", ("电话回访",)),
    Term("questionnaire", "问卷调查", "questionnaire", ()),
    Term("group_discussion", "座谈会", "group discussion", ("召开座谈会",)),
    Term("hotline_test", "热线测试", "hotline test", ("电话咨询测试",)),
    Term("online_check", "网上办事核查", "online-service check", ("网上办事检查",)),
)

KINDS: tuple[Term, ...] = (
    Term("scored", "计分", "scored", ("得分", "基本分")),
    Term("bonus", "加分", "bonus", ("加分项",)),
    Term("deduction", "扣分", "deduction", ("扣分项",)),
)

_SPLIT = re.compile(r"[、,，;；/\s]+")


def _lookup(terms: tuple[Term, ...]) -> dict[str, Term]:
    return {name.lower(): t for t in terms for name in t.names()}


_METHOD_BY_NAME = _lookup(METHODS)
_KIND_BY_NAME = _lookup(KINDS)


def method(name: str) -> Term | None:
    """The method for a code, Chinese name, English name or alias (None if unknown)."""
    return _METHOD_BY_NAME.get(name.strip().lower())


def kind(name: str) -> Term | None:
    return _KIND_BY_NAME.get(name.strip().lower())


def split_methods(cell: str) -> list[str]:
    """Split a 评分依据 cell such as ``文件梳理、内部访谈、专家论证`` into names."""
    return [part for part in _SPLIT.split(cell.strip()) if part]


def method_names() -> list[str]:
    """Names a user may write, for did-you-mean suggestions (Chinese first)."""
    return [t.zh for t in METHODS] + [t.code for t in METHODS]


def method_zh(code: str) -> str:
    term = method(code)
    return term.zh if term else code


def kind_zh(code: str) -> str:
    term = kind(code)
    return term.zh if term else code
