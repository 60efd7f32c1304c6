"""The version of evalkit (recorded in every manifest, draw and bundle; kept apart so that any module
can read it without importing the whole package)."""

__version__ = "0.1.0"
