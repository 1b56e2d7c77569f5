"""Lesson 06, icans: its model, figures and demos."""
