#!/usr/bin/env bash
# Build the handbook into handbook/_build/html with every code cell executed, offline.
#
#   scripts/build_handbook.sh                          # handbook/ -> handbook/_build/html
#   scripts/build_handbook.sh handbook --path-output /tmp/hb   # -> /tmp/hb/_build/html
#
# Fails (non-zero exit) on a failing cell (execute.allow_errors is false and
# nb_execution_raise_on_error is true in handbook/_config.yml), and on every Sphinx warning:
# a broken cross-reference or glossary term, a missing image, a bad directive (-W, with
# --keep-going so that all of them are listed, and -n for nit-picky references). --all rebuilds
# every page, so that nothing is taken over from an earlier build.
# Needs the extra `handbook` (pip install -e ".[handbook]"): Jupyter Book 1, sphinx-exercise,
# jupyter-server-mathjax (formulas without a CDN).
set -euo pipefail
cd "$(dirname "$0")/.."

source_dir="${1:-handbook}"
if [ "$#" -gt 0 ]; then shift; fi

if ! command -v jupyter-book >/dev/null 2>&1; then
  echo "jupyter-book is not installed: pip install -e '.[handbook]'" >&2
  exit 2
fi

export PYDEVD_DISABLE_FILE_VALIDATION=1
exec jupyter-book build "$source_dir" --all -W -n --keep-going "$@"
