"""Lesson 04, expansion and persistence: its model, figures and demos."""
