"""Static checks of an expression: what the evaluator refuses, in Chinese, before any answer is seen.

:func:`check` reports syntax errors, functions outside
:data:`evalkit.forms.expression_functions.FUNCTIONS` or with the wrong number of arguments,
XPath paths and bare words, and invalid or over-long ``regex()`` patterns.
:func:`evalkit.forms.expression_evaluation.evaluate` raises
:class:`~evalkit.forms.expression_syntax.ExpressionError` for exactly these texts.
"""

from __future__ import annotations

from evalkit.forms.expression_functions import FUNCS, FUNCTIONS, MAX_REGEX_LENGTH, compile_regex
from evalkit.forms.expression_syntax import Call, Expr, ExpressionError, Literal, Path, parse, walk_nodes
from evalkit.forms.expression_values import to_string


def _path_problem(node: Path) -> str:
    word = node.text
    if word in ("true", "false"):
        return f"「{word}」前后没有括号：布尔值请写成 {word}()"
    if not word.startswith((".", "/", "@")):
        return f"「{word}」不是有效的值：引用字段请写 ${{{word}}}，文字请加引号 '{word}'"
    return f"不支持的 XPath 路径「{word}」：请用 ${{字段名}} 引用字段，用 . 表示当前字段"


def _call_problem(node: Call) -> str | None:
    if node.name not in FUNCS:
        return f"不支持的函数 {node.name}()：evalkit 支持 {'、'.join(FUNCTIONS)}，请改写表达式"
    low, high, _ = FUNCS[node.name]
    count = len(node.args)
    if count < low or (high is not None and count > high):
        need = f"{low}" if low == high else f"{low} 个及以上" if high is None else f"{low}～{high}"
        return f"函数 {node.name}() 的参数个数不对：需要 {need} 个，实际 {count} 个"
    literal = node.args[-1] if node.args else None
    if node.name == "selected" and isinstance(literal, Literal) and isinstance(literal.value, float):
        return "selected() 的第二个参数应是带引号的选项代码，例如 selected(${字段}, '1')"
    if node.name == "regex" and isinstance(literal, Literal):
        pattern = to_string(literal.value)
        if len(pattern) > MAX_REGEX_LENGTH:
            return f"regex() 的正则表达式过长（{len(pattern)} 个字符，上限 {MAX_REGEX_LENGTH}），请简化"
        if compile_regex(pattern) is None:
            hint = "；汉字请写成 [\\u4e00-\\u9fff]，不支持 \\p{…}" if "\\p{" in pattern else ""
            return f"regex() 的正则表达式「{pattern[:40]}」无效，无法编译{hint}"
    return None


def static_problems(expr: Expr) -> list[tuple[str, int]]:
    """(message, position) for everything evaluate() refuses, in text order."""
    found: dict[str, int] = {}
    for node in walk_nodes(expr):
        message = _path_problem(node) if isinstance(node, Path) else (
            _call_problem(node) if isinstance(node, Call) else None)
        if message is not None and message not in found:
            found[message] = node.pos
    return sorted(found.items(), key=lambda item: item[1])


def check(text: str) -> list[str]:
    """Chinese messages for syntax errors and unsupported parts; [] if evaluable."""
    try:
        expr = parse(text)
    except ExpressionError as exc:
        return [exc.message]
    return [message for message, _ in static_problems(expr)]
