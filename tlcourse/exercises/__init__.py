"""Checkable exercises, one module per notebook (``nb00.py`` …).

Each module defines ``QUESTIONS = {"nbNN.qK": check.Question(...)}``;
``tlcourse.check`` collects them all.
"""
