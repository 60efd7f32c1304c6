#!/bin/sh
# Create evalkit's virtual environment: PYTHON -m venv DIR.
# Debian and Ubuntu ship Python without ensurepip unless python3-venv is installed; then this
# installs it with apt (as root, or through sudo without a password prompt) and, where that is not
# possible, falls back to virtualenv from PyPI.  Usage: tools/venv.sh PYTHON DIR
set -u
PY=$1
DIR=$2
if "$PY" -m venv "$DIR" 2>/dev/null; then
    exit 0
fi
rm -rf "$DIR"
echo "「$PY -m venv」不可用（Debian/Ubuntu 上通常是缺少 python3-venv 包）。"
VER=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo"; else SUDO="none"; fi
    if [ "$SUDO" != "none" ]; then
        echo "正在用 apt 安装 python$VER-venv ……"
        if $SUDO apt-get install -y -qq "python$VER-venv" >/dev/null 2>&1 || $SUDO apt-get install -y -qq python3-venv >/dev/null 2>&1; then
            if "$PY" -m venv "$DIR"; then exit 0; fi
            rm -rf "$DIR"
        fi
    fi
fi
echo "改用 PyPI 上的 virtualenv 创建虚拟环境 ……"
"$PY" -m pip install --quiet --user virtualenv 2>/dev/null \
    || "$PY" -m pip install --quiet --user --break-system-packages virtualenv \
    || { echo "无法创建虚拟环境：请安装 python3-venv（sudo apt-get install python3-venv）后重试。" >&2; exit 1; }
"$PY" -m virtualenv --quiet "$DIR" || { echo "virtualenv 未能创建 $DIR：请安装 python3-venv 后重试。" >&2; exit 1; }
