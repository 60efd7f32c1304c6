"""The problems of a project folder as a whole (missing set-up files, unknown inputs)."""

from __future__ import annotations

from evalkit.problems import ERROR, register

PROJECT_FILE_MISSING = register(
    "project-file-missing", ERROR,
    "项目缺少{what}文件 {file}：请检查 evalkit.toml 中的「{key}」设置，或用 evalkit init 重新创建项目。",
    "evalkit.toml 指定的框架或单位名单文件在项目文件夹中不存在。")
UNKNOWN_INPUT = register(
    "input-kind-unknown", ERROR,
    "无法判断 {file} 是什么文件：框架工作簿应有「指标」工作表，单位名单应有「单位」工作表，调查工具应有「survey」工作表。{hint}",
    "交给 evalkit validate 的单个文件既不是框架、单位名单，也不是调查工具。")
