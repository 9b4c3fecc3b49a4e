"""nnlib: the small deep-learning library the book builds, chapter by chapter.

Importing nnlib has no side effects: it sets no random seed, print option or plotting style.
"""

__version__ = "0.1.0"
