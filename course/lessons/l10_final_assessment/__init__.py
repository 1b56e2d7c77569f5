"""Lesson 10, final assessment: its model, figures and demos."""
