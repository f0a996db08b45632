"""Hostile Markdown for the forum's renderer: the tests check it is linear, the benchmark times it."""

# Texts that make backtracking Markdown parsers quadratic or worse, as functions of their length.
BOMBS = {
    "stars around a letter": lambda n: "*" * (n // 2) + "a" + "*" * (n // 2),
    "*a ": lambda n: "*a " * (n // 3),
    "_": lambda n: "_" * n,
    "**": lambda n: "**" * (n // 2),
    "*a**": lambda n: "*a**" * (n // 4),
    "> ": lambda n: "> " * (n // 2),
    "<": lambda n: "<" * n,
    "`": lambda n: "`" * n,
}
