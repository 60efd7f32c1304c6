"""Tests for the safe XLSForm expression subset (evalkit.forms.expression_* modules)."""

from __future__ import annotations

import ast
import builtins
import datetime as dt
import math
import pathlib
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit.forms import (  # the modules of the expression language, for the source check
    FUNCTIONS,
    ExpressionError,
    check,
    evaluate,
    expression_checks,
    expression_evaluation,
    expression_functions,
    expression_syntax,
    expression_values,
    parse,
    references,
    truthy,
    uses_current,
)
from evalkit.forms.expression_values import to_string

TODAY = dt.date(2024, 6, 15)


def ev(text: str, current: object = None, **values: object) -> object:
    """Evaluate with a fixed today() so tests do not depend on the clock."""
    return evaluate(text, values, current=current, today=TODAY)


# ------------------------------------------------------------------ precedence


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1 + 2 * 3 = 7", True),
        ("(1 + 2) * 3 = 9", True),
        ("not(1 = 2) and 2 > 1", True),
        ("1 = 1 or 1 = 2 and 1 = 2", True),  # and binds tighter than or
        ("(1 = 1 or 1 = 2) and 1 = 2", False),
        ("1 < 2 = 2 > 1", True),  # relational binds tighter than equality
        ("10 - 4 - 3", 3.0),  # left associative
        ("16 div 4 div 2", 2.0),
        ("7 mod 4 * 2", 6.0),
        ("-2 * 3", -6.0),
        ("- - 3", 3.0),
        ("1 - -2", 3.0),
        ("2 + 3 > 4", True),
        (".5 + 1.25", 1.75),
        ("3.", 3.0),
    ],
)
def test_precedence_and_arithmetic(text: str, expected: object) -> None:
    assert ev(text) == expected


def test_numbers_are_floats_and_print_like_xpath() -> None:
    assert ev("1 + 2") == 3.0
    assert to_string(ev("1 + 2")) == "3"
    assert to_string(ev("10 div 4")) == "2.5"
    assert to_string(ev("1 div 0")) == "Infinity"
    assert to_string(ev("'' + 1")) == "NaN"


def test_keywords_without_spaces() -> None:
    assert ev("${a}and${b}", a="x", b="y") is True
    assert ev("7mod2") == 1.0


# ------------------------------------------------------------------ constraints


@pytest.mark.parametrize("answer, ok", [(0, True), (55, True), (100, True), (101, False),
                                         (-1, False), (99.5, True), ("42", True)])
def test_percentage_constraint(answer: object, ok: bool) -> None:
    assert ev(". >= 0 and . <= 100", current=answer) is ok


def test_constraint_against_other_field() -> None:
    assert ev(". <= ${calls_made}", current=3, calls_made=5) is True
    assert ev(". <= ${calls_made}", current=6, calls_made=5) is False
    assert ev(". <= ${calls_made}", current=3, calls_made=None) is False  # NaN


@pytest.mark.parametrize(
    "phone, ok",
    [("13812345678", True), ("19900001111", True), ("12812345678", False),
     ("1381234567", False), ("138123456789", False), ("0571-8888888", False), ("", False)],
)
def test_chinese_mobile_regex(phone: str, ok: bool) -> None:
    assert ev("regex(., '^1[3-9][0-9]{9}$')", current=phone) is ok


def test_regex_needs_whole_string_like_odk_collect() -> None:
    # JavaRosa uses Pattern.matches: an unanchored pattern must still match all of it
    assert ev("regex(., '[0-9]{6}')", current="310000") is True
    assert ev("regex(., '[0-9]{6}')", current="3100001") is False
    assert ev("regex(., '[0-9]{6}')", current="邮编310000") is False


def test_regex_with_chinese_characters() -> None:
    assert ev("regex(., '^[\\u4e00-\\u9fff]{2,4}$')", current="张三") is True
    assert ev("regex(., '^[\\u4e00-\\u9fff]{2,4}$')", current="Zhang") is False


def test_regex_pattern_from_a_field_and_invalid_pattern() -> None:
    assert ev("regex(., ${p})", current="abc", p="a.c") is True
    assert ev("regex(., ${p})", current="abc", p="[a-") is False  # invalid: no match
    assert ev("regex(., ${p})", current="a", p="a" * 501) is False  # too long: no match


def test_date_not_in_future() -> None:
    assert ev(". <= today()", current=dt.date(2024, 6, 15)) is True
    assert ev(". <= today()", current=dt.date(2024, 6, 16)) is False
    assert ev(". <= today()", current="2024-06-01") is True  # ISO text next to a date
    assert ev(". <= today()", current="") is False


def test_today_defaults_to_the_real_date() -> None:
    before = dt.date.today()
    found = evaluate("today()", {})
    assert found in (before, dt.date.today())  # the day may turn between the two


def test_date_compared_with_iso_literal() -> None:
    assert ev("${visit_date} >= '2024-01-01'", visit_date=dt.date(2024, 3, 1)) is True
    assert ev("${visit_date} < '2024-01-01'", visit_date=dt.date(2024, 3, 1)) is False
    assert ev("${visit_date} = '2024-03-01'", visit_date=dt.date(2024, 3, 1)) is True
    assert ev("${visit_date} != '2024-03-01'", visit_date=dt.date(2024, 3, 2)) is True
    assert ev("${t} >= '2024-03-01'", t=dt.datetime(2024, 3, 1, 9, 30)) is True
    assert ev("${visit_date} > 'soon'", visit_date=dt.date(2024, 3, 1)) is False


def test_time_compared_with_text() -> None:
    assert ev(". >= '08:30' and . <= '17:30'", current=dt.time(9, 0)) is True
    assert ev(". >= '08:30'", current=dt.time(8, 0)) is False


def test_string_length_constraint() -> None:
    assert ev("string-length(.) >= 10", current="窗口办理时间太长需要排队") is True
    assert ev("string-length(.) >= 10", current="很好") is False
    assert ev("string-length(.) >= 10", current=None) is False
    assert ev("string-length() = 2", current="很好") is True  # no argument: current field


# ------------------------------------------------------------------ relevant


def test_relevant_on_select_one() -> None:
    assert ev("${visited} = 'yes'", visited="yes") is True
    assert ev("${visited} = 'yes'", visited="no") is False
    assert ev("${visited} = 'yes'", visited=None) is False
    assert ev("${visited} = 'yes'") is False  # field missing from values


@pytest.mark.parametrize("answer", [["vague", "slow"], "vague slow", ("slow", "vague"),
                                     {"vague", "slow"}, "  slow   vague "])
def test_selected_accepts_list_and_space_string(answer: object) -> None:
    assert ev("selected(${problems}, 'vague')", problems=answer) is True
    assert ev("selected(${problems}, 'rude')", problems=answer) is False
    assert ev("count-selected(${problems})", problems=answer) == 2.0


def test_selected_does_not_match_substrings() -> None:
    assert ev("selected(${problems}, 'slow')", problems="slowness") is False


def test_count_selected_limit() -> None:
    assert ev("count-selected(${problems}) <= 3", problems=["a", "b", "c"]) is True
    assert ev("count-selected(${problems}) <= 3", problems=["a", "b", "c", "d"]) is False
    assert ev("count-selected(${problems}) <= 3", problems=[]) is True
    assert ev("count-selected(${problems})", problems=None) == 0.0


def test_selected_on_empty_answer() -> None:
    assert ev("selected(${problems}, 'vague')", problems=None) is False
    assert ev("not(selected(${problems}, 'other'))", problems=[]) is True


# ------------------------------------------------------------------ calculations


def test_if_guards_division_by_zero() -> None:
    text = "if(${n} > 0, ${ok} div ${n}, 0)"
    assert ev(text, n=4, ok=3) == 0.75
    assert ev(text, n=0, ok=3) == 0.0
    assert ev(text, n=None, ok=None) == 0.0


def test_if_is_lazy() -> None:
    # the untaken branch would be NaN; only the taken one counts
    assert ev("if(true(), 1, 'x' + 1)") == 1.0
    assert ev("if(false(), 'x' + 1, 2)") == 2.0


@pytest.mark.parametrize(
    "text, expected",
    [
        ("5 div 0", math.inf),
        ("-5 div 0", -math.inf),
        ("7 mod -3", 1.0),
        ("-7 mod 3", -1.0),
    ],
)
def test_division_edge_cases(text: str, expected: float) -> None:
    assert ev(text) == expected


@pytest.mark.parametrize("text", ["0 div 0", "5 mod 0", "${x} div 2", "'abc' * 2", "-${x}"])
def test_nan_results(text: str) -> None:
    assert math.isnan(ev(text, x=None))


def test_helper_functions() -> None:
    assert ev("concat('第', ${n}, '次')", n=3) == "第3次"
    assert ev("concat()") == ""
    assert ev("coalesce(${a}, ${b})", a=None, b="备用") == "备用"
    assert ev("coalesce(${a}, ${b})", a="主要", b="备用") == "主要"
    assert ev("coalesce(${a} div 0 * 0, 7)", a=1) == 7.0  # NaN counts as empty
    assert ev("number('12.5') + 1") == 13.5
    assert math.isnan(ev("number('十二')"))
    assert ev("int(-3.7)") == -3.0
    assert ev("int('8.9')") == 8.0
    assert ev("string(2.0)") == "2"
    assert ev("string(true())") == "true"
    assert ev("true() and not(false())") is True


@pytest.mark.parametrize(
    "text, expected",
    [("round(2.5)", 3.0), ("round(-2.5)", -2.0), ("round(3.14159, 2)", 3.14),
     ("round(1.005, 2)", 1.01), ("round(1234.5, -2)", 1200.0), ("round(0.125, 2)", 0.13)],
)
def test_round_half_towards_positive_infinity(text: str, expected: float) -> None:
    assert ev(text) == expected


def test_round_edge_cases() -> None:
    assert math.isnan(ev("round(1, 31)"))
    assert math.isnan(ev("round(${x}, 1)", x=None))
    assert ev("round(1 div 0, 2)") == math.inf


def test_date_function() -> None:
    assert ev("date('2024-02-29')") == dt.date(2024, 2, 29)
    assert ev("date('2024-02-29T10:00:00')") == dt.date(2024, 2, 29)
    assert ev("date(19782)") == dt.date(2024, 2, 29)
    assert ev("date(${d})", d=None) == ""
    assert math.isnan(ev("date('2024-02-30')"))
    assert math.isnan(ev("date(99999999999)"))
    assert ev("date(today() + 1)") == TODAY + dt.timedelta(days=1)
    assert ev("today() - date('2024-06-01')") == 14.0


def test_concat_of_dates_and_times() -> None:
    assert ev("concat(today(), ' ', ${t})", t=dt.time(8, 5)) == "2024-06-15 08:05:00"


# ------------------------------------------------------------------ empty values and types


def test_empty_answers_are_empty_strings() -> None:
    assert ev("${a} = ''", a=None) is True
    assert ev("${a} = ''") is True
    assert ev("${a} != ''", a="x") is True
    assert ev("${a} = 0", a=None) is False
    assert ev("${a} != 0", a=None) is True
    assert ev(". > 0", current=None) is False
    assert ev(". > 0 or . <= 0", current="") is False  # NaN on both sides


def test_nan_input_counts_as_unanswered() -> None:
    assert ev("${a} = ''", a=float("nan")) is True
    assert ev("${a} = ''", a=Decimal("NaN")) is True


def test_pandas_missing_values_count_as_unanswered() -> None:
    pd = pytest.importorskip("pandas")
    assert ev("${a} = ''", a=pd.NA) is True
    assert ev("${a} = ''", a=pd.NaT) is True
    row = pd.Series({"age": 35, "name": "李"})
    assert evaluate("${age} >= 18 and ${name} != ''", row) is True
    assert evaluate("${missing} = ''", row) is True


def test_numpy_scalars() -> None:
    np = pytest.importorskip("numpy")
    assert ev("${a} + 1", a=np.int64(4)) == 5.0
    assert ev("${a} = true()", a=np.bool_(True)) is True


def test_numeric_strings() -> None:
    assert ev("${a} = 5", a="5") is True
    assert ev("${a} = 5", a="5.0") is True
    assert ev("${a} > 4", a=" 5 ") is True
    assert ev("${a} = ${b}", a="5", b="05") is False  # two strings: string comparison
    assert ev("${a} = ${b}", a=5, b="05") is True  # a typed number makes it numeric
    assert ev("'abc' < 'abd'") is False  # XPath: relational is numeric only
    assert ev("'1e3' = 1000") is False  # no scientific notation in XPath


def test_python_value_types() -> None:
    assert ev("${a} + ${b}", a=Decimal("1.5"), b=2) == 3.5
    assert ev("${a} = true()", a=True) is True
    assert ev("${a} = 1", a=True) is True
    assert ev("${a} + 1", a=10**400) == math.inf
    assert ev("${a}", a=complex(1, 2)) == ""
    assert ev("${a}", a=[1, 2]) == "1 2"


def test_bool_equality_converts_the_other_side() -> None:
    assert ev("true() = 'no'") is True  # non-empty string is true
    assert ev("false() = ''") is True
    assert ev("true() = 0") is False


@pytest.mark.parametrize(
    "value, expected",
    [(True, True), (False, False), (0, False), (2, True), (0.0, False), (float("nan"), False),
     ("", False), ("0", True), ("false", True), (None, False), (dt.date(2024, 1, 1), True),
     ([], False), (["a"], True), (Decimal("0"), False)],
)
def test_truthy(value: object, expected: bool) -> None:
    assert truthy(value) is expected


# ------------------------------------------------------------------ check()


@pytest.mark.parametrize(
    "text, name",
    [
        ("pulldata('fees', 'amount', 'code', ${c})", "pulldata"),
        ("position(..) = 1", "position"),
        ("indexed-repeat(${name}, ${household}, 1)", "indexed-repeat"),
        ("now()", "now"),
        ("random() < 0.5", "random"),
        ("jr:choice-name(${office}, '${office}')", "jr:choice-name"),
        ("sum(${scores})", "sum"),
        ("eval('1')", "eval"),
        ("open('/etc/passwd')", "open"),
    ],
)
def test_unsupported_functions_are_reported(text: str, name: str) -> None:
    messages = check(text)
    assert any(m.startswith(f"不支持的函数 {name}()") for m in messages), messages
    assert "selected、count-selected、string-length、regex、if、today" in messages[0]
    with pytest.raises(ExpressionError):
        ev(text)


@pytest.mark.parametrize("text", ["/data/age > 18", "../age > 18", "@id = 'x'",
                                  "//age > 1", "./age", "${a} + ../b"])
def test_xpath_paths_are_reported(text: str) -> None:
    messages = check(text)
    assert any(m.startswith("不支持的 XPath 路径") for m in messages), messages
    with pytest.raises(ExpressionError, match="XPath 路径"):
        ev(text)


def test_instance_paths_are_refused() -> None:
    assert check("instance('x')/root/item")  # a syntax error here, still refused


def test_bare_words_get_a_hint() -> None:
    messages = check("${visited} = yes")
    assert messages == ["「yes」不是有效的值：引用字段请写 ${yes}，文字请加引号 'yes'"]
    assert check("${ok} = true") == ["「true」前后没有括号：布尔值请写成 true()"]
    assert "「是」不是有效的值" in check("${a} = 是")[0]


@pytest.mark.parametrize(
    "text",
    [
        ". >= 0 and . <= 100",
        ". <= ${calls_made}",
        "regex(., '^1[3-9][0-9]{9}$')",
        ". <= today()",
        "string-length(.) >= 10",
        "${visited} = 'yes'",
        "selected(${problems}, 'vague')",
        "count-selected(${problems}) <= 3",
        "if(${n} > 0, ${ok} div ${n}, 0)",
        "concat(${县}, '-', ${乡镇})",
        "round(${score} * 100 div ${total}, 1)",
        "coalesce(${a}, 0) + number(${b}) + int(${c})",
        "date(${d}) < today() and string(${x}) != ''",
        '${q} = "double quoted"',
        "\n${a} =\n 1\n",
    ],
)
def test_realistic_expressions_pass_check(text: str) -> None:
    assert check(text) == []


def test_arity_is_checked() -> None:
    assert check("if(${a} > 1, 2)") == ["函数 if() 的参数个数不对：需要 3 个，实际 2 个"]
    assert check("selected(${a})") == ["函数 selected() 的参数个数不对：需要 2 个，实际 1 个"]
    assert check("today(1)") == ["函数 today() 的参数个数不对：需要 0 个，实际 1 个"]
    assert check("round(1, 2, 3)") == ["函数 round() 的参数个数不对：需要 1～2 个，实际 3 个"]
    with pytest.raises(ExpressionError, match="参数个数不对"):
        ev("if(1, 2)")


def test_selected_with_unquoted_number_is_reported() -> None:
    assert "带引号的选项代码" in check("selected(${a}, 1)")[0]
    assert check("selected(${a}, '1')") == []


def test_regex_patterns_are_checked() -> None:
    assert "过长" in check("regex(., '" + "a" * 501 + "')")[0]
    assert check("regex(., '" + "a" * 500 + "')") == []
    assert "无效" in check("regex(., '[0-9')")[0]
    assert "\\u4e00" in check("regex(., '^\\p{IsHan}+$')")[0]
    assert check("regex(., ${pattern})") == []  # dynamic patterns cannot be checked


def test_several_problems_are_all_reported_once() -> None:
    messages = check("pulldata('a') + now() + pulldata('b') + /data/x")
    assert len(messages) == 3
    assert messages[0].startswith("不支持的函数 pulldata()")
    assert messages[1].startswith("不支持的函数 now()")


# ------------------------------------------------------------------ syntax errors


@pytest.mark.parametrize(
    "text, position, fragment",
    [
        ("${age} >> 18", 8, "第 9 个字符附近「>」"),
        ("${a} = 1 )", 9, "「)」"),
        ("1 == 2", 3, "相等比较用单个 ="),
        ("${a} = ‘yes’", 7, "请改用英文半角符号"),
        ("selected（${a}, 'x'）", 8, "请改用英文半角符号"),
        ("${a} = 'yes", 7, "引号未闭合"),
        ("${a b} = 1", 0, "第 1 个字符"),
        ("${a} = = 1", 7, "「=」"),
        ("1 + * 2", 4, "「*」"),
        ("${a} && ${b}", 5, "「&」"),
    ],
)
def test_syntax_errors_have_positions(text: str, position: int, fragment: str) -> None:
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert info.value.position == position
    assert info.value.text == text
    assert info.value.message.startswith("表达式语法错误")
    assert fragment in info.value.message
    assert check(text) == [info.value.message]


@pytest.mark.parametrize("text", ["(1 + 2", "${a} =", "if(${a}, 1,", "not("])
def test_unfinished_expressions(text: str) -> None:
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert "意外结束" in info.value.message
    assert info.value.position == len(text)


def test_empty_overlong_and_too_deep() -> None:
    assert check("") == ["表达式为空"]
    assert check("   ") == ["表达式为空"]
    assert "过长" in check("1" + " + 1" * 3000)[0]
    assert "嵌套过深" in check("not(" * 120 + "1" + ")" * 120)[0]
    assert check("not(" * 50 + "1" + ")" * 50) == []
    assert check("(" * 400 + "1" + ")" * 400) == []  # parentheses add no depth


def test_long_flat_sums_evaluate() -> None:
    names = [f"q{i}" for i in range(300)]
    text = " + ".join("${" + n + "}" for n in names)
    assert evaluate(text, {n: 1 for n in names}) == 300.0


def test_non_text_is_rejected() -> None:
    assert check(None) == ["表达式必须是文本"]  # type: ignore[arg-type]
    with pytest.raises(ExpressionError):
        parse(3.5)  # type: ignore[arg-type]


def test_expression_error_is_an_exception_with_message() -> None:
    error = ExpressionError("表达式为空")
    assert str(error) == "表达式为空" and error.position is None and error.text is None


# ------------------------------------------------------------------ parse, references


def test_parse_is_cached_and_reusable() -> None:
    first = parse("${a} + 1")
    assert parse("${a} + 1") is first
    assert evaluate(first, {"a": 2}) == 3.0


def test_references() -> None:
    assert references("if(${n} > 0, ${ok} div ${n}, 0)") == {"n", "ok"}
    assert references(". > 0") == set()
    assert references("${县_名称} != '' and ${a.b-c} = 1") == {"县_名称", "a.b-c"}
    assert references("concat('${not_a_ref}', ${real})") == {"real"}
    assert references(parse("${x}")) == {"x"}
    with pytest.raises(ExpressionError):
        references("${a} +")


def test_uses_current() -> None:
    assert uses_current(". >= 0")
    assert uses_current("string-length(.) > 3")
    assert uses_current("regex(., '^a$')")
    assert not uses_current("${a} > 0.5")
    assert not uses_current("'.' = ${a}")
    assert not uses_current(".5 > 0")


def test_functions_constant_lists_supported_names() -> None:
    assert set(FUNCTIONS) == {"selected", "count-selected", "string-length", "regex", "if",
                              "today", "not", "true", "false", "number", "int", "string",
                              "concat", "coalesce", "round", "date"}


# ------------------------------------------------------------------ safety


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os')",
        "__import__('os').system('echo pwned')",
        "().__class__.__bases__[0].__subclasses__()",
        "os.system('rm -rf /')",
        "lambda: 1",
        "1; import os",
        "[x for x in (1,)]",
        "{'a': 1}",
        "`id`",
    ],
)
def test_python_code_is_a_syntax_error(text: str) -> None:
    messages = check(text)
    assert len(messages) == 1 and messages[0].startswith("表达式语法错误"), messages
    with pytest.raises(ExpressionError):
        ev(text)


def test_nothing_is_executed(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_import = builtins.__import__

    def spy_import(name: str, *args: object, **kwargs: object) -> object:
        if name in ("os", "subprocess"):
            calls.append(name)
        return real_import(name, *args, **kwargs)

    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, lambda *a, _n=name, **k: calls.append(_n))
    monkeypatch.setattr(builtins, "__import__", spy_import)
    for text in ["__import__('os')", "eval('1')", "exec('x=1')", "compile('1', '', 'eval')"]:
        assert check(text)
        with pytest.raises(ExpressionError):
            ev(text)
    assert ev("${a} + 1", a=1) == 2.0
    assert calls == []


@pytest.mark.parametrize("module", [expression_syntax, expression_values, expression_functions, expression_checks,
                                    expression_evaluation])
def test_module_never_calls_eval_or_exec(module) -> None:
    source = pathlib.Path(module.__file__).read_text(encoding="utf-8")
    banned = {"eval", "exec", "compile", "__import__"}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in banned


# ------------------------------------------------------------------ properties

TOKENS = ["${a}", "${b}", "${m}", ".", "1", "0", "2.5", "'x'", "'2024-01-01'", "''", "+", "-",
          "*", "div", "mod", "=", "!=", "<", "<=", ">", ">=", "and", "or", "(", ")", ",",
          "selected(", "count-selected(", "string-length(", "regex(", "'^a+$'", "if(",
          "today()", "not(", "true()", "false()", "number(", "int(", "string(", "concat(",
          "coalesce(", "round(", "date(", "pulldata(", "/data/x", "yes", "'", "==", "（"]

ANSWERS = st.one_of(
    st.none(), st.text(max_size=12), st.integers(), st.floats(), st.booleans(),
    st.decimals(allow_nan=True, allow_infinity=True), st.dates(), st.times(),
    st.datetimes(timezones=st.one_of(st.none(), st.just(dt.UTC),
                                     st.just(dt.timezone(dt.timedelta(hours=8))))),
    st.lists(st.sampled_from(["a", "b", "vague", "其他"]), max_size=4),
)


def _evaluate_or_refuse(text: str, values: dict[str, object], current: object) -> None:
    """evaluate() returns, or raises ExpressionError exactly when check() objects."""
    problems = check(text)
    assert isinstance(problems, list) and all(isinstance(p, str) for p in problems)
    try:
        result = evaluate(text, values, current=current, today=TODAY)
    except ExpressionError as error:
        assert problems and error.message == problems[0]
        return
    assert problems == []
    assert isinstance(result, (bool, float, str, dt.date, dt.time))
    assert isinstance(truthy(result), bool)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=60), values=st.dictionaries(st.sampled_from("abm"), ANSWERS),
       current=ANSWERS)
def test_random_text_never_crashes(text: str, values: dict[str, object], current: object) -> None:
    _evaluate_or_refuse(text, values, current)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tokens=st.lists(st.sampled_from(TOKENS), min_size=1, max_size=14),
       values=st.dictionaries(st.sampled_from("abm"), ANSWERS), current=ANSWERS)
def test_token_soup_never_crashes(tokens: list[str], values: dict[str, object],
                                  current: object) -> None:
    _evaluate_or_refuse(" ".join(tokens), values, current)


@settings(max_examples=200, deadline=None)
@given(a=st.one_of(st.integers(-10**6, 10**6), st.floats(-1e6, 1e6)),
       b=st.one_of(st.integers(-10**6, 10**6), st.floats(-1e6, 1e6)))
def test_arithmetic_matches_python(a: float, b: float) -> None:
    values = {"a": a, "b": b}
    assert evaluate("${a} + ${b}", values) == pytest.approx(float(a) + float(b))
    assert evaluate("${a} * ${b}", values) == pytest.approx(float(a) * float(b))
    assert evaluate("${a} < ${b}", values) is (a < b)
    assert evaluate("${a} = ${b}", values) is (a == b or abs(float(a) - float(b)) < 1e-12)
    if b != 0:
        assert evaluate("${a} div ${b}", values) == pytest.approx(float(a) / float(b))


def _call_of(name: str, arity: int, inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """``name(arg, ...)`` with ``arity`` arguments drawn from ``inner``."""
    return st.lists(inner, min_size=arity, max_size=arity).map(
        lambda args: f"{name}({', '.join(args)})")


LEAVES = st.sampled_from(["${a}", "${b}", "${m}", ".", "0", "1", "2.5", "''", "'x'",
                          "'2024-01-01'", "'08:30'", "'a b'", "today()", "true()", "false()"])
WELL_FORMED = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "div", "mod", "=", "!=", "<", "<=",
                                          ">", ">=", "and", "or"]), inner)
        .map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        inner.map(lambda e: f"-{e}"),
        st.tuples(inner, st.sampled_from(["'a'", "'vague'", "''"]))
        .map(lambda t: f"selected({t[0]}, {t[1]})"),
        *(_call_of(name, n, inner) for name, n in [ ("count-selected", 1), ("string-length", 1), ("regex", 2),
            ("if", 3), ("not", 1), ("number", 1), ("int", 1), ("string", 1), ("concat", 3),
            ("coalesce", 2), ("round", 2), ("date", 1)]),
    ),
    max_leaves=12,
)


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")  # big strategy repr
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=WELL_FORMED, values=st.dictionaries(st.sampled_from("abm"), ANSWERS),
       current=ANSWERS)
def test_well_formed_expressions_always_evaluate(text: str, values: dict[str, object],
                                                 current: object) -> None:
    assert check(text) == []
    result = evaluate(text, values, current=current, today=TODAY)
    assert isinstance(result, (bool, float, str, dt.date, dt.time))
